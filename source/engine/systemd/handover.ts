// One stack whoever runs it (docs/engines.md): when this home's stack is exported to systemd, `server start|stop [NAME]`,
// the dashboard's keys and `status` act through systemctl and read `systemctl show`, so no component ever runs twice.
import fs from 'node:fs';
import os from 'node:os';
import {addressOf} from '../../config/address.js';
import type {ComponentSpec, StackConfig} from '../../config/index.js';
import {FactError} from '../../errors.js';
import {processTable} from '../../os/index.js';
import type {Home} from '../../paths.js';
import {readFileRange} from '../../read-range.js';
import {unitStateText, unitText} from '../../reasons.js';
import {readManifest} from '../export/manifest.js';
import {blankStatus, type ComponentStatus, type EngineEvent, type EngineWarning, type StartFailure, type StartResult, type StopOutcome, type StopResult} from '../types.js';
import {firstLine, scopeOf, show, systemctl} from './systemctl.js';
import {ENGINE, serviceName, type Scope} from './units.js';

/** Lines of stderr shown when a unit fails to start, as start shows for its own (docs/lifecycle.md#start's twenty). */
const FAILURE_TAIL_LINES = 20;
/** systemctl show reports monotonic times in microseconds. */
const US_PER_MS = 1000;

/** A home handed to systemd: its scope, target and the component units the export wrote. */
/** `stack`: every component of the config (whose address is whose, config/address.ts). */
export type Handover = {scope: Scope; target: string; units: Map<string, string>; stack: ComponentSpec[]};

/** Whether this home is handed to systemd (`handover`), and what the caller should be told either way. */
export type HandoverCheck = {handover: Handover | undefined; warnings: EngineWarning[]};

/**
 * The systemd export of this home when systemd has it loaded; undefined when stigmer's own supervisors run the stack:
 * no export, an `--out` export, one systemd was never told of (daemon-reload failed), or a manager that cannot be
 * reached for an export never started with --enable (then with a warning, as facts: never a lock-out, docs/engines.md).
 */
export async function handoverOf(home: Home, config: StackConfig): Promise<HandoverCheck> {
	const manifest = readManifest(home, ENGINE);
	if (manifest === undefined || !manifest.installed || !manifest.loaded) {
		return {handover: undefined, warnings: []};
	}

	const scope = scopeOf(manifest.scope);
	const written = new Set(manifest.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)));
	const units = new Map(config.components.flatMap((c) => (written.has(serviceName(home, c.name)) ? [[c.name, serviceName(home, c.name)] as const] : [])));
	let loaded: string | undefined;
	try {
		loaded = (await show(scope, [manifest.target], ['LoadState'])).get(manifest.target)?.['LoadState'];
	} catch (error: unknown) {
		const warning: EngineWarning = {kind: 'systemd-unreachable', target: manifest.target, user: scope.kind === 'user', error: (error as Error).message};
		if (manifest.enabled) {
			// --enable started it: systemd may run the stack right now, and a second copy must never start beside it.
			throw new FactError({...warning, kind: 'systemd-enabled-unreachable'});
		}

		return {handover: undefined, warnings: [warning]};
	}

	return {handover: loaded === 'loaded' ? {scope, target: manifest.target, units, stack: config.components} : undefined, warnings: []};
}

const PROPERTIES = ['ActiveState', 'SubState', 'Result', 'MainPID', 'NRestarts', 'ExecMainCode', 'ExecMainStatus', 'ExecMainStartTimestampMonotonic', 'ExecMainExitTimestampMonotonic', 'ActiveEnterTimestampMonotonic', 'ActiveExitTimestampMonotonic', 'InactiveEnterTimestampMonotonic'];

/** The units of the named components (every exported one when none); a named component that was not exported is an error. */
function unitsOf(handover: Handover, selected: ComponentSpec[], whole: boolean): Array<[ComponentSpec, string]> {
	const missing = whole ? [] : selected.filter((c) => !handover.units.has(c.name));
	if (missing.length > 0) {
		throw new FactError({kind: 'not-exported', components: missing.map((c) => c.name), target: handover.target});
	}

	return selected.flatMap((c) => {
		const unit = handover.units.get(c.name);
		return unit === undefined ? [] : [[c, unit] as [ComponentSpec, string]];
	});
}

const active = (p: Record<string, string> | undefined) => p?.['ActiveState'] === 'active' || p?.['ActiveState'] === 'activating' || p?.['ActiveState'] === 'reloading';
const microseconds = (p: Record<string, string> | undefined, key: string) => Number(p?.[key] ?? 0);

