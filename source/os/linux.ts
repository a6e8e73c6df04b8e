// The Linux process table, read straight from /proc with sync reads: no child processes, so a scan costs milliseconds.
import fs from 'node:fs';
import {HOME_KEY, hasEngineMark, hasSupervisorMark, isDeadState, markerComponent, parseBtime, parseListeners, parseMarker, parseProcStat, parseVmRssBytes, type ProcStat} from './proc-parse.js';
import {signalZeroSays} from './signal.js';
import {parseSupervisorArgv} from './supervisor-argv.js';
import type {Claim, MarkedProc, PortHolder, ProcInfo, ProcessTable, Usage} from './types.js';

/** USER_HZ: the unit of /proc/<pid>/stat times; the kernel fixes it at 100 for userspace on every architecture Node runs on. */
const CLK_TCK = 100;
const TICK_MS = 1000 / CLK_TCK;

/** First size of the shared read buffer: a stat line is ~300 bytes, most environments a few KB. */
const INITIAL_READ_BYTES = 16 * 1024;
let readBuffer = Buffer.allocUnsafe(INITIAL_READ_BYTES);

/**
 * The bytes of a /proc file, or undefined when the process vanished or is not ours to read (normal races).
 * open + read into one reused buffer: readFileSync's fstat and growth loop double the cost of a scan.
 * The result is a view of the shared buffer, valid until the next call.
 */
function readProcBytes(file: string): Buffer | undefined {
	let fd: number;
	try {
		fd = fs.openSync(file, 'r');
	} catch {
		return undefined;
	}
	try {
		let length = 0;
		for (;;) {
			const n = fs.readSync(fd, readBuffer, length, readBuffer.length - length, null);
			if (n === 0) {
				return readBuffer.subarray(0, length);
			}
			length += n;
			if (length === readBuffer.length) {
				const bigger = Buffer.allocUnsafe(readBuffer.length * 2);
				readBuffer.copy(bigger, 0, 0, length);
				readBuffer = bigger;
			}
		}
	} catch {
		return undefined;
	} finally {
		fs.closeSync(fd);
	}
}

/** A /proc file as text, or undefined (see readProcBytes). */
function readProc(file: string): string | undefined {
	return readProcBytes(file)?.toString('latin1');
}

function readStat(pid: number): ProcStat | undefined {
	const text = readProc(`/proc/${pid}/stat`);
	return text === undefined ? undefined : parseProcStat(text);
}

/** Numeric entries of /proc: one per process (threads are hidden under /proc/<pid>/task). */
function allPids(): number[] {
	const pids: number[] = [];
	for (const name of fs.readdirSync('/proc')) {
		const code = name.charCodeAt(0);
		if (code >= 48 && code <= 57) {
			pids.push(Number(name));
		}
	}
	return pids;
}

let cachedBootId: string | undefined;
let cachedBootMs: number | undefined;

function bootId(): string {
	cachedBootId ??= fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
	return cachedBootId;
}

/**
 * When the machine booted, in epoch ms. /proc/stat's btime is whole seconds, which put start times up to 1 s early:
 * its fraction comes from the clock minus /proc/uptime (same clock as start times), to a tick.
 */
function bootMs(): number {
	if (cachedBootMs === undefined) {
		const btime = parseBtime(fs.readFileSync('/proc/stat', 'utf8'));
		if (btime === undefined) {
			throw new Error('no btime line in /proc/stat: cannot tell when processes started');
		}
		const fromUptime = Date.now() - uptimeSeconds() * 1000;
		const fraction = Math.min(Math.max(fromUptime - btime * 1000, 0), 999);
		cachedBootMs = btime * 1000 + Math.round(fraction / TICK_MS) * TICK_MS;
	}
	return cachedBootMs;
}

function toInfo(stat: ProcStat): ProcInfo {
	return {
		pid: stat.pid,
		ppid: stat.ppid,
		pgid: stat.pgrp,
		state: stat.state,
		startTime: stat.startTicks,
		startedAtMs: bootMs() + Number(stat.startTicks) * TICK_MS,
	};
}

function isAlive(pid: number): boolean {
	if (!signalZeroSays(pid)) {
		return false;
	}
	const stat = readStat(pid);
	return stat !== undefined && !isDeadState(stat.state);
}

function info(pid: number): ProcInfo | undefined {
	if (!Number.isInteger(pid) || pid <= 0) {
		return undefined;
	}
	const stat = readStat(pid);
	return stat === undefined || isDeadState(stat.state) ? undefined : toInfo(stat);
}

