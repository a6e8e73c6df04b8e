// Test-side tools for black-box lifecycle tests: temp homes, free ports, the built CLI, bounded
// waits, and a process-table view of a home read straight from /proc (independent of the engine).
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {fileURLToPath} from 'node:url';
import {stringify} from 'yaml';
import {itemAt} from '../source/item-at.js';

/** The repository root (this file runs from dist/test/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built binary under test. */
export const CLI = path.join(ROOT, 'dist', 'bin', 'cli.js');
/** Tiny real programs used as user components. */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** A CLI call longer than this is hung (the slowest legitimate one waits out a few seconds of stop_timeout). */
const CLI_TIMEOUT_MS = 60_000;
/** Poll period of waitFor: short enough to measure sub-second behaviour, long enough to stay cheap. */
const POLL_MS = 25;
/** How long cleanup waits for SIGKILLed processes to be gone before giving up quietly. */
const CLEANUP_WAIT_MS = 5000;

/** argv for a fixture run by the same node as the tests. */
export function fixture(name: string, ...args: string[]): string[] {
	return [process.execPath, path.join(FIXTURES, name), ...args];
}

/** A TCP port free right now on 127.0.0.1 (bind 0, read, close). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

/** Wait until `condition` returns a truthy value (returned), polling every pollMs; throws naming `what` after timeoutMs. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 10_000, pollMs = POLL_MS): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await condition();
			if (value) {
				return value as NonNullable<T>;
			}

			last = value;
		} catch (error: unknown) {
			last = error;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
		}

		await new Promise((r) => setTimeout(r, pollMs));
	}
}

/** What a screen or frame must show: text it contains, a pattern it matches, or a test it passes. */
export type Expected = string | RegExp | ((text: string) => boolean);

/** `expected` as a test of a text. */
export function holds(expected: Expected): (text: string) => boolean {
	if (typeof expected === 'string') {
		return (text) => text.includes(expected);
	}

	return expected instanceof RegExp ? (text) => expected.test(text) : expected;
}

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number};

/** Environment for processes the tests start: no stray STIGMER_* from the caller (but STIGMER_SUPERVISOR_SHELL, to run suites under another shell), no colour. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if ((!key.startsWith('STIGMER_') || key === 'STIGMER_SUPERVISOR_SHELL') && key !== 'NODE_TEST_CONTEXT' && key !== 'FORCE_COLOR') {
			env[key] = value;
		}
	}

	return {...env, NO_COLOR: '1', ...extra};
}

/** Start the built CLI in a home without waiting (for tests that kill it mid-way). */
export function spawnCli(home: string, args: string[], env: Record<string, string> = {}): ChildProcess {
	return spawn(process.execPath, [CLI, ...args], {cwd: os.tmpdir(), env: cleanEnv({STIGMER_HOME: home, ...env}), stdio: ['ignore', 'pipe', 'pipe']});
}

/** Run the built CLI (`node dist/bin/cli.js ...args`: the bundle that ships) with STIGMER_HOME=home; throws if it hangs. */
export async function runCli(home: string, args: string[], options: {env?: Record<string, string>; timeoutMs?: number} = {}): Promise<CliResult> {
	const result = await collect(spawnCli(home, args, options.env), `stigmer ${args.join(' ')}`, options.timeoutMs ?? CLI_TIMEOUT_MS);
	return {...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr)};
}

/** Wait for a started child (stdout and stderr piped) to end and collect its output; SIGKILLs it and throws after timeoutMs. */
export async function collect(child: ChildProcess, what: string, timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
	const began = performance.now();
	const output = live(child);
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`${what} did not finish within ${timeoutMs}ms\nstdout:\n${output.stdout()}\nstderr:\n${output.stderr()}`));
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout: output.stdout(), stderr: output.stderr(), ms: performance.now() - began});
		});
	});
}

/** A spawned CLI's stdout and stderr so far, as they arrive (read them while it still runs). */
export function live(child: ChildProcess): {stdout: () => string; stderr: () => string} {
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	return {stdout: () => stdout, stderr: () => stderr};
}

