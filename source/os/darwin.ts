// The macOS process table, read through `ps` and `sysctl` (there is no /proc); parsing lives in ps-parse.ts.
import {createRequire} from 'node:module';
import net from 'node:net';
import type pidusage from 'pidusage';
import {environmentPart, isZombieState, markedFromPs, parseBootSessionUuid, parseGroupRows, parseLsofListeners, parsePidCommands, parsePsRow, psClaim, psMarker} from './ps-parse.js';
import {signalZeroSays} from './signal.js';
import type {Claim, MarkedProc, PortHolder, ProcInfo, ProcessTable, Usage} from './types.js';
import {psUnvis} from './vis.js';
import {withoutMarker} from '../markers.js';

// child_process only on first use: this module is loaded on Linux too (os/table.ts), where it would cost start-up time.
const require = createRequire(import.meta.url);

/** Columns for ProcInfo; lstart is the identity token (docs/lifecycle.md#alive-and-ours). */
const INFO_COLUMNS = 'pid=,ppid=,pgid=,state=,lstart=';
/** Bound on one ps run: a hung ps must not hang stigmer. */
const PS_TIMEOUT_MS = 5000;
/** Room for the whole process table with environments (ps -E -ww can be large). */
const PS_MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Output of a command run in the C locale (stable lstart format, strvis escapes: os/vis.ts) and in UTC (`lstart` is
 * local time: with TZ=UTC0 a time-zone change never changes a start-time token); '' when it exits non-zero (ps: no
 * such pid). The marker is removed from its environment, so a ps run by a marked process never finds itself in the scan.
 */
function run(file: string, args: string[]): string {
	const env = withoutMarker(process.env);
	try {
		const {execFileSync} = require('node:child_process') as typeof import('node:child_process');
		return execFileSync(file, args, {
			encoding: 'utf8',
			env: {...env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC0'},
			stdio: ['ignore', 'pipe', 'ignore'],
			timeout: PS_TIMEOUT_MS,
			maxBuffer: PS_MAX_BUFFER,
		});
	} catch (error) {
		if (typeof (error as {status?: unknown}).status === 'number') {
			return '';
		}
		throw error;
	}
}

let cachedBootId: string | undefined;

function bootId(): string {
	if (cachedBootId === undefined) {
		const text = run('sysctl', ['-n', 'kern.bootsessionuuid']);
		const id = parseBootSessionUuid(text);
		if (id === undefined) {
			throw new Error(`cannot tell this boot: \`sysctl -n kern.bootsessionuuid\` printed ${JSON.stringify(text)}`);
		}
		cachedBootId = id;
	}
	return cachedBootId;
}

function info(pid: number): ProcInfo | undefined {
	if (!Number.isInteger(pid) || pid <= 0) {
		return undefined;
	}
	const row = parsePsRow(run('ps', ['-o', INFO_COLUMNS, '-p', String(pid)]).split('\n')[0] ?? '');
	if (!row || row.pid !== pid || isZombieState(row.state)) {
		return undefined;
	}
	const {command: _command, ...rest} = row;
	return rest;
}

function isAlive(pid: number): boolean {
	return signalZeroSays(pid) && info(pid) !== undefined;
}

/** Of `pids`, those that run as this user (whose arguments may prove a supervisor: os/supervisor-argv.ts). */
function ownedByUs(pids: number[]): Set<number> {
	const uid = process.getuid?.();
	const rows = run('ps', ['-o', 'pid=,uid=', '-p', pids.join(',')]).split('\n').map((line) => /^\s*(\d+)\s+(\d+)/.exec(line));
	return new Set(rows.flatMap((m) => (m && Number(m[2]) === uid ? [Number(m[1])] : [])));
}

function scanMarked(home: string): MarkedProc[] {
	const table = run('ps', ['-A', '-ww', '-o', `${INFO_COLUMNS},command=`]);
	const withEnv = run('ps', ['-E', '-A', '-ww', '-o', 'pid=,command=']);
	return markedFromPs(table, withEnv, home, process.pid, ownedByUs);
}

function claims(pids: number[], home: string): Map<number, Claim | null> {
	const wanted = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0);
	const found = new Map<number, Claim | null>();
	if (wanted.length === 0) {
		return found;
	}
	const list = wanted.join(',');
	const table = run('ps', ['-ww', '-o', `${INFO_COLUMNS},command=`, '-p', list]).split('\n').flatMap((line) => parsePsRow(line) ?? []);
	const withEnv = parsePidCommands(run('ps', ['-E', '-ww', '-o', 'pid=,command=', '-p', list]));
	const own = ownedByUs(wanted);
	for (const row of table.filter((r) => !isZombieState(r.state))) {
		found.set(row.pid, psClaim(withEnv.get(row.pid), row.command, home, own.has(row.pid)));
	}
	return found;
}

