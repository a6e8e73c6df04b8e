// Temp homes for black-box lifecycle tests: a config, the built CLI bound to the home, its processes,
// processes marked as its own or as strangers, and a cleanup that ends everything the test started.
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {stringify} from 'yaml';
import {itemAt} from '../../source/item-at.js';
import {cleanEnv, type CliResult, fixture, runCli, show} from './cli.js';
import {parseStarted, type Started} from './output.js';
import {freePort} from './ports.js';
import {groupMembers, homeProcesses, isAlive, processesByComponent, procStat} from './proc.js';
import {POLL_MS} from './wait.js';

/** How long cleanup waits for SIGKILLed processes to be gone before giving up quietly. */
const CLEANUP_WAIT_MS = 5000;

export type ComponentConfig = Record<string, unknown> | null;

export type HomeOptions = {
	/** Merged over the defaults per component (`null` removes a default entry). */
	components?: Record<string, ComponentConfig>;
	/** Keep only these user components plus disabled built-ins: no built-in stack at all. */
	builtins?: boolean;
};

/** A home whose only component is the sleeper fixture (no built-in stack). */
export const SLEEPER_ONLY: HomeOptions = {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}};

export type TestHome = {
	/** Absolute, symlinks resolved, as the engine sees it. */
	dir: string;
	/** stigmer-server's port in this home. */
	port: number;
	configFile: string;
	dataDir: string;
	pidFile: (component: string) => string;
	logFile: (component: string, stream?: 'stdout' | 'stderr') => string;
	/** Replace config.yaml with this YAML text. */
	writeConfigText: (text: string) => void;
	/** Replace config.yaml with the default test config plus these components. */
	writeConfig: (options?: HomeOptions) => void;
	cli: (args: string[], options?: {env?: Record<string, string>; timeoutMs?: number}) => Promise<CliResult>;
	/** `server start [components]`, which must exit 0 (else the assertion shows its output and the logs); its ✓ lines by component. */
	start: (components?: string[], options?: {env?: Record<string, string>}) => Promise<{result: CliResult; started: Started}>;
	/** The home's marked processes, by component. */
	processes: () => Record<string, number[]>;
	/** Kill at cleanup too (processes the test started itself). */
	track: (pid: number) => void;
	/** Every log file's last lines, for assertion messages. */
	logs: () => string;
	cleanup: () => Promise<void>;
};

/**
 * A fresh temp STIGMER_HOME with config.yaml: temporal off (tests never depend on a temporal
 * binary), stigmer-server on a free port of its own. Cleaned up after the test `t`.
 */
export async function makeHome(t: TestContext | undefined, options: HomeOptions = {}): Promise<TestHome> {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-test-')));
	const port = await freePort();
	/** pid → start time when tracked: a pid reused since is not ours any more, and is never killed. */
	const tracked = new Map<number, string | undefined>();
	const configFile = path.join(dir, 'config.yaml');
	const home: TestHome = {
		dir,
		port,
		configFile,
		dataDir: path.join(dir, 'data'),
		pidFile: (component) => path.join(dir, 'data', `${component}.pid`),
		logFile: (component, stream = 'stdout') => path.join(dir, 'data', 'logs', `${component}.${stream === 'stdout' ? 'log' : 'err'}`),
		writeConfigText(text) {
			fs.writeFileSync(configFile, text, {mode: 0o600});
		},
		writeConfig(o = {}) {
			home.writeConfigText(testConfig(port, o));
		},
		cli: async (args, o) => runCli(dir, args, o),
		async start(components = [], o) {
			const result = await runCli(dir, ['server', 'start', ...components], o);
			if (result.code !== 0) {
				assert.fail(`server start ${components.join(' ')} exited ${result.code}, not 0:\n${show(result)}${logTails(dir)}`);
			}

			return {result, started: parseStarted(result.stdout)};
		},
		processes: () => processesByComponent(dir),
		track(pid) {
			tracked.set(pid, procStat(pid)?.startTime);
		},
		logs: () => logTails(dir),
		cleanup: async () => cleanupHome(dir, tracked),
	};
	home.writeConfig(options);
	t?.after(async () => home.cleanup());
	return home;
}

