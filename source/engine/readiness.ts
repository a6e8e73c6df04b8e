// Readiness probes (SPEC 3): http 200, tcp accepts, a log line matches, a command exits 0, or alive for a while.
// Readiness is proof: a probe counts only while the component lives, and a port only when our process holds it.
import fs from 'node:fs';
import net from 'node:net';
import {StringDecoder} from 'node:string_decoder';
import type {ComponentSpec, ReadyProbe} from '../config/index.js';
import {componentEnv} from '../config/env-file.js';
import {formatDuration} from '../units.js';
import {processTable, signalGroup} from '../os/index.js';
import type {Home} from '../paths.js';
import {readRange} from '../read-range.js';
import {foreignHolder, probePort, type PortClaim} from './ports.js';
import type {Exit} from './spawn.js';

/** Between probe attempts: readiness latency is what `start` costs the user. */
const PROBE_INTERVAL_MS = 20;
/** Between tries of an `exec` probe: each try is a whole process, so not every 20 ms. */
const EXEC_INTERVAL_MS = 100;
/** One attempt's own limit, so a hung port cannot eat the whole ready_timeout in one go. */
const ATTEMPT_TIMEOUT_MS = 500;
/** SPEC 3: one try of an `exec` probe; past it the probe process is ended and the try fails. */
const EXEC_TRY_TIMEOUT_MS = 5000;
/** The shortest an `exec` try is given, even when ready_timeout is nearly spent: a last chance, not a sure failure. */
const EXEC_MIN_TRY_MS = 100;
/** How long to wait for the exit status of a process the table already shows dead (reaping takes a moment). */
const EXIT_STATUS_WAIT_MS = 500;
/** SPEC 3: with no `ready`, a component is ready once it has stayed alive this long. */
export const DEFAULT_ALIVE_MS = 1000;
/** The probe of a component without `ready` (SPEC 3: `after: 1s`). */
export const DEFAULT_PROBE: ReadyProbe = {kind: 'after', ms: DEFAULT_ALIVE_MS};
/** A log probe reads this much per read call… */
const LOG_CHUNK_BYTES = 64 * 1024;
/** …and at most this much per attempt, so one attempt over a huge backlog still yields to the event loop. */
const LOG_BYTES_PER_ATTEMPT = 16 * 1024 * 1024;
/** Longest unfinished line a log probe keeps between reads: memory stays bounded whatever a component prints. */
const LOG_CARRY_MAX = 64 * 1024;
/** Most of an http answer read to find its `pid` (the built-in server's /healthz is ~40 bytes). */
const HTTP_BODY_MAX = 64 * 1024;

export type Readiness = {ok: true; ms: number} | {ok: false; reason: string};

/** What readiness watches: the component's own pid, and its exit once known (liveness is also read from the process table). */
export type Watched = {pid: number; hasExited: () => Exit | undefined; exited?: Promise<unknown>};

/** What a probe needs to know of the component. */
export type ProbeContext = {
	home: Home;
	component: string;
	/** When the component was spawned (epoch ms), for `after`. */
	sinceMs: number;
	/** Sizes of .log and .err at spawn: a `log` probe reads only this run's lines. */
	offsets?: [number, number];
	/** The component's pid, for the built-in probes' pid proof; without it the proof is skipped (status). */
	pid?: number;
	/** For `exec`: the component's environment additions and working directory. */
	env?: Record<string, string>;
	cwd?: string;
};

/** One attempt: ready, not yet, or a definite failure that no later attempt can mend. */
type Attempt = {ready: boolean; fail?: string};

/** One attempt of a probe (no state kept between calls: `log` reads from the offsets each time). */
export async function probeOnce(probe: ReadyProbe, context: ProbeContext): Promise<boolean> {
	return (await prober(probe, context)()).ready;
}

