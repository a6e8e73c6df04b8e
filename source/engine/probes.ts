// Readiness probes as one table keyed by kind (docs/architecture.md): how to try one, how to word it, the port it
// asks on this machine, whether status asks again, and how often. A new kind = schema + types + resolve + one row.
import type {ReadyProbe} from '../config/index.js';
import type {Home} from '../paths.js';
import {formatDuration} from '../units.js';
import {execTry, type Attempt} from './exec-probe.js';
import {httpOk, tcpAccepts} from './http-probe.js';
import {isThisMachine} from './local-address.js';
import {logFollower} from './log-probe.js';

/** Between probe attempts: readiness latency is what `start` costs the user. */
const PROBE_INTERVAL_MS = 20;
/** Between tries of an `exec` probe: each try is a whole process, so not every 20 ms. */
const EXEC_INTERVAL_MS = 100;

export type {Attempt} from './exec-probe.js';

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

/** A probe as a function of attempts (keeping what it needs between them), and what to release after the last. */
export type Prober = {next: (budgetMs?: number) => Promise<Attempt>; close?: () => void};

/**
 * How `status` treats a running component's probe: `early` asks again, sent before the process-table reads so the
 * round trips overlap them; `late` asks again after them; `no`: a start-time proof (logs are not reread, commands not run).
 */
export type StatusProbe = 'early' | 'late' | 'no';

type Row<P extends ReadyProbe> = {
	attempt: (probe: P, context: ProbeContext) => Prober;
	/** For messages: "GET http://…/healthz is 200". */
	describe: (probe: P) => string;
	/** For the live waiting line: `tcp 6390`. */
	label: (probe: P) => string;
	/** The port it connects to on this machine, if any (docs/lifecycle.md: such a port must be our process's). */
	port: (probe: P) => number | undefined;
	status: StatusProbe;
	intervalMs: number;
};

const PROBES: {[K in ReadyProbe['kind']]: Row<Extract<ReadyProbe, {kind: K}>>} = {
	http: {
		attempt: (p, context) => ({next: async () => ({ready: await httpOk(p.url, p.pidProof, context.pid)})}),
		describe: (p) => `GET ${p.url} is 200`,
		label: (p) => p.url, // The URL says http itself: `waiting for http://127.0.0.1:7234/healthz`.
		port(p) {
			const url = new URL(p.url);
			return isThisMachine(url.hostname) ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : undefined;
		},
		status: 'early',
		intervalMs: PROBE_INTERVAL_MS,
	},
	tcp: {
		attempt: (p) => ({next: async () => ({ready: await tcpAccepts(p.host, p.port)})}),
		describe: (p) => `TCP ${p.host}:${p.port} accepts`,
		label: (p) => `tcp ${p.port}`,
		port: (p) => (isThisMachine(p.host) ? p.port : undefined),
		status: 'early',
		intervalMs: PROBE_INTERVAL_MS,
	},
	log: {
		attempt(p, context) {
			const follower = logFollower(p.pattern, context.home, context.component, context.offsets ?? [0, 0]);
			return {next: async () => ({ready: follower.attempt()}), close: follower.close};
		},
		describe: (p) => `a log line matches /${p.pattern.source}/`,
		label: (p) => `log /${p.pattern.source}/`,
		port: () => undefined,
		status: 'no',
		intervalMs: PROBE_INTERVAL_MS,
	},
	exec: {
		attempt: (p, context) => ({next: async (budgetMs) => execTry(p.argv, context, budgetMs)}),
		describe: (p) => `${p.argv.join(' ')} exits 0`,
		label: (p) => `exec ${p.argv.join(' ')}`,
		port: () => undefined,
		status: 'no',
		intervalMs: EXEC_INTERVAL_MS,
	},
	after: {
		attempt: (p, context) => ({next: async () => ({ready: Date.now() - context.sinceMs >= p.ms})}),
		describe: (p) => `alive for ${formatDuration(p.ms)}`,
		label: (p) => `${formatDuration(p.ms)} of uptime`,
		port: () => undefined,
		status: 'late',
		intervalMs: PROBE_INTERVAL_MS,
	},
};

/** The table's row for a probe's kind. */
export function probeRow<P extends ReadyProbe>(probe: P): Row<P> {
	return PROBES[probe.kind] as unknown as Row<P>;
}
