// Pure parsers for Linux /proc text; linux.ts does the reading, these decide what it means.
import {MARKER, SUPERVISOR_VALUE} from '../markers.js';

/** The fields of /proc/<pid>/stat that stigmer uses (see proc(5)). */
export type ProcStat = {
	pid: number;
	comm: string;
	state: string;
	ppid: number;
	pgrp: number;
	/** User + system CPU time in clock ticks (fields 14 + 15). */
	cpuTicks: number;
	/** Start time in clock ticks since boot (field 22), kept as text: it is the identity token. */
	startTicks: string;
	/** Resident set size in pages (field 24). */
	rssPages: number;
};

/**
 * Parse one /proc/<pid>/stat line, or undefined when it is not one.
 * comm (field 2) may hold spaces and parentheses, so it ends at the LAST ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
	const open = text.indexOf('(');
	const close = text.lastIndexOf(')');
	if (open < 1 || close < open) {
		return undefined;
	}
	const pid = Number(text.slice(0, open).trim());
	// After ") " come fields 3.. : state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss
	const rest = text.slice(close + 2).trim().split(' ');
	if (!Number.isInteger(pid) || rest.length < 22) {
		return undefined;
	}
	const field = (n: number): string => rest[n - 3] ?? '';
	const ppid = Number(field(4));
	const pgrp = Number(field(5));
	const utime = Number(field(14));
	const stime = Number(field(15));
	const startTicks = field(22);
	const rssPages = Number(field(24));
	if (![ppid, pgrp, utime, stime, rssPages].every(Number.isFinite) || !/^\d+$/.test(startTicks)) {
		return undefined;
	}
	return {
		pid,
		comm: text.slice(open + 1, close),
		state: field(3),
		ppid,
		pgrp,
		cpuTicks: utime + stime,
		startTicks,
		rssPages,
	};
}

/** A state that counts as dead (docs/lifecycle.md#alive-and-ours): zombie, or dead-but-not-yet-gone. */
export function isDeadState(state: string): boolean {
	return state === 'Z' || state === 'X' || state === 'x';
}

/** The boot time in epoch seconds from /proc/stat's `btime` line, or undefined. */
export function parseBtime(procStat: string): number | undefined {
	const match = /^btime\s+(\d+)\s*$/m.exec(procStat);
	return match ? Number(match[1]) : undefined;
}

/** VmRSS from /proc/<pid>/status in bytes, or undefined (kernel threads and zombies have none). */
export function parseVmRssBytes(status: string): number | undefined {
	const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(status);
	return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * The STIGMER_COMPONENT of an environment (NUL-separated, as /proc/<pid>/environ) whose
 * STIGMER_HOME is exactly home; undefined when the marker is absent or for another home.
 * The first assignment of a name wins, as getenv(3) sees it.
 */
export function markerComponent(environ: string, home: string): string | undefined {
	let seenHome: string | undefined;
	let component: string | undefined;
	for (const entry of environ.split('\0')) {
		if (seenHome === undefined && entry.startsWith(HOME_KEY)) {
			seenHome = entry.slice(HOME_KEY.length);
		} else if (component === undefined && entry.startsWith(COMPONENT_KEY)) {
			component = entry.slice(COMPONENT_KEY.length);
		}
		if (seenHome !== undefined && component !== undefined) {
			break;
		}
	}
	return seenHome === home && component ? component : undefined;
}

/** Whether a NUL-separated environment carries the supervisor's mark (docs/supervision.md). */
export function hasSupervisorMark(environ: string): boolean {
	return environ.startsWith(SUPERVISOR_MARK + '\0') || environ.includes('\0' + SUPERVISOR_MARK + '\0') || environ.endsWith('\0' + SUPERVISOR_MARK);
}

/** Whether a NUL-separated environment carries STIGMER_ENGINE: an engine (systemd, launchd) runs it, never stigmer's cleanup (docs/engines.md). */
export function hasEngineMark(environ: string): boolean {
	return environ.startsWith(ENGINE_KEY) || environ.includes('\0' + ENGINE_KEY);
}

export const SUPERVISOR_MARK = `${MARKER.supervisor}=${SUPERVISOR_VALUE}`;
export const ENGINE_KEY = `${MARKER.engine}=`;
export const HOME_KEY = `${MARKER.home}=`;
export const COMPONENT_KEY = `${MARKER.component}=`;

/** The home and component of an environment's marker (NUL-separated), whatever the home; undefined without both. */
export function parseMarker(environ: string): {home: string; component: string} | undefined {
	let home: string | undefined;
	let component: string | undefined;
	for (const entry of environ.split('\0')) {
		if (home === undefined && entry.startsWith(HOME_KEY)) {
			home = entry.slice(HOME_KEY.length);
		} else if (component === undefined && entry.startsWith(COMPONENT_KEY)) {
			component = entry.slice(COMPONENT_KEY.length);
		}
	}
	return home && component ? {home, component} : undefined;
}

/** TCP state LISTEN in /proc/net/tcp{,6} (include/net/tcp_states.h). */
const TCP_LISTEN = '0A';

/** Sockets listening on `port` in a /proc/net/tcp or tcp6 table: inode and owner uid of each. */
export function parseListeners(table: string, port: number): {inode: string; uid: number}[] {
	const found: {inode: string; uid: number}[] = [];
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	for (const line of table.split('\n')) {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
		const [, local, , state, , , , uid, , inode] = line.trim().split(/\s+/);
		if (local === undefined || state !== TCP_LISTEN || inode === undefined) {
			continue;
		}
		if (local.slice(local.lastIndexOf(':') + 1).toUpperCase() !== hexPort) {
			continue;
		}
		if (/^\d+$/.test(inode) && inode !== '0') {
			found.push({inode, uid: Number(uid)});
		}
	}
	return found;
}
