// Starting one component (docs/lifecycle.md#start step 4, 4.8): its supervisor is spawned detached in its own session and group,
// logs appended; the supervisor's launcher becomes the component and writes the PID file.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {Writable} from 'node:stream';
import {processTable} from '../os/index.js';
import {ConfigError, StigmerError} from '../errors.js';
import type {Home} from '../paths.js';
import {ensurePrivateDir, openPrivate} from '../private-file.js';
import {MARKER, SUPERVISOR_VALUE} from '../markers.js';
import {packageVersion} from '../version.js';
import {SPAWN_WORDS} from '../reasons.js';
import {cwdProblem, type ComponentSpec} from '../config/index.js';
import {componentEnv} from '../config/env-file.js';
import {isExecutableFile, which} from '../executable.js';
import {itemAt} from '../item-at.js';
import {readPidFile, type PidRecord} from './pidfile.js';
import {clearStopping, freshRecord, readRecord, writeRecord} from './state.js';
import {settingsText, SUPERVISOR_FUNCTIONS, SUPERVISOR_MAIN, SUPERVISOR_TAG} from './supervisor-script.js';

export type Exit = {code: number | null; signal: NodeJS.Signals | null};
export type Spawned = {
	/** The component's own process (never the supervisor). */
	pid: number;
	/** Its supervisor: the component's parent and the leader of its process group. */
	supervisorPid: number;
	startedAtMs: number;
	/** Settles when the supervisor exits, where that is an event (the shell we spawned supervises); else undefined. */
	exited: Promise<Exit> | undefined;
	hasExited: () => Exit | undefined;
};

/**
 * Shells for supervisors, the first executable one wins: dash wherever it is installed (Debian's and Ubuntu's /bin/sh,
 * macOS since 10.15, a package elsewhere) — measured 1.75 MiB RSS against 1.9 MiB for bash in POSIX mode (a fork) — else the
 * system's sh (bash 3.2 on older macOS, bash on Fedora and Arch, busybox ash on Alpine). Fixed paths, never PATH: a
 * supervisor outlives the shell session that started it.
 */
export const SUPERVISOR_SHELLS = ['/bin/dash', '/bin/sh'] as const;
/**
 * Run first by the supervisor's own shell, which then execs itself as `<sh> -s stigmer-supervisor <component> <home>`:
 * under bash (which alone knows `ulimit -u`) a small soft process limit at its start keeps its table of finished
 * jobs' statuses small (+512 KiB of RSS at 32768); main.sh puts the original limit back before it forks anything.
 */
const LOW_PROCESS_LIMIT = 'n=$(ulimit -S -u 2>/dev/null) && ulimit -S -u 64 2>/dev/null && STIGMER_NPROC=$n && export STIGMER_NPROC; exec "$0" -s "$@"';
/** How long the launcher may take to write the PID file: a shell start and two small writes, milliseconds in practice. */
const PID_FILE_WAIT_MS = 5000;
/** Poll step while waiting for that file. */
const PID_FILE_POLL_MS = 3;
/**
 * The exit code of the shell the engine spawned when a fork of it took over as the supervisor (bash: main.sh,
 * docs/supervision.md); the fork's pid comes from the PID file, which names the spawned shell as its spawnPid.
 */
const HANDED_OVER = 64;
/** After the component's death, how long to wait for its supervisor's record of the exit code. */
const EXIT_RECORD_WAIT_MS = 200;

/** The shell that runs supervisors: STIGMER_SUPERVISOR_SHELL if set (tests run dash and bash in POSIX mode), else the first executable of `candidates`. */
export function supervisorShell(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = SUPERVISOR_SHELLS): string {
	const chosen = env['STIGMER_SUPERVISOR_SHELL'] || candidates.find((file) => isExecutableFile(file));
	return chosen ?? '/bin/sh';
}