function scanMarked(home: string): MarkedProc[] {
	// Cheap reject before decoding: most environments lack the key altogether.
	const needle = Buffer.from(HOME_KEY + home, 'utf8');
	const found: MarkedProc[] = [];
	for (const pid of allPids()) {
		if (pid === process.pid) {
			continue;
		}
		// undefined: EACCES (another user's process) or ENOENT (it exited meanwhile)
		const environ = readProcBytes(`/proc/${pid}/environ`);
		if (environ === undefined || environ.indexOf(needle) === -1) {
			continue;
		}
		const text = environ.toString('utf8');
		const component = markerComponent(text, home);
		if (component === undefined) {
			continue;
		}
		const row = info(pid);
		if (row) {
			found.push({...row, component, supervisor: hasSupervisorMark(text), engine: hasEngineMark(text)});
		}
	}
	return found;
}

/** A path as the kernel resolves it (the home a supervisor's arguments name); itself when it cannot be resolved. */
function resolved(file: string): string {
	try {
		return fs.realpathSync(file);
	} catch {
		return file;
	}
}

/** Whether /proc/<pid> belongs to this user (a supervisor's arguments are trusted only from our own processes). */
function ownedByUs(pid: number): boolean {
	try {
		return fs.statSync(`/proc/${pid}`).uid === process.getuid?.();
	} catch {
		return false;
	}
}

/** Its environment's marker first; a supervisor's arguments are the second proof (the only one on macOS). */
function claimOf(pid: number): Claim | null {
	const environ = readProcBytes(`/proc/${pid}/environ`);
	const text = environ?.toString('utf8') ?? '';
	const marker = parseMarker(text);
	if (marker !== undefined) {
		return {...marker, supervisor: hasSupervisorMark(text)};
	}
	const cmdline = readProc(`/proc/${pid}/cmdline`);
	const args = cmdline === undefined ? undefined : parseSupervisorArgv(Buffer.from(cmdline, 'latin1').toString('utf8').replace(/\0$/, '').split('\0'));
	return args !== undefined && ownedByUs(pid) ? {home: resolved(args.home), component: args.component, supervisor: true} : null;
}

function claims(pids: number[]): Map<number, Claim | null> {
	const found = new Map<number, Claim | null>();
	for (const pid of new Set(pids)) {
		if (info(pid) !== undefined) {
			found.set(pid, claimOf(pid));
		}
	}
	return found;
}

/** Threads' children of a process (CONFIG_PROC_CHILDREN); undefined when the kernel does not offer them. */
function childrenOf(pid: number): number[] | undefined {
	let tids: string[];
	try {
		tids = fs.readdirSync(`/proc/${pid}/task`);
	} catch {
		return [];
	}
	const children: number[] = [];
	for (const tid of tids) {
		const text = readProc(`/proc/${pid}/task/${tid}/children`);
		if (text === undefined) {
			return undefined;
		}
		for (const word of text.split(' ')) {
			if (word !== '') {
				children.push(Number(word));
			}
		}
	}
	return children;
}

/** Members of a live leader's group among its descendants: a handful of reads instead of a scan of every process. */
function groupByDescent(pgid: number): number[] | undefined {
	const members: number[] = [];
	const queue = [pgid];
	const seen = new Set<number>();
	for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
		if (seen.has(pid)) {
			continue;
		}
		seen.add(pid);
		const stat = readStat(pid);
		if (stat === undefined || isDeadState(stat.state)) {
			continue;
		}
		if (stat.pgrp === pgid) {
			members.push(pid);
		}
		const children = childrenOf(pid);
		if (children === undefined) {
			return undefined;
		}
		queue.push(...children);
	}
	return members;
}

function groups(pgids: number[]): Map<number, number[]> {
	const wanted = new Map(pgids.filter((pgid) => Number.isInteger(pgid) && pgid > 0).map((pgid) => [pgid, [] as number[]]));
	// Fast path, for display: each live leader's descendants. Members reparented away from the leader are
	// missed there, so a leaderless group, or a kernel without children files, takes the full scan.
	let scan = false;
	for (const pgid of wanted.keys()) {
		const members = groupByDescent(pgid);
		if (members === undefined || members.length === 0) {
			scan = true;
			break;
		}
		wanted.set(pgid, members);
	}
	return scan ? groupMembersOf([...wanted.keys()]) : wanted;
}

/** Every group asked for in one pass over /proc, each stat read once: exact, whoever the members' parents are. */
function groupMembersOf(pgids: number[]): Map<number, number[]> {
	const wanted = new Map(pgids.filter((pgid) => Number.isInteger(pgid) && pgid > 0).map((pgid) => [pgid, [] as number[]]));
	if (wanted.size === 0) {
		return wanted;
	}
	for (const pid of allPids()) {
		const stat = readStat(pid);
		if (stat && !isDeadState(stat.state)) {
			wanted.get(stat.pgrp)?.push(pid);
		}
	}
	return wanted;
}

