// Port ownership (docs/lifecycle.md#start): who may hold a component's port before it is spawned, and whether the
// process that answered a probe is the one just started.
import type {ComponentSpec, ReadyProbe, StackConfig} from '../config/index.js';
import {processTable, type PortHolder} from '../os/index.js';
import type {Home} from '../paths.js';
import {holderText} from '../reasons.js';
import {readPidFile} from './pidfile.js';
import {probeRow} from './probes.js';

/** The port a probe connects to on this machine (a tcp probe, an http probe whose host is this machine by address). */
export function probePort(probe: ReadyProbe | null): number | undefined {
	return probe === null ? undefined : probeRow(probe).port(probe);
}

/**
 * The ports a component listens on itself: its `port`, and its probe's port on this machine unless another
 * enabled component has that `port` (a runner's probe asks the server, whose port is the server's business).
 */
function ownPorts(spec: ComponentSpec, config: StackConfig): number[] {
	const others = new Set(config.components.filter((c) => c.enabled && c.name !== spec.name && c.port !== null).map((c) => c.port));
	const probed = probePort(spec.ready);
	return [...new Set([spec.port, probed])].filter((p): p is number => p !== null && p !== undefined && (p === spec.port || !others.has(p)));
}

/** A port a component's readiness relies on, and the component of this home that must be the one listening there. */
export type PortClaim = {port: number; owner: string};

/** The component's own ports (owner: itself), and the port of another component its probe asks (a runner asks the server). */
export function portClaims(spec: ComponentSpec, config: StackConfig): PortClaim[] {
	const claims = ownPorts(spec, config).map((port) => ({port, owner: spec.name}));
	const probed = probePort(spec.ready);
	const other = config.components.find((c) => c.enabled && c.name !== spec.name && c.port === probed);
	return other === undefined || probed === undefined ? claims : [...claims, {port: probed, owner: other.name}];
}

/**
 * Whose a holder is: `owner` of this home (by its marker), a member of `group` (the owner's process group), or, under
 * systemd, a process of the owner's unit (`cgroup`: systemd puts a unit's whole process tree in its own cgroup).
 */
function isOurs(holder: PortHolder, home: Home, owner: string, group: number | undefined, cgroup?: string): boolean {
	if (holder.kind === 'hidden') {
		return false;
	}

	if (holder.home === home.root && holder.component === owner) {
		return true;
	}

	return (group !== undefined && processTable.info(holder.pid)?.pgid === group) || (cgroup !== undefined && processTable.cgroup(holder.pid) === cgroup);
}

/** The proved process of another component of this home, from its PID file (start time checked), for its group. */
function recordedProcess(home: Home, component: string): number | undefined {
	const content = readPidFile(home.pidFile(component));
	if (content?.kind !== 'record') {
		return undefined;
	}

	const {pid, startTime} = content.record;
	return processTable.info(pid)?.startTime === startTime ? pid : undefined;
}

/**
 * The first claimed port held by anyone but its owner of this home (for the component itself, with `pid`: also its
 * process group), with the holder as `pid 812 (…)` text; undefined when every claimed port is free or rightly held.
 * `unit`: the component runs as a systemd unit, whose cgroup holds all its processes and only them (docs/engines.md).
 */
export async function foreignHolder(home: Home, component: string, claims: PortClaim[], pid?: number, unit = false): Promise<{port: number; owner: string; holder: string} | undefined> {
	for (const {port, owner} of claims) {
		const ownerPid = owner === component ? pid : recordedProcess(home, owner);
		const group = ownerPid === undefined ? undefined : processTable.info(ownerPid)?.pgid;
		const holders = await processTable.portHolders(port, ownerPid === undefined ? [] : [ownerPid]);
		const cgroup = unit && ownerPid !== undefined && owner === component ? processTable.cgroup(ownerPid) : undefined;
		const stranger = holders.find((h) => !isOurs(h, home, owner, group, cgroup));
		if (stranger !== undefined) {
			return {port, owner, holder: holderText(stranger)};
		}
	}

	return undefined;
}