/** A probe as a function of attempts, keeping what it needs between them (a `log` probe's read positions). */
function prober(probe: ReadyProbe, context: ProbeContext): (budgetMs?: number) => Promise<Attempt> {
	switch (probe.kind) {
		case 'http': {
			return async () => ({ready: await httpOk(probe.url, probe.pidProof, context.pid)});
		}

		case 'tcp': {
			return async () => ({ready: await tcpAccepts(probe.host, probe.port)});
		}

		case 'log': {
			const follow = logFollower(probe.pattern, context.home, context.component, context.offsets ?? [0, 0]);
			return async () => ({ready: follow()});
		}

		case 'exec': {
			return async (budgetMs) => execTry(probe.argv, context, budgetMs);
		}

		case 'after': {
			return async () => ({ready: Date.now() - context.sinceMs >= probe.ms});
		}
	}
}

/** Describe a probe for messages: "GET http://…/healthz is 200". */
export function describeProbe(probe: ReadyProbe | null): string {
	const p = probe ?? DEFAULT_PROBE;
	switch (p.kind) {
		case 'http': {
			return `GET ${p.url} is 200`;
		}

		case 'tcp': {
			return `TCP ${p.host}:${p.port} accepts`;
		}

		case 'log': {
			return `a log line matches /${p.pattern.source}/`;
		}

		case 'exec': {
			return `${p.argv.join(' ')} exits 0`;
		}

		case 'after': {
			return `alive for ${formatDuration(p.ms)}`;
		}
	}
}

/** What start is waiting for, short, for the live progress line: `tcp 6390`, `exec pg_isready -p 5433`. */
export function probeLabel(probe: ReadyProbe | null): string {
	const p = probe ?? DEFAULT_PROBE;
	switch (p.kind) {
		case 'http': {
			return `http ${p.url}`;
		}

		case 'tcp': {
			return `tcp ${p.port}`;
		}

		case 'log': {
			return `log /${p.pattern.source}/`;
		}

		case 'exec': {
			return `exec ${p.argv.join(' ')}`;
		}

		case 'after': {
			return `${formatDuration(p.ms)} of uptime`;
		}
	}
}

/** GET url is 200 (and, with a pid proof, the answer is that pid's). */
async function httpOk(url: string, proof: 'body' | 'query' | undefined, pid: number | undefined): Promise<boolean> {
	const target = new URL(url);
	if (proof === 'query' && pid !== undefined) {
		target.searchParams.set('pid', String(pid));
	}

	if (target.protocol === 'https:') {
		const https = await import('node:https'); // TLS costs ~30 ms to load: only when asked.
		return new Promise((resolve) => {
			const request = https.get(target, {timeout: ATTEMPT_TIMEOUT_MS}, (response) => {
				response.resume();
				resolve(response.statusCode === 200);
			});
			request.once('timeout', () => request.destroy());
			request.once('error', () => {
				resolve(false);
			});
		});
	}

	return plainHttpOk(target, proof === 'body' ? pid : undefined);
}