function groupMembers(pgid: number): number[] {
	if (!Number.isInteger(pgid) || pgid <= 0) {
		return [];
	}
	return parseGroupRows(run('ps', ['-A', '-o', 'pid=,pgid=,state=']))
		.filter((row) => row.pgid === pgid && !isZombieState(row.state))
		.map((row) => row.pid);
}

function groups(pgids: number[]): Map<number, number[]> {
	const wanted = new Map(pgids.filter((pgid) => Number.isInteger(pgid) && pgid > 0).map((pgid) => [pgid, [] as number[]]));
	if (wanted.size === 0) {
		return wanted;
	}
	for (const row of parseGroupRows(run('ps', ['-A', '-o', 'pid=,pgid=,state=']))) {
		if (!isZombieState(row.state)) {
			wanted.get(row.pgid)?.push(row.pid);
		}
	}
	return wanted;
}

async function usage(pids: number[]): Promise<Usage> {
	const unique = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0);
	if (unique.length === 0) {
		return {cpuPercent: 0, rssBytes: 0};
	}
	let stats: Record<string, pidusage.Status>;
	try {
		// Loaded on first use: it keeps CPU history between calls, and only macOS needs it.
		const {default: sample} = await import('pidusage');
		stats = await sample(unique);
	} catch {
		return {cpuPercent: 0, rssBytes: 0}; // none of them exists any more
	}
	let cpuPercent = 0;
	let rssBytes = 0;
	for (const stat of Object.values(stats)) {
		cpuPercent += Number.isFinite(stat.cpu) ? stat.cpu : 0;
		rssBytes += Number.isFinite(stat.memory) ? stat.memory : 0;
	}
	return {cpuPercent, rssBytes};
}

/** How long the fallback connect may take: a local listener answers in well under a millisecond. */
const CONNECT_TIMEOUT_MS = 500;

/** Whether anything accepts a TCP connection on host:port (a listener lsof could not show us). */
async function accepts(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({host, port});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
		socket.once('error', () => done(false));
		socket.once('connect', () => done(true));
	});
}

/** The marker of one process, from `ps -E` (own processes only: macOS hides other users' environments). */
function markerOf(pid: number): {home: string; component: string} | undefined {
	const plain = parsePidCommands(run('ps', ['-ww', '-o', 'pid=,command=', '-p', String(pid)])).get(pid);
	const withEnv = parsePidCommands(run('ps', ['-E', '-ww', '-o', 'pid=,command=', '-p', String(pid)])).get(pid);
	const marker = withEnv === undefined ? undefined : psMarker(environmentPart(withEnv, plain));
	return marker === undefined ? undefined : {...marker, home: psUnvis(marker.home)};
}

// lsof names the listeners we may see; a port that accepts while lsof shows nobody is another user's.
async function portHolders(port: number): Promise<PortHolder[]> {
	const {execa} = await import('execa');
	const env = withoutMarker(process.env);
	const lsof = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], {reject: false, extendEnv: false, env: {...env, LC_ALL: 'C'}, timeout: PS_TIMEOUT_MS, stdin: 'ignore', stderr: 'ignore'});
	const holders: PortHolder[] = parseLsofListeners(lsof.stdout).map(({pid, command}) => {
		const marker = markerOf(pid);
		return {kind: 'process', pid, command, home: marker?.home ?? null, component: marker?.component ?? null};
	});
	if (holders.length === 0 && ((await accepts('127.0.0.1', port)) || (await accepts('::1', port)))) {
		holders.push({kind: 'hidden'});
	}
	return holders;
}

/** The process table of a macOS machine; its groups() is exact (one ps of the whole table), so it serves groupMembersOf too. */
export const darwinProcessTable: ProcessTable = {bootId, isAlive, info, scanMarked, claims, groupMembers, groupMembersOf: groups, groups, usage, portHolders, cgroup: () => undefined};
