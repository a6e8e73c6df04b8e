// Port ownership (SPEC 4.4): who may hold a component's port before it is spawned, and whether the
// process that answered a probe is the one just started.
import type {ComponentSpec, ReadyProbe, StackConfig} from '../config.js';
import {processTable, type PortHolder} from '../os/index.js';
import type {Home} from '../paths.js';

/** Hosts that mean this machine in a probe URL. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', '[::]']);

/** The port a probe connects to on this machine, if it is a tcp probe or an http probe of a local URL. */
export function probePort(probe: ReadyProbe | null): number | undefined {
	if (probe?.kind === 'tcp') {
		return probe.port;
	}

	if (probe?.kind === 'http') {
		const url = new URL(probe.url);
		if (LOCAL_HOSTS.has(url.hostname) || /^127\./.test(url.hostname)) {
			return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
		}
	}

	return undefined;
}

/**
 * The ports a component listens on itself: its `port`, and its probe's port on this machine unless another
 * enabled component has that `port` (a runner's probe asks the server, whose port is the server's business).
 */
export function ownPorts(spec: ComponentSpec, config: StackConfig): number[] {
	const others = new Set(config.components.filter((c) => c.enabled && c.name !== spec.name && c.port !== null).map((c) => c.port));
	const probed = probePort(spec.ready);
	return [...new Set([spec.port, probed])].filter((p): p is number => p !== null && p !== undefined && (p === spec.port || !others.has(p)));
}

/** `pid 812 (stigmer-server of /home/ana/other)`, `pid 812 (redis-server)`, `another user's process`. */
export function describeHolder(holder: PortHolder): string {
	if (holder.kind === 'hidden') {
		return 'another user\'s process';
	}

	const what = holder.home !== null && holder.component !== null ? `${holder.component} of ${holder.home}` : holder.command;
	return what === '' ? `pid ${holder.pid}` : `pid ${holder.pid} (${what})`;
}

/** Whose a holder is: this very component of this home (by its marker), or a member of `group` (the component just started). */
function isOurs(holder: PortHolder, home: Home, component: string, group: number | undefined): boolean {
	if (holder.kind === 'hidden') {
		return false;
	}

	if (holder.home === home.root && holder.component === component) {
		return true;
	}

	return group !== undefined && processTable.info(holder.pid)?.pgid === group;
}

/**
 * The first listener on one of `ports` that is not this component's (its marker, or with `pid`, its process group),
 * as `port 7234 is in use by pid 812 (…)` text; undefined when every port is free or ours.
 */
export async function foreignHolder(home: Home, component: string, ports: number[], pid?: number): Promise<{port: number; holder: string} | undefined> {
	const group = pid === undefined ? undefined : processTable.info(pid)?.pgid;
	for (const port of ports) {
		const holders = await processTable.portHolders(port, pid === undefined ? [] : [pid]);
		const stranger = holders.find((h) => !isOurs(h, home, component, group));
		if (stranger !== undefined) {
			return {port, holder: describeHolder(stranger)};
		}
	}

	return undefined;
}
