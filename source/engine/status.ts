// `status` (docs/lifecycle.md#status) and the dashboard's cheaper reads between two status calls (liveness, usage).
import fs from 'node:fs';
import {addressOf} from '../config/address.js';
import {loadConfig, type ComponentSpec, type StackConfig} from '../config/index.js';
import {processTable, type Usage} from '../os/index.js';
import type {Home} from '../paths.js';
import {manifestPath} from './export/manifest.js';
import {discover, type ComponentFinding, type PidFileFinding} from './discover.js';
import {probeOnce, statusProbe} from './readiness.js';
import {inspectRecord, type SupervisorRecord} from './state.js';
import {endingLeftovers, recordText, RESTARTING, waitingFor} from '../reasons.js';
import {blankStatus, withWarnings, type ComponentStatus, type StatusReport} from './types.js';

/** docs/lifecycle.md#status: what runs in this home, with usage and orphans. Throws ConfigError on bad config. */
export async function status(home: Home): Promise<StatusReport> {
	const config = loadConfig(home);
	if (!fs.existsSync(manifestPath(home, 'systemd'))) {
		return ownStatus(home, config);
	}

	// Exported to systemd (docs/engines.md): systemd's word on each unit, when it has the target loaded.
	const {handoverOf, statusThrough} = await import('./systemd/handover.js');
	const {handover, warnings} = await handoverOf(home, config);
	if (handover === undefined) {
		return withWarnings(await ownStatus(home, config), warnings);
	}

	const components = await statusThrough(handover, home, config);
	return {home: home.root, target: handover.target, healthy: components.every((c) => !c.enabled || (c.state === 'running' && c.ready)), components};
}

/** The status of a stack stigmer's own supervisors run. */
async function ownStatus(home: Home, config: StackConfig): Promise<StatusReport> {
	// Network probes go out first, so their round trips overlap the process-table reads below.
	const early = new Map(config.components.flatMap((c) => (c.enabled && c.ready !== null && statusProbe(c.ready) === 'early' ? [[c.name, probeOnce(c.ready, {sinceMs: 0, home, component: c.name})] as const] : [])));
	if (early.size > 0) {
		// One turn of the event loop lets the sockets connect and send their requests; without it they would wait for the sync reads below.
		await new Promise((resolve) => {
			setImmediate(resolve);
		});
	}

	const findings = discover(home, config.components.map((c) => c.name));
	const groups = processTable.groups([...findings.values()].flatMap((f) => (f.running?.group ? [f.running.group] : [])));
	const found = await Promise.all(config.components.map(async (spec) => componentStatus(home, spec, config.components, findings.get(spec.name), groups, early.get(spec.name))));
	const components = found.map((c, i) => waiting(c, config.components[i]!, found));
	const healthy = components.every((c) => !c.enabled || (c.state === 'running' && c.ready));
	return {home: home.root, healthy, components};
}

async function componentStatus(home: Home, spec: ComponentSpec, stack: ComponentSpec[], finding: ComponentFinding | undefined, groups: Map<number, number[]>, earlyProbe: Promise<boolean> | undefined): Promise<ComponentStatus> {
	const {record, problem} = inspectRecord(home, spec.name);
	const found = await findingStatus(home, spec, stack, finding, groups, earlyProbe, record);
	// A record that cannot be used is ignored and named (docs/supervision.md), where nothing else explains the state.
	return problem !== undefined && found.reason === null ? {...found, reason: problem} : found;
}

