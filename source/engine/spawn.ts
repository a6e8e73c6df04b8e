// Starting one component (SPEC 4.4 step 4): detached in its own session and group, logs appended, PID file written.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {processTable} from '../os/index.js';
import {StigmerError} from '../errors.js';
import {ensurePrivateDir, openPrivate, type Home} from '../paths.js';
import {packageVersion} from '../version.js';
import type {ComponentSpec} from '../config.js';
import {writePidFile} from './pidfile.js';

export type Exit = {code: number | null; signal: NodeJS.Signals | null};
export type Spawned = {pid: number; startedAtMs: number; exited: Promise<Exit>; hasExited: () => Exit | undefined};

/** Spawn a component with the home's marker in its environment; resolves once its PID file is written. */
/** Why a component's cwd cannot be used (missing, not a directory), or undefined; checked before anything is touched. */
export function cwdError(spec: ComponentSpec): string | undefined {
	if (spec.cwd === null) {
		return undefined;
	}

	try {
		return fs.statSync(spec.cwd).isDirectory() ? undefined : 'is not a directory';
	} catch {
		return 'does not exist';
	}
}

export async function spawnComponent(home: Home, spec: ComponentSpec): Promise<Spawned> {
	ensurePrivateDir(home.logs);
	for (const dir of spec.ensureDirs) {
		ensurePrivateDir(dir);
	}
	const cwdProblem = cwdError(spec);
	if (cwdProblem !== undefined) {
		throw new StigmerError(`${spec.name}: cwd ${spec.cwd} ${cwdProblem}; fix components.${spec.name}.cwd in ${home.config}`);
	}

	const out = openPrivate(home.logFile(spec.name, 'stdout'), 'append');
	let err: number;
	try {
		err = openPrivate(home.logFile(spec.name, 'stderr'), 'append');
	} catch (error: unknown) {
		fs.closeSync(out);
		throw error;
	}

	const [file, ...args] = spec.command;
	let exit: Exit | undefined;
	try {
		const child = spawn(file!, args, {
			detached: true,
			stdio: ['ignore', out, err],
			cwd: spec.cwd ?? home.root,
			env: {...process.env, ...spec.env, STIGMER_HOME: home.root, STIGMER_COMPONENT: spec.name},
		});
		const exited = new Promise<Exit>((resolve) => {
			child.once('exit', (code, signal) => {
				exit = {code, signal};
				resolve(exit);
			});
		});
		const pid = await new Promise<number>((resolve, reject) => {
			child.once('error', (error: NodeJS.ErrnoException) => {
				reject(new StigmerError(`${spec.name}: cannot run ${JSON.stringify(file)}: ${error.code === 'ENOENT' ? 'no such file or command' : error.message}; check components.${spec.name}.command`));
			});
			child.once('spawn', () => {
				resolve(child.pid!);
			});
		});
		child.unref();
		const info = processTable.info(pid);
		try {
			writePidFile(home, {
				pid,
				pgid: pid,
				startTime: info?.startTime ?? '',
				bootId: processTable.bootId(),
				component: spec.name,
				home: home.root,
				argv: spec.command,
				version: packageVersion(),
			});
		} catch (error: unknown) {
			// No PID file, no running component: a process nobody recorded would be found only as an orphan.
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {}

			throw error;
		}

		return {pid, startedAtMs: info?.startedAtMs ?? Date.now(), exited, hasExited: () => exit};
	} finally {
		fs.closeSync(out);
		fs.closeSync(err);
	}
}
