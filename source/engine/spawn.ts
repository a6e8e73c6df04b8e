// Starting one component (SPEC 4.4 step 4): detached in its own session and group, logs appended, PID file written.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {processTable} from '../os/index.js';
import {StigmerError} from '../errors.js';
import {ensurePrivateDir, type Home} from '../paths.js';
import {packageVersion} from '../version.js';
import type {ComponentSpec} from '../config.js';
import {writePidFile} from './pidfile.js';

export type Exit = {code: number | null; signal: NodeJS.Signals | null};
export type Spawned = {pid: number; startedAtMs: number; exited: Promise<Exit>; hasExited: () => Exit | undefined};

/** Spawn a component with the home's marker in its environment; resolves once its PID file is written. */
export async function spawnComponent(home: Home, spec: ComponentSpec): Promise<Spawned> {
	ensurePrivateDir(home.logs);
	for (const dir of spec.ensureDirs) {
		ensurePrivateDir(dir);
	}
	if (spec.cwd !== null && !fs.existsSync(spec.cwd)) {
		throw new StigmerError(`${spec.name}: cwd ${spec.cwd} does not exist; fix components.${spec.name}.cwd in ${home.config}`);
	}

	const out = fs.openSync(home.logFile(spec.name, 'stdout'), 'a', 0o600);
	const err = fs.openSync(home.logFile(spec.name, 'stderr'), 'a', 0o600);
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
		return {pid, startedAtMs: info?.startedAtMs ?? Date.now(), exited, hasExited: () => exit};
	} finally {
		fs.closeSync(out);
		fs.closeSync(err);
	}
}