async function findingStatus(home: Home, spec: ComponentSpec, stack: ComponentSpec[], finding: ComponentFinding | undefined, groups: Map<number, number[]>, earlyProbe: Promise<boolean> | undefined, record: SupervisorRecord | undefined): Promise<ComponentStatus> {
	const running = finding?.running ?? null;
	const ownFile = finding?.files.find((f) => f.file.endsWith(`/${spec.name}.pid`));
	const base = blankStatus(spec.name, spec.enabled, {
		state: 'stopped',
		port: spec.port,
		address: spec.enabled ? addressOf(spec, stack) : null,
		orphans: byPid(finding?.orphans ?? []),
		strangers: byPid(finding?.strangers ?? []),
		logs: {stdout: home.logFile(spec.name, 'stdout'), stderr: home.logFile(spec.name, 'stderr')},
		restarts: record?.restarts ?? 0,
		lastExit: record?.lastExit ? {code: record.lastExit.code, signal: record.lastExit.signal, at: new Date(record.lastExit.atMs).toISOString(), uptimeMs: record.lastExit.uptimeMs} : null,
		supervisorPid: finding?.supervisor?.pid ?? null,
	});
	if (running === null) {
		if (finding?.supervisor) {
			// Between two runs: waiting out the backoff, ending what is left of the exited run's group (docs/decisions.md),
			// or relaunching.
			if (record?.state === 'backoff') {
				return {...base, state: 'backoff', reason: recordText(record), nextRestartAt: record.nextRestartAtMs === null ? null : new Date(record.nextRestartAtMs).toISOString()};
			}

			// The run's group outliving it: the supervisor ends those leftovers first, even in the moment before it records so.
			return record?.state === 'ending' || leftoversOf(home, spec.name, ownFile)
				? {...base, state: 'stopping', reason: endingLeftovers(record?.state === 'ending' ? recordText(record) : null)}
				: {...base, state: 'starting', reason: RESTARTING};
		}

		const settled = spec.enabled && (record?.state === 'exited' || record?.state === 'failed') ? record : undefined;
		if (settled) {
			return {...base, state: settled.state as 'exited' | 'failed', reason: recordText(settled)};
		}

		// Stopped by its own supervisor (a signal that reached it alone): say so.
		if (spec.enabled && record?.state === 'stopped' && record.reason) {
			return {...base, reason: record.reason};
		}

		if (ownFile && !ownFile.proven) {
			return {...base, state: 'crashed', reason: ownFile.why};
		}

		return spec.enabled ? base : {...base, state: 'disabled', reason: spec.disabledReason};
	}

	const members = running.group === null ? [] : (groups.get(running.group) ?? []);
	const [usage, ready] = await Promise.all([
		processTable.usage(members.length > 0 ? members : [running.pid]),
		// Start-time proofs (`log`, `exec`, the default): status neither rereads logs nor runs commands.
		spec.ready === null || statusProbe(spec.ready) === 'no' ? Promise.resolve(true) : earlyProbe ?? probeOnce(spec.ready, {sinceMs: running.startedAtMs, home, component: spec.name}),
	]);
	return {
		...base,
		state: ready ? 'running' : 'starting',
		pid: running.pid,
		pgid: running.group,
		startedAt: new Date(running.startedAtMs).toISOString(),
		uptimeMs: Math.max(0, Date.now() - running.startedAtMs),
		cpuPercent: Math.round(usage.cpuPercent * 10) / 10,
		rssBytes: usage.rssBytes,
		ready,
	};
}

/** Whether live members of this home's and component's marker are left in the exited run's recorded group. */
function leftoversOf(home: Home, component: string, file: PidFileFinding | undefined): boolean {
	if (file?.content.kind !== 'record') {
		return false;
	}

	const claims = processTable.claims(processTable.groupMembers(file.content.record.pgid), home.root);
	return [...claims.values()].some((claim) => claim?.home === home.root && claim.component === component && !claim.supervisor);
}

/**
 * A component alive but not ready while a dependency is not running and ready (the runners after `server stop
 * stigmer-server`) says which one it waits for: its probe cannot pass until that one is back.
 */
function waiting(c: ComponentStatus, spec: ComponentSpec, all: ComponentStatus[]): ComponentStatus {
	if (c.state !== 'starting' || c.pid === null || c.reason !== null) {
		return c;
	}

	const blocker = all.find((d) => spec.dependsOn.includes(d.name) && d.enabled && !(d.state === 'running' && d.ready));
	return blocker === undefined ? c : {...c, reason: waitingFor(blocker.name, blocker.state)};
}

/** Processes as status lists them: sorted by pid as a number, start time in ISO form. */
function byPid(procs: Array<{pid: number; startedAtMs: number}>): Array<{pid: number; startedAt: string}> {
	return [...procs].sort((a, b) => a.pid - b.pid).map((o) => ({pid: o.pid, startedAt: new Date(o.startedAtMs).toISOString()}));
}

/** docs/lifecycle.md#alive-and-ours: whether a pid lives (signal 0, EPERM counts, zombies do not); for watchers between status calls. */
export function isAlive(pid: number): boolean {
	return processTable.isAlive(pid);
}

/** A component's running process, as the dashboard samples it between status calls. */
export type SampleTarget = {name: string; pid: number; pgid: number | null};

/** CPU and RSS of each target's process group: the process-table reads `status` does for usage, nothing else (no config, probes or scans). */
export async function sampleUsage(targets: SampleTarget[]): Promise<Map<string, Usage>> {
	const groups = processTable.groups(targets.flatMap((t) => (t.pgid === null ? [] : [t.pgid])));
	const usage = new Map<string, Usage>();
	for (const t of targets) {
		const members = t.pgid === null ? [] : (groups.get(t.pgid) ?? []);
		usage.set(t.name, await processTable.usage(members.length > 0 ? members : [t.pid]));
	}

	return usage;
}