/** How each unit that was active ended, from its timestamps; `not-running` for the rest. */
function stopOutcomes(pairs: Array<[ComponentSpec, string]>, before: Map<string, Record<string, string>>, after: Map<string, Record<string, string>>): StopOutcome[] {
	return pairs.map(([spec, unit]) => {
		const now = after.get(unit);
		if (!active(before.get(unit))) {
			return {name: spec.name, how: 'not-running', ms: 0, signal: spec.stopSignal};
		}

		const ms = Math.max(0, (microseconds(now, 'InactiveEnterTimestampMonotonic') - microseconds(now, 'ActiveExitTimestampMonotonic')) / US_PER_MS);
		return {name: spec.name, how: now?.['Result'] === 'timeout' ? 'killed' : 'stopped', ms: Math.round(ms), signal: spec.stopSignal};
	});
}

/** `server start` through systemd: restart the units (systemd orders them by After= and waits for each ExecStartPost= probe). */
export async function startThrough(handover: Handover, home: Home, selected: ComponentSpec[], whole: boolean, emit: (event: EngineEvent) => void): Promise<StartResult> {
	const pairs = unitsOf(handover, selected.filter((c) => c.enabled), whole);
	const units = pairs.map(([, unit]) => unit);
	emit({type: 'plan', components: pairs.map(([c]) => c.name)});
	const before = await show(handover.scope, units, PROPERTIES);
	for (const [spec] of pairs) {
		emit({type: 'starting', component: spec.name});
	}

	const restarted = await systemctl(handover.scope, ['restart', ...(whole ? [handover.target] : []), ...units]);
	const after = await show(handover.scope, units, PROPERTIES);
	const stopped = stopOutcomes(pairs, before, after).filter((o) => o.how !== 'not-running');
	for (const outcome of stopped) {
		emit({type: 'stopped', outcome});
	}

	const started: StartResult['started'] = [];
	const failures: StartFailure[] = [];
	const bootMs = Date.now() - uptimeMs();
	for (const [spec, unit] of pairs) {
		const p = after.get(unit);
		const pid = Number(p?.['MainPID'] ?? 0);
		if (p?.['ActiveState'] === 'active' && pid > 0) {
			const readyMs = Math.round(Math.max(0, microseconds(p, 'ActiveEnterTimestampMonotonic') - microseconds(p, 'ExecMainStartTimestampMonotonic')) / US_PER_MS);
			started.push({name: spec.name, pid, readyMs});
			emit({type: 'ready', component: spec.name, pid, readyMs, address: addressOf(spec, handover.stack)});
			continue;
		}

		const stderrTail = tail(home.logFile(spec.name, 'stderr'));
		const reason = notReady(stderrTail, spec.name, startedMs(p, bootMs)) ?? unitReason(p) ?? (firstLine(restarted.stderr) || unitStateText(unit, p?.['ActiveState'] ?? 'unknown'));
		const failure: StartFailure = {name: spec.name, reason, stderrTail, logPath: home.logFile(spec.name, 'stderr'), skipped: []};
		failures.push(failure);
		emit({type: 'failed', failure});
	}

	// systemd starts a unit's Requires= itself and stops its dependents with it: no notes to give (docs/engines.md).
	return {cleaned: [], dependencies: [], stopped, started, failures};
}

/** `server stop` through systemd: stop the units (and the target, for the whole stack); the same lines as stigmer's stop. */
export async function stopThrough(handover: Handover, selected: ComponentSpec[], whole: boolean, emit: (event: EngineEvent) => void): Promise<StopResult> {
	const pairs = unitsOf(handover, selected, whole);
	const units = pairs.map(([, unit]) => unit);
	const before = await show(handover.scope, units, PROPERTIES);
	for (const [spec, unit] of pairs) {
		if (active(before.get(unit))) {
			emit({type: 'stopping', component: spec.name});
		}
	}

	const result = await systemctl(handover.scope, ['stop', ...(whole ? [handover.target] : []), ...units]);
	if (result.code !== 0) {
		throw new FactError({kind: 'systemctl-stop-failed', detail: firstLine(result.stderr)});
	}

	const after = await show(handover.scope, units, PROPERTIES);
	// Reverse dependency order, as stigmer stops: what stopped first is printed first.
	const outcomes = stopOutcomes(pairs, before, after).reverse();
	for (const outcome of outcomes.filter((o) => o.how !== 'not-running')) {
		emit({type: 'stopped', outcome});
	}

	return {stopped: [...outcomes.filter((o) => o.how !== 'not-running'), ...outcomes.filter((o) => o.how === 'not-running')], cleaned: [], dependentsLeft: []};
}

