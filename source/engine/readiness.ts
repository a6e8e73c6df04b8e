// Waiting for readiness (docs/lifecycle.md): the component's probe (probes.ts, one row per kind) until it passes,
// the component exits, or ready_timeout. Readiness is proof: a probe counts only while the component lives, and a
// port only when our process holds it.
import fs from 'node:fs';
import type {ComponentSpec, ReadyProbe} from '../config/index.js';
import {componentEnv} from '../config/env-file.js';
import {exitedBeforeReady, notReadyWithin, portAnsweredByOther} from '../reasons.js';
import {processTable} from '../os/index.js';
import type {Home} from '../paths.js';
import {foreignHolder, probePort, type PortClaim} from './ports.js';
import {probeRow, type ProbeContext, type StatusProbe} from './probes.js';
import type {Exit} from './spawn.js';

/** How long to wait for the exit status of a process the table already shows dead (reaping takes a moment). */
const EXIT_STATUS_WAIT_MS = 500;
/** With no `ready`, a component is ready once it has stayed alive this long (docs/lifecycle.md). */
export const DEFAULT_ALIVE_MS = 1000;
/** The probe of a component without `ready` (`after: 1s`). */
export const DEFAULT_PROBE: ReadyProbe = {kind: 'after', ms: DEFAULT_ALIVE_MS};

export type {ProbeContext} from './probes.js';

export type Readiness = {ok: true; ms: number} | {ok: false; reason: string};

/** What readiness watches: the component's own pid, and its exit once known (liveness is also read from the process table). */
export type Watched = {pid: number; hasExited: () => Exit | undefined; exited?: Promise<unknown> | undefined};

/** One attempt of a probe (no state kept between calls: `log` reads from the offsets each time). */
export async function probeOnce(probe: ReadyProbe, context: ProbeContext): Promise<boolean> {
	const prober = probeRow(probe).attempt(probe, context);
	try {
		return (await prober.next()).ready;
	} finally {
		prober.close?.();
	}
}

/** How status treats a component's probe (none: the default `after`). */
export function statusProbe(probe: ReadyProbe | null): StatusProbe {
	return probeRow(probe ?? DEFAULT_PROBE).status;
}

/** Describe a probe for messages: "GET http://…/healthz is 200". */
export function describeProbe(probe: ReadyProbe | null): string {
	const p = probe ?? DEFAULT_PROBE;
	return probeRow(p).describe(p);
}

/** What start is waiting for, short, for the live progress line: `tcp 6390`, `exec pg_isready -p 5433`. */
export function probeLabel(probe: ReadyProbe | null): string {
	const p = probe ?? DEFAULT_PROBE;
	return probeRow(p).label(p);
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

/** Alive by the exit we saw and by the process table (docs/lifecycle.md#alive-and-ours: a zombie is dead). */
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

	return exitedBeforeReady(watched.hasExited());
}

/**
 * Poll the component's probe (DEFAULT_PROBE without `ready`) until ready, its exit, or ready_timeout. A passing probe
 * counts only if the component still lives, and a probe on a claimed port only if the process listening there is
 * the claim's owner of this home (the component itself, or the component whose port it asks).
 */
export async function waitReady(home: Home, spec: ComponentSpec, watched: Watched, options: {offsets: [number, number]; claims: PortClaim[]; unit?: boolean}): Promise<Readiness> {
	const started = Date.now();
	const deadline = started + spec.readyTimeoutMs;
	const probe = spec.ready ?? DEFAULT_PROBE;
	const row = probeRow(probe);
	const prober = row.attempt(probe, {home, component: spec.name, sinceMs: started, offsets: options.offsets, pid: watched.pid, env: componentEnv(spec), cwd: spec.cwd ?? home.root});
	const port = probePort(probe);
	const claim = options.claims.find((c) => c.port === port);
	try {
		return await poll(spec, watched, async (budgetMs) => prober.next(budgetMs), {started, deadline, interval: row.intervalMs, check: async () => (claim === undefined ? undefined : foreignHolder(home, spec.name, [claim], watched.pid, options.unit))});
	} finally {
		prober.close?.();
	}
}

type Poll = {started: number; deadline: number; interval: number; check: () => Promise<{port: number; owner: string; holder: string} | undefined>};

async function poll(spec: ComponentSpec, watched: Watched, attempt: (budgetMs: number) => Promise<{ready: boolean; fail?: string}>, {started, deadline, interval, check}: Poll): Promise<Readiness> {
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

			const foreign = await check();
			if (foreign !== undefined) {
				return {ok: false, reason: portAnsweredByOther(foreign.port, foreign.holder, foreign.owner, spec.name)};
			}

			return {ok: true, ms: Date.now() - started};
		}

		if (Date.now() >= deadline) {
			return {ok: false, reason: notReadyWithin(spec.readyTimeoutMs, describeProbe(spec.ready))};
		}

		// Without an exit event (a supervisor bash handed over to a fork), the interval alone paces the checks.
		await Promise.race([
			...(watched.exited === undefined ? [] : [watched.exited]),
			new Promise((resolve) => {
				setTimeout(resolve, interval);
			}),
		]);
	}
}