/** Spawn a component under its supervisor, with the home's marker in both environments; resolves once its PID file is written. */
export async function spawnComponent(home: Home, spec: ComponentSpec): Promise<Spawned> {
	ensurePrivateDir(home.logs);
	for (const dir of spec.ensureDirs) {
		ensurePrivateDir(dir);
	}

	const env = runnableEnv(home, spec);
	clearStopping(home, spec.name);
	writeRecord(home, spec.name, freshRecord(spec.restart.maxRestarts, spec.restart.mode));
	const [out, err] = openLogs(home, spec.name);
	const spawnedAtMs = Date.now();
	try {
		const supervisor = await spawnSupervisor(home, spec, env, [out, err]);
		const {pid, supervisorPid} = await launched(home, spec.name, supervisor.pid, () => spawnedGaveUp(home, spec.name, supervisor.exit()));
		// The shell we spawned supervises, and its exit is an event; a fork it handed over to is watched in the process table.
		const forked = supervisorPid !== undefined && supervisorPid !== supervisor.pid;
		const gone = forked ? () => !processTable.isAlive(supervisorPid) : () => supervisor.exit() !== undefined;
		const hasExited = (): Exit | undefined => {
			if (!gone() && processTable.isAlive(pid)) {
				return undefined;
			}

			return recordedExit(home, spec.name, spawnedAtMs, gone);
		};
		// A fork's exit is no event here: readiness polls hasExited at its probe's interval instead.
		const exited = forked ? undefined : supervisor.exited.then(() => recordedExit(home, spec.name, spawnedAtMs, () => true));
		return {pid, supervisorPid: forked ? supervisorPid : supervisor.pid, startedAtMs: processTable.info(pid)?.startedAtMs ?? Date.now(), exited, hasExited};
	} finally {
		fs.closeSync(out);
		fs.closeSync(err);
	}
}

/** The component's environment (the home's marker in it), once its cwd and argv[0] are known to be usable; else the error saying which. */
function runnableEnv(home: Home, spec: ComponentSpec): NodeJS.ProcessEnv {
	const cwd = cwdProblem(spec, home.config);
	if (cwd !== undefined) {
		throw new ConfigError(cwd);
	}

	// Config refuses an empty command.
	const file = itemAt(spec.command, 0);
	const env: NodeJS.ProcessEnv = {...process.env, ...componentEnv(spec), [MARKER.home]: home.root, [MARKER.component]: spec.name};
	if (!runnable(file, env['PATH'] ?? '', spec.cwd ?? home.root)) {
		throw new StigmerError(SPAWN_WORDS.noCommand(spec.name, file));
	}

	return env;
}

/** The component's .log and .err, opened for appending (both or neither): the supervisor's stdout and stderr. */
function openLogs(home: Home, component: string): [number, number] {
	const out = openPrivate(home.logFile(component, 'stdout'), 'append');
	try {
		return [out, openPrivate(home.logFile(component, 'stderr'), 'append')];
	} catch (error: unknown) {
		fs.closeSync(out);
		throw error;
	}
}

/** A supervisor as spawnComponent watches it: its pid, its exit once it has one, and a promise of that exit. */
type SupervisorProcess = {pid: number; exit: () => Exit | undefined; exited: Promise<void>};

/** Start the component's supervisor, detached, fed its loop, settings and functions (supervisor-script.ts); resolves once it runs. */
async function spawnSupervisor(home: Home, spec: ComponentSpec, env: NodeJS.ProcessEnv, [out, err]: [number, number]): Promise<SupervisorProcess> {
	const shell = supervisorShell();
	// Its argv is all that ps shows of it: one short line naming it, its component and home (docs/supervision.md).
	const supervisor = spawn(shell, ['-c', LOW_PROCESS_LIMIT, shell, SUPERVISOR_TAG, spec.name, home.root], {
		detached: true,
		// Its loop on stdin, its settings on fd 3, its functions (kept as text, see supervisor-script.ts) on fd 4.
		stdio: ['pipe', out, err, 'pipe', 'pipe'],
		cwd: spec.cwd ?? home.root,
		// LC_ALL=C: it never needs a locale, and bash would map one (~200 KiB of RSS); see supervisorSettings.
		env: {...env, [MARKER.supervisor]: SUPERVISOR_VALUE, LC_ALL: 'C'},
	});
	for (const [stream, text] of [[supervisor.stdin, SUPERVISOR_MAIN], [supervisor.stdio[3], supervisorSettings(home, spec, env)], [supervisor.stdio[4], SUPERVISOR_FUNCTIONS]] as const) {
		const writable = stream as Writable;
		writable.on('error', () => undefined); // A shell that died early: its exit says the rest.
		writable.end(text);
	}

	let exit: Exit | undefined;
	const exited = new Promise<void>((resolve) => {
		supervisor.once('exit', (code, signal) => {
			exit = {code, signal};
			resolve();
		});
	});
	const pid = await new Promise<number>((resolve, reject) => {
		supervisor.once('error', (error: NodeJS.ErrnoException) => {
			reject(new StigmerError(SPAWN_WORDS.noShell(spec.name, shell, error.message)));
		});
		supervisor.once('spawn', () => {
			// Node sets the pid before 'spawn'.
			resolve(supervisor.pid ?? 0);
		});
	});
	supervisor.unref();
	return {pid, exit: () => exit, exited};
}