/** Remove terminal colour codes, in case colour slips through NO_COLOR. */
export function stripAnsi(text: string): string {
	return text.replaceAll(/\u001B\[[0-9;]*m/g, '');
}

/** Control characters a terminal would act on (but tab and newline), once SGR colour codes are taken out, as `U+001b`…: none in safe output. */
export function unsafeLeft(output: string): string[] {
	const found = output.replaceAll(/\u001B\[[\d;]*m/g, '').match(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g) ?? [];
	return [...new Set(found)].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line summary of a CLI result, for assertion messages. */
export function show(result: CliResult): string {
	return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}

// ---- the process table, read from /proc by the tests themselves ----

type Stat = {state: string; ppid: number; pgid: number; startTime: string};

/** /proc/<pid>/stat fields we need, or undefined when the process is gone. */
export function procStat(pid: number): Stat | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return {state: itemAt(fields, 0), ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: itemAt(fields, 19)};
	} catch {
		return undefined;
	}
}

/** Alive and not a zombie (SPEC 4.1, checked independently of the engine). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
			return false;
		}
	}

	const stat = procStat(pid);
	return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** This boot's id, as the engine records it. */
export function bootId(): string {
	return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** A marked process; `supervisor` when it is a component's supervisor (STIGMER_SUPERVISOR=1, SPEC 4.8). */
export type HomeProc = {pid: number; component: string; pgid: number; supervisor: boolean};

function allPids(): number[] {
	return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Live processes whose environment carries STIGMER_HOME=home and a STIGMER_COMPONENT (the marker, SPEC 4.3). */
export function homeProcesses(home: string): HomeProc[] {
	const found: HomeProc[] = [];
	for (const pid of allPids()) {
		let environ: string;
		try {
			environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
		} catch {
			continue;
		}

		const vars = environ.split('\0');
		const component = vars.find((v) => v.startsWith('STIGMER_COMPONENT='))?.slice('STIGMER_COMPONENT='.length);
		const stat = procStat(pid);
		if (component && vars.includes(`STIGMER_HOME=${home}`) && stat && stat.state !== 'Z') {
			found.push({pid, component, pgid: stat.pgid, supervisor: vars.includes('STIGMER_SUPERVISOR=1')});
		}
	}

	return found;
}

/** Pids per component from homeProcesses (the components' own processes, or with `supervisors` their supervisors), each list sorted. */
export function processesByComponent(home: string, which: 'components' | 'supervisors' = 'components'): Record<string, number[]> {
	const by: Record<string, number[]> = {};
	for (const p of homeProcesses(home).filter((p) => p.supervisor === (which === 'supervisors'))) {
		(by[p.component] ??= []).push(p.pid);
	}

	for (const list of Object.values(by)) {
		list.sort((a, b) => a - b);
	}

	return by;
}

/** Live pids in process group pgid. */
export function groupMembers(pgid: number): number[] {
	return allPids().filter((pid) => {
		const stat = procStat(pid);
		return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
	});
}

// ---- parsing what the CLI prints (SPEC 4.3–4.5) ----

/** What `server start` printed as ready, by component. */
export type Started = Map<string, {pid: number; ready: string; address: string | null}>;

/** `✓ name  pid N  ready in 180ms[  http://127.0.0.1:7234]` lines of `server start`, by component. */
export function parseStarted(stdout: string): Started {
	const started: Started = new Map();
	for (const m of stdout.matchAll(/^✓ (\S+)\s+pid (\d+)\s+ready in (\d+(?:\.\d+)?m?s)(?: {2}(\S+))?\s*$/gm)) {
		started.set(itemAt(m, 1), {pid: Number(m[2]), ready: itemAt(m, 3), address: m[4] ?? null});
	}

	return started;
}

/** `cleaned up 7 orphaned workflow-runner processes (pids 1, 2, …)` lines, by component. */
export function parseCleaned(stdout: string): Map<string, {count: number; pids: number[]; elided: boolean}> {
	const cleaned = new Map<string, {count: number; pids: number[]; elided: boolean}>();
	for (const m of stdout.matchAll(/^cleaned up (\d+) orphaned (\S+) process(?:es)? \(pids? ([^)]*)\)\s*$/gm)) {
		const list = itemAt(m, 3);
		const pids = [...list.matchAll(/\d+/g)].map((d) => Number(d[0]));
		cleaned.set(itemAt(m, 2), {count: Number(m[1]), pids: pids.sort((a, b) => a - b), elided: list.includes('…')});
	}

	return cleaned;
}

/** `name stopped in 120ms` / `name killed after 5s (SIGKILL)` lines of `server stop`, by component. */
export function parseStopped(stdout: string): Map<string, {how: 'stopped' | 'killed'; after: string}> {
	const stopped = new Map<string, {how: 'stopped' | 'killed'; after: string}>();
	for (const m of stdout.matchAll(/^(\S+) (?:stopped in (\S+)|killed after (\S+) \(SIGKILL\))\s*$/gm)) {
		stopped.set(itemAt(m, 1), m[2] ? {how: 'stopped', after: m[2]} : {how: 'killed', after: itemAt(m, 3)});
	}

	return stopped;
}

/** A duration as printed (`180ms`, `1.2s`, `5s`) in milliseconds. */
export function printedMs(text: string): number {
	const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
	if (!m) {
		throw new Error(`not a printed duration: ${JSON.stringify(text)}`);
	}

	return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

// ---- temp homes ----

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

// ---- status --json (SPEC 4.6) ----

export type StatusComponent = {
	name: string;
	enabled: boolean;
	state: string;
	reason: string | null;
	pid: number | null;
	pgid: number | null;
	ready: boolean;
	port: number | null;
	address: string | null;
	orphans: Array<{pid: number; startedAt: string}>;
	logs: {stdout: string; stderr: string};
	restarts: number;
	lastExit: {code: number | null; signal: string | null; at: string; uptimeMs: number} | null;
	nextRestartAt: string | null;
	supervisorPid: number | null;
};
export type StatusJson = {home: string; healthy: boolean; components: StatusComponent[]};

/** `server status --json`: the exit code, the parsed report, and its components by name. */
export async function statusJson(home: TestHome): Promise<{result: CliResult; report: StatusJson; byName: Map<string, StatusComponent>}> {
	const result = await home.cli(['server', 'status', '--json']);
	let report: StatusJson;
	try {
		report = JSON.parse(result.stdout) as StatusJson;
	} catch {
		throw new Error(`server status --json printed no JSON document:\n${show(result)}`);
	}

	return {result, report, byName: new Map(report.components.map((c) => [c.name, c]))};
}

/** `list[index]`, or a thrown RangeError where a test's index must be in range: the source's own checked index. */
export {itemAt};

/** First executable `name` on PATH, or undefined: the engine's own lookup. */
export {which} from '../source/executable.js';

const logsHomes: string[] = [];
/** A temp home with data/logs/ holding `files` (name → content), removed when the test file's process exits: for tests of the log readers alone. */
export function logsHome(prefix: string, files: Record<string, string | Buffer> = {}): {home: string; logs: string} {
	if (logsHomes.length === 0) {
		// At exit, not in an `after` hook: called inside a test, `after` would belong to that test and miss later homes.
		process.once('exit', () => {
			for (const home of logsHomes) {
				fs.rmSync(home, {recursive: true, force: true});
			}
		});
	}

	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	logsHomes.push(home);
	const logs = path.join(home, 'data', 'logs');
	fs.mkdirSync(logs, {recursive: true});
	for (const [name, content] of Object.entries(files)) {
		fs.writeFileSync(path.join(logs, name), content);
	}

	return {home, logs};
}

/** Three components' logs in their own formats, with traces and equal times: test/fixtures/logs/merge. */
export const MERGE_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'logs', 'merge');

/** A logsHome holding a copy of the merge fixtures. */
export function mergeFixturesHome(prefix: string): string {
	return logsHome(prefix, Object.fromEntries(fs.readdirSync(MERGE_FIXTURES).map((name) => [name, fs.readFileSync(path.join(MERGE_FIXTURES, name))]))).home;
}

/** A local Redis answers PING in well under a millisecond; this long without a reply is no answer. */
const REDIS_PING_TIMEOUT_MS = 3000;

/** One PING to a Redis on 127.0.0.1:port over a raw socket: its reply line; rejects when nothing answers. */
export async function redisPing(port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(REDIS_PING_TIMEOUT_MS, () => {
			socket.destroy(new Error(`redis did not answer within ${REDIS_PING_TIMEOUT_MS}ms`));
		});
		socket.on('error', reject);
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => {
			resolve(data.toString().trim());
			socket.end();
		});
	});
}