// Hand-written: node:http's first request costs 15-30 ms of lazy set-up, a fifth of `status`'s whole budget;
// a probe needs only the status line of one HTTP/1.1 response (and, to prove a pid, its small body).
async function plainHttpOk(target: URL, bodyPid: number | undefined): Promise<boolean> {
	let head = '';
	return overTcp(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80), (socket, done) => {
		socket.once('connect', () => {
			socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\nUser-Agent: stigmer-probe\r\n\r\n`);
		});
		socket.on('data', (chunk: Buffer) => {
			head += chunk.toString('latin1');
			const end = head.indexOf('\r\n');
			if (bodyPid === undefined && (end !== -1 || head.length > 1024)) {
				done(/^HTTP\/1\.[01] 200 /.test(head.slice(0, end === -1 ? undefined : end + 1)));
			} else if (head.length > HTTP_BODY_MAX) {
				done(false);
			}
		});
		socket.once('end', () => {
			done(bodyPid !== undefined && /^HTTP\/1\.[01] 200 /.test(head) && answeredBy(head, bodyPid));
		});
	});
}

/** Whether an HTTP response's JSON body says `"pid": pid`. */
function answeredBy(response: string, pid: number): boolean {
	try {
		const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as {pid?: unknown};
		return body.pid === pid;
	} catch {
		return false;
	}
}

async function tcpAccepts(host: string, port: number): Promise<boolean> {
	return overTcp(host, port, (socket, done) => {
		socket.once('connect', () => {
			done(true);
		});
	});
}

/** Connect and let `talk` decide; an error or ATTEMPT_TIMEOUT_MS of silence answers false. */
async function overTcp(host: string, port: number, talk: (socket: net.Socket, done: (ok: boolean) => void) => void): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({host, port});
		let settled = false;
		const done = (ok: boolean) => {
			if (!settled) {
				settled = true;
				socket.destroy();
				resolve(ok);
			}
		};

		socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => {
			done(false);
		});
		socket.once('error', () => {
			done(false);
		});
		talk(socket, done);
	});
}

type LogStream = {file: string; position: number; carry: string; decoder: StringDecoder};

/**
 * Follow a component's .log and .err from the offsets as they grow, however large: each attempt reads on from
 * where the last stopped, keeping only an unfinished last line (bounded) in between.
 */
function logFollower(pattern: RegExp, home: Home, component: string, offsets: [number, number]): () => boolean {
	const streams: LogStream[] = (['stdout', 'stderr'] as const).map((stream, index) => ({
		file: home.logFile(component, stream),
		position: offsets[index] ?? 0,
		carry: '',
		decoder: new StringDecoder('utf8'),
	}));
	return () => streams.some((stream) => readOn(stream, pattern));
}

/** Read what was appended since the last call; true as soon as a line (or the unfinished last one) matches. */
function readOn(stream: LogStream, pattern: RegExp): boolean {
	let fd: number;
	try {
		fd = fs.openSync(stream.file, 'r');
	} catch {
		return false;
	}

	try {
		const size = fs.fstatSync(fd).size;
		if (size < stream.position) {
			// Truncated under us: read it again from the start.
			Object.assign(stream, {position: 0, carry: '', decoder: new StringDecoder('utf8')});
		}

		let budget = LOG_BYTES_PER_ATTEMPT;
		while (stream.position < size && budget > 0) {
			const chunk = readRange(fd, stream.position, Math.min(size, stream.position + LOG_CHUNK_BYTES));
			const n = chunk.length;
			if (n === 0) {
				break;
			}

			stream.position += n;
			budget -= n;
			const lines = (stream.carry + stream.decoder.write(chunk)).split('\n');
			stream.carry = lines.pop() ?? '';
			if (lines.some((line) => pattern.test(line)) || pattern.test(stream.carry)) {
				return true;
			}

			if (stream.carry.length > LOG_CARRY_MAX) {
				stream.carry = stream.carry.slice(-LOG_CARRY_MAX);
			}
		}

		return false;
	} catch {
		return false;
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * One try of an `exec` probe: argv without a shell, with the component's environment and cwd, bounded by
 * EXEC_TRY_TIMEOUT_MS and by what is left of ready_timeout (`budgetMs`). The probe is not the component, so it does not get STIGMER_COMPONENT: the marker
 * scan (SPEC 4.3) would take it for one of the component's processes.
 */
async function execTry(argv: string[], context: ProbeContext, budgetMs = EXEC_TRY_TIMEOUT_MS): Promise<Attempt> {
	const {execa} = await import('execa'); // Loaded only when a config uses `exec`.
	const {STIGMER_COMPONENT: _component, ...inherited} = process.env;
	const [file, ...args] = argv;
	if (file === undefined) {
		return {ready: false, fail: 'the exec probe names no program'}; // The schema asks for one; a spec built in code may not.
	}

	// Its own process group, ended after every try: a probe script's children never outlive the try.
	const subprocess = execa(file, args, {
		cwd: context.cwd ?? context.home.root,
		env: {...inherited, ...context.env, STIGMER_HOME: context.home.root},
		extendEnv: false,
		reject: false,
		detached: true,
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'ignore',
	});
	const endGroup = () => {
		if (subprocess.pid !== undefined) {
			signalGroup(subprocess.pid, 'SIGKILL');
		}
	};

	const timer = setTimeout(endGroup, Math.max(EXEC_MIN_TRY_MS, Math.min(EXEC_TRY_TIMEOUT_MS, budgetMs)));
	const result = await subprocess;
	clearTimeout(timer);
	endGroup();
	if (result.exitCode === 0) {
		return {ready: true};
	}

	if (result.code === 'ENOENT' || result.code === 'EACCES') {
		return {ready: false, fail: `its ready.exec command ${JSON.stringify(file)} cannot run (${result.code === 'ENOENT' ? 'no such file or command' : 'permission denied'}); fix components.${context.component}.ready`};
	}

	return {ready: false};
}

/** Current sizes of a component's .log and .err, so a `log` probe reads only this run's lines. */
export function logOffsets(home: Home, component: string): [number, number] {
	const size = (stream: 'stdout' | 'stderr') => {
		try {
			return fs.statSync(home.logFile(component, stream)).size;
		} catch {
			return 0;
		}
	};

	return [size('stdout'), size('stderr')];
}

/** Alive by the exit we saw and by the process table (SPEC 4.1: a zombie is dead). */
function alive(watched: Watched): boolean {
	return watched.hasExited() === undefined && processTable.isAlive(watched.pid);
}

/** Why a component that is no longer alive was not ready; waits (bounded) for its exit status, which the process table can show dead a moment before. */
async function exitReason(watched: Watched): Promise<string> {
	if (watched.hasExited() === undefined && watched.exited !== undefined) {
		await Promise.race([watched.exited, new Promise((resolve) => {
			setTimeout(resolve, EXIT_STATUS_WAIT_MS);
		})]);
	}

	const exit = watched.hasExited();
	if (exit === undefined) {
		return 'exited before it was ready';
	}

	return exit.signal ? `was killed by ${exit.signal} before it was ready` : `exited with code ${exit.code} before it was ready`;
}

/**
 * Poll the component's probe (DEFAULT_PROBE without `ready`) until ready, its exit, or ready_timeout. A passing probe
 * counts only if the component still lives, and a probe on a claimed port only if the process listening there is
 * the claim's owner of this home (the component itself, or the component whose port it asks).
 */
export async function waitReady(home: Home, spec: ComponentSpec, watched: Watched, options: {offsets: [number, number]; claims: PortClaim[]}): Promise<Readiness> {
	const started = Date.now();
	const deadline = started + spec.readyTimeoutMs;
	const probe = spec.ready ?? DEFAULT_PROBE;
	const attempt = prober(probe, {home, component: spec.name, sinceMs: started, offsets: options.offsets, pid: watched.pid, env: componentEnv(spec), cwd: spec.cwd ?? home.root});
	const port = probePort(probe);
	const claim = options.claims.find((c) => c.port === port);
	const interval = probe.kind === 'exec' ? EXEC_INTERVAL_MS : PROBE_INTERVAL_MS;
	for (;;) {
		if (!alive(watched)) {
			return {ok: false, reason: await exitReason(watched)};
		}

		const result = await attempt(deadline - Date.now());
		if (result.fail !== undefined) {
			return {ok: false, reason: result.fail};
		}

		if (result.ready) {
			if (!alive(watched)) {
				return {ok: false, reason: await exitReason(watched)};
			}

			const foreign = claim === undefined ? undefined : await foreignHolder(home, spec.name, [claim], watched.pid);
			if (foreign !== undefined) {
				return {ok: false, reason: `port ${foreign.port} answered, but it is held by ${foreign.holder}, not by ${foreign.owner === spec.name ? spec.name : `this home's ${foreign.owner}`}`};
			}

			return {ok: true, ms: Date.now() - started};
		}

		if (Date.now() >= deadline) {
			return {ok: false, reason: `not ready within ${formatDuration(spec.readyTimeoutMs)} (waited for: ${describeProbe(spec.ready)})`};
		}

		await Promise.race([
			watched.exited,
			new Promise((resolve) => {
				setTimeout(resolve, interval);
			}),
		]);
	}
}