function groupMembers(pgid: number): number[] {
	return groupMembersOf([pgid]).get(pgid) ?? [];
}

type Sample = {startTicks: string; cpuTicks: number; atMs: number};
/** Last CPU sample per pid, so CPU % covers the time since the previous call (as top does). */
const samples = new Map<number, Sample>();
/** Bound on remembered samples: pids that are never asked about again must not grow the map forever. */
const MAX_SAMPLES = 4096;

function uptimeSeconds(): number {
	return Number((readProc('/proc/uptime') ?? '0').split(' ')[0]);
}

async function usage(pids: number[]): Promise<Usage> {
	let cpuPercent = 0;
	let rssBytes = 0;
	const now = Date.now();
	for (const pid of new Set(pids)) {
		const stat = readStat(pid);
		if (!stat || isDeadState(stat.state)) {
			samples.delete(pid);
			continue;
		}
		const previous = samples.get(pid);
		if (previous && previous.startTicks === stat.startTicks && now > previous.atMs) {
			cpuPercent += (((stat.cpuTicks - previous.cpuTicks) / CLK_TCK) * 1000 * 100) / (now - previous.atMs);
		} else {
			const lifetime = uptimeSeconds() - Number(stat.startTicks) / CLK_TCK;
			if (lifetime > 0) {
				cpuPercent += ((stat.cpuTicks / CLK_TCK) * 100) / lifetime;
			}
		}
		if (samples.size >= MAX_SAMPLES) {
			samples.clear();
		}
		samples.set(pid, {startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, atMs: now});
		const status = readProc(`/proc/${pid}/status`);
		rssBytes += (status === undefined ? undefined : parseVmRssBytes(status)) ?? 0;
	}
	return {cpuPercent: Math.max(0, cpuPercent), rssBytes};
}

/** A listening process as a PortHolder: its command name and marker, as far as we may read them. */
function describeHolder(pid: number): PortHolder {
	const command = readProc(`/proc/${pid}/comm`)?.trim() ?? '';
	const environ = readProcBytes(`/proc/${pid}/environ`);
	const marker = environ === undefined ? undefined : parseMarker(environ.toString('utf8'));
	return {kind: 'process', pid, command, home: marker?.home ?? null, component: marker?.component ?? null};
}

/** Of `pids`, those with an open fd on one of the socket links (`socket:[inode]`), with the links each holds. */
function socketOwners(pids: Iterable<number>, links: Set<string>, uids: Set<number> | undefined): Map<number, Set<string>> {
	const owners = new Map<number, Set<string>>();
	for (const pid of pids) {
		// Another user's fds are not ours to read: skip their processes without a readdir each.
		if (uids !== undefined) {
			try {
				if (!uids.has(fs.statSync(`/proc/${pid}`).uid)) {
					continue;
				}
			} catch {
				continue;
			}
		}
		let fds: string[];
		try {
			fds = fs.readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let link: string;
			try {
				link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;
			}
			if (links.has(link)) {
				const held = owners.get(pid) ?? new Set<string>();
				held.add(link);
				owners.set(pid, held);
			}
		}
	}
	return owners;
}

// /proc/net/tcp{,6} LISTEN entries → socket inodes → the processes whose fds link to them.
async function portHolders(port: number, prefer: number[] = []): Promise<PortHolder[]> {
	const listeners = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => parseListeners(readProc(table) ?? '', port));
	if (listeners.length === 0) {
		return [];
	}
	const links = new Set(listeners.map((l) => `socket:[${l.inode}]`));
	const owners = socketOwners(prefer, links, undefined);
	const seen = (): Set<string> => new Set([...owners.values()].flatMap((held) => [...held]));
	if (seen().size < links.size) {
		const uids = process.getuid?.() === 0 ? undefined : new Set(listeners.map((l) => l.uid));
		for (const [pid, held] of socketOwners(allPids().filter((pid) => !prefer.includes(pid)), links, uids)) {
			owners.set(pid, held);
		}
	}
	const holders: PortHolder[] = [...owners.keys()].map(describeHolder);
	if (seen().size < links.size) {
		holders.push({kind: 'hidden'});
	}
	return holders;
}

/** The process table of a Linux machine. */
/** The unified (v2) hierarchy's line of /proc/<pid>/cgroup: `0::/app.slice/x.service`. */
function cgroup(pid: number): string | undefined {
	const line = readProc(`/proc/${pid}/cgroup`)?.split('\n').find((l) => l.startsWith('0::'));
	return line === undefined ? undefined : line.slice(3);
}

export const linuxProcessTable: ProcessTable = {bootId, isAlive, info, scanMarked, claims, groupMembers, groupMembersOf, groups, usage, portHolders, cgroup};