/** Each component's status as systemd reports it (`engine: systemd`); components not exported keep `fallback`. */
export async function statusThrough(handover: Handover, home: Home, config: StackConfig): Promise<ComponentStatus[]> {
	const units = [...handover.units.values()];
	const shown = await show(handover.scope, units, PROPERTIES);
	const bootMs = Date.now() - uptimeMs();
	return Promise.all(config.components.map(async (spec) => {
		const unit = handover.units.get(spec.name);
		const p = unit === undefined ? undefined : shown.get(unit);
		const base = blankStatus(spec.name, spec.enabled, {
			port: spec.port,
			address: spec.enabled ? addressOf(spec, config.components) : null,
			engine: ENGINE,
			logs: {stdout: home.logFile(spec.name, 'stdout'), stderr: home.logFile(spec.name, 'stderr')},
			restarts: Number(p?.['NRestarts'] ?? 0),
			lastExit: lastExit(p, bootMs),
		});
		if (p === undefined) {
			return base;
		}

		const pid = Number(p['MainPID'] ?? 0);
		const info = pid > 0 ? processTable.info(pid) : undefined;
		const state = stateOf(p);
		const reason = state === 'failed' ? notReady(tail(home.logFile(spec.name, 'stderr')), spec.name, startedMs(p, bootMs)) ?? unitReason(p) : null;
		if (info === undefined) {
			return {...base, state, reason};
		}

		const usage = await processTable.usage(processTable.groups([info.pgid]).get(info.pgid) ?? [pid]);
		return {
			...base, state, reason, pid, pgid: info.pgid, ready: state === 'running',
			startedAt: new Date(info.startedAtMs).toISOString(), uptimeMs: Math.max(0, Date.now() - info.startedAtMs),
			cpuPercent: Math.round(usage.cpuPercent * 10) / 10, rssBytes: usage.rssBytes,
		};
	}));
}

/** ActiveState/SubState → stigmer's states. */
function stateOf(p: Record<string, string>): ComponentStatus['state'] {
	const sub = p['SubState'];
	switch (p['ActiveState']) {
		case 'active': {
			return 'running';
		}

		case 'activating': {
			return sub === 'auto-restart' ? 'backoff' : 'starting';
		}

		case 'deactivating': {
			return 'stopping';
		}

		case 'failed': {
			return 'failed';
		}

		default: {
			return 'stopped';
		}
	}
}

/** CLD_EXITED, CLD_KILLED, CLD_DUMPED: how ExecMainCode says the main process ended. */
const CLD_EXITED = 1;

/** The main process's last exit, from ExecMainCode/ExecMainStatus; null when it has not exited. */
function lastExit(p: Record<string, string> | undefined, bootMs: number): ComponentStatus['lastExit'] {
	const exitedUs = microseconds(p, 'ExecMainExitTimestampMonotonic');
	const code = Number(p?.['ExecMainCode'] ?? 0);
	if (exitedUs === 0 || code === 0) {
		return null;
	}

	const status = Number(p?.['ExecMainStatus'] ?? 0);
	const signal = code === CLD_EXITED ? null : (Object.entries(os.constants.signals).find(([, n]) => n === status)?.[0] ?? `signal ${status}`);
	return {code: code === CLD_EXITED ? status : null, signal, at: new Date(bootMs + exitedUs / US_PER_MS).toISOString(), uptimeMs: Math.round(Math.max(0, exitedUs - microseconds(p, 'ExecMainStartTimestampMonotonic')) / US_PER_MS)};
}

/** Why a unit is not active, in words: systemd's Result plus the exit. */
function unitReason(p: Record<string, string> | undefined): string | null {
	const result = p?.['Result'];
	if (result === undefined || result === 'success') {
		return null;
	}

	return unitText(result, lastExit(p, 0));
}

/** When the unit's main process last started, as epoch ms. */
function startedMs(p: Record<string, string> | undefined, bootMs: number): number {
	return bootMs + microseconds(p, 'ExecMainStartTimestampMonotonic') / US_PER_MS;
}

/** Clock slack between systemd's monotonic start time and the probe's own stamp. */
const STAMP_SLACK_MS = 1000;

/**
 * Why the readiness probe of this run failed, from the line `stigmer internal-ready` wrote to the unit's .err
 * (`<time> stigmer: NAME not ready: REASON`) since `sinceMs`: the words stigmer's own start would use.
 */
function notReady(lines: string[], name: string, sinceMs: number): string | undefined {
	const prefix = ` stigmer: ${name} not ready: `;
	for (const line of [...lines].reverse()) {
		const at = line.indexOf(prefix);
		if (at > 0 && Date.parse(line.slice(0, at)) >= sinceMs - STAMP_SLACK_MS) {
			return line.slice(at + prefix.length);
		}
	}

	return undefined;
}

function uptimeMs(): number {
	try {
		return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
	} catch {
		return os.uptime() * 1000;
	}
}

function tail(file: string): string[] {
	try {
		const size = fs.statSync(file).size;
		return readFileRange(file, Math.max(0, size - 16 * 1024), size).toString('utf8').split('\n').filter((l) => l !== '').slice(-FAILURE_TAIL_LINES);
	} catch {
		return [];
	}
}