/** The YAML of a test home's config. */
export function testConfig(port: number, options: HomeOptions = {}): string {
	const components: Record<string, ComponentConfig> = {
		temporal: {enabled: false},
		'stigmer-server': options.builtins === false ? {enabled: false, port} : {port},
		...(options.builtins === false ? {'workflow-runner': {enabled: false}, 'agent-runner': {enabled: false}} : {}),
	};
	for (const [name, value] of Object.entries(options.components ?? {})) {
		if (value === null) {
			delete components[name];
		} else {
			components[name] = {...(components[name] ?? {}), ...value};
		}
	}

	return stringify({version: 1, components});
}

/** Last lines of every log file of a home. */
export function logTails(home: string, lines = 15): string {
	const dir = path.join(home, 'data', 'logs');
	let files: string[];
	try {
		files = fs.readdirSync(dir).sort();
	} catch {
		return '(no logs)';
	}

	return files
		.map((f) => {
			let text: string;
			try {
				text = fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
			} catch (error: unknown) {
				text = `(unreadable: ${(error as Error).message})`;
			}

			return `--- ${f}\n${text}`;
		})
		.join('\n');
}

/** Start a process carrying this home's marker (as an orphan of a crashed CLI would), detached. */
export function spawnMarked(home: TestHome, component: string, argv: string[], env: Record<string, string> = {}): ChildProcess {
	const child = spawn(itemAt(argv, 0), argv.slice(1), {
		detached: true,
		stdio: 'ignore',
		cwd: os.tmpdir(),
		env: cleanEnv({STIGMER_HOME: home.dir, STIGMER_COMPONENT: component, ...env}),
	});
	home.track(child.pid!);
	child.unref();
	return child;
}

/** Start a process without any marker (a stranger to stigmer), detached. */
export function spawnStranger(home: TestHome, argv: string[]): ChildProcess {
	const child = spawn(itemAt(argv, 0), argv.slice(1), {detached: true, stdio: 'ignore', cwd: os.tmpdir(), env: cleanEnv()});
	home.track(child.pid!);
	child.unref();
	return child;
}

/** The JSON PID file of a component, or undefined when absent or not JSON. */
export function readPidFile(file: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/**
 * Stop the stack through the CLI, then SIGKILL whatever of THIS home is left: marked processes
 * (by pid), groups whose leader a PID file proves (start time matches), and the test's own
 * tracked processes. Then remove the home.
 */
async function cleanupHome(home: string, tracked: Map<number, string | undefined>): Promise<void> {
	try {
		await runCli(home, ['server', 'stop'], {timeoutMs: 30_000});
	} catch {}

	const victims = new Set<number>();
	for (const [pid, startTime] of tracked) {
		if (startTime !== undefined && procStat(pid)?.startTime === startTime) {
			victims.add(pid);
		}
	}

	for (const p of homeProcesses(home)) {
		victims.add(p.pid);
	}

	const groups = new Set<number>();
	let pidFiles: string[] = [];
	try {
		pidFiles = fs.readdirSync(path.join(home, 'data')).filter((f) => f.endsWith('.pid'));
	} catch {}

	for (const f of pidFiles) {
		const record = readPidFile(path.join(home, 'data', f));
		// The component's group and its supervisor's, each when its leader's start time proves it.
		for (const [pidKey, startKey] of [['pid', 'startTime'], ['supervisorPid', 'supervisorStartTime']] as const) {
			const pid = Number(record?.[pidKey]);
			const stat = Number.isInteger(pid) && pid > 1 ? procStat(pid) : undefined;
			if (stat && String(record?.[startKey]) === stat.startTime && stat.pgid === pid) {
				groups.add(pid);
			}
		}
	}

	for (const pgid of groups) {
		for (const pid of groupMembers(pgid)) {
			victims.add(pid);
		}
	}

	victims.delete(process.pid);
	victims.delete(1);
	for (const pid of victims) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}

	const deadline = Date.now() + CLEANUP_WAIT_MS;
	while ([...victims].some((pid) => isAlive(pid)) && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, POLL_MS));
	}

	fs.rmSync(home, {recursive: true, force: true});
}