/** The supervisor's settings (fd 3): the PID file's fixed fields, stop and restart policy, and the component's argv. */
function supervisorSettings(home: Home, spec: ComponentSpec, env: NodeJS.ProcessEnv): string {
	const {restart} = spec;
	// The PID file's fixed fields, as JSON text, so the shell never escapes anything itself.
	const pidJson = JSON.stringify({bootId: processTable.bootId(), component: spec.name, home: home.root, argv: spec.command, version: packageVersion()}).slice(1, -1);
	// The supervisor runs with LC_ALL=C; its launcher gives the component back its own LC_ALL (`=value`, or empty for none).
	const lcAll = env['LC_ALL'] === undefined ? '' : `=${env['LC_ALL']}`;
	return settingsText({
		pidJson, stopSignal: spec.stopSignal.replace(/^SIG/, ''), stopMs: spec.stopTimeoutMs, policy: restart.mode,
		maxRestarts: restart.maxRestarts, delayMs: restart.delayMs, minUptimeMs: restart.minUptimeMs, readyMs: spec.readyTimeoutMs,
		lcAll, cliPid: process.pid, cliStartTime: processTable.info(process.pid)?.startTime ?? '', argv: spec.command,
	});
}

/**
 * Whether the spawned shell is gone without a PID file to come: it exited, and not by handing over to a fork (which
 * writes one), unless that fork gave up on the launch already (its record says `failed`).
 */
function spawnedGaveUp(home: Home, component: string, exit: Exit | undefined): boolean {
	return exit !== undefined && (exit.code !== HANDED_OVER || readRecord(home, component)?.state === 'failed');
}

/** Whether argv[0] names something that can run: a path to an executable file, or a command on PATH. */
function runnable(file: string, envPath: string, cwd: string): boolean {
	if (file.includes('/')) {
		return isExecutableFile(path.resolve(cwd, file));
	}

	return which(file, envPath) !== undefined;
}

/** Wait until the launcher's PID file names the supervisor we spawned (or the fork it handed over to); its record. */
async function launched(home: Home, component: string, spawnPid: number, supervisorGone: () => boolean): Promise<PidRecord> {
	const deadline = Date.now() + PID_FILE_WAIT_MS;
	for (;;) {
		const content = readPidFile(home.pidFile(component));
		if (content?.kind === 'record' && (content.record.supervisorPid === spawnPid || (content.record.spawnPid === spawnPid && isRecordedFork(content.record)))) {
			return content.record;
		}

		const gone = supervisorGone();
		if (gone || Date.now() >= deadline) {
			throw new StigmerError(gone ? SPAWN_WORDS.supervisorGone(component, home.logFile(component, 'stderr')) : SPAWN_WORDS.noPidFile(component, PID_FILE_WAIT_MS, home.data));
		}

		await new Promise((resolve) => {
			setTimeout(resolve, PID_FILE_POLL_MS);
		});
	}
}

/** The fork a PID file names as its supervisor is that very process (its start time), or already gone: never a stranger start would signal. */
function isRecordedFork(record: PidRecord): boolean {
	const info = record.supervisorPid === undefined ? undefined : processTable.info(record.supervisorPid);
	return info === undefined || info.startTime === record.supervisorStartTime;
}

/** The exit the supervisor recorded after spawnedAtMs; waits briefly for it, since it writes right after reaping. */
function recordedExit(home: Home, component: string, spawnedAtMs: number, supervisorGone: () => boolean): Exit {
	const deadline = Date.now() + EXIT_RECORD_WAIT_MS;
	const pause = new Int32Array(new SharedArrayBuffer(4));
	for (;;) {
		const exit = readRecord(home, component)?.lastExit;
		if (exit && exit.atMs >= spawnedAtMs - 1000) {
			return {code: exit.code, signal: exit.signal as NodeJS.Signals | null};
		}

		if (supervisorGone() || Date.now() >= deadline) {
			return {code: null, signal: null};
		}

		Atomics.wait(pause, 0, 0, 5);
	}
}
