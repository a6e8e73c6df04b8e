// Pure parsers for macOS `ps` and `sysctl` output (run with LC_ALL=C); darwin.ts runs the commands.
import {COMPONENT_KEY, ENGINE_KEY, HOME_KEY, SUPERVISOR_MARK} from './proc-parse.js';
import {parseSupervisorCommand} from './supervisor-argv.js';
import type {Claim, MarkedProc, ProcInfo} from './types.js';
import {psUnvis, psVis} from './vis.js';

/** A `ps -o pid=,ppid=,pgid=,state=,lstart=[,command=]` row. */
export type PsRow = ProcInfo & {command: string};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

// lstart is strftime "%c" in the C locale: "Thu Nov 26 03:47:41 2026" (day of month space-padded), read with TZ=UTC0.
const ROW = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+([A-Z][a-z]{2})\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})(?:\s+(.*))?$/;

/** Epoch ms of an lstart string (UTC: darwin.ts runs ps with TZ=UTC0, so a time-zone change moves nothing), or undefined. */
export function parseLstart(lstart: string): number | undefined {
	const match = /^[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(lstart.trim());
	if (!match) {
		return undefined;
	}
	const month = MONTHS.indexOf(match[1] as (typeof MONTHS)[number]);
	if (month < 0) {
		return undefined;
	}
	return Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]));
}

/** One row of `ps -o pid=,ppid=,pgid=,state=,lstart=[,command=]`, or undefined for a line that is not one. */
export function parsePsRow(line: string): PsRow | undefined {
	const match = ROW.exec(line.replace(/\s+$/, ''));
	if (!match) {
		return undefined;
	}
	const [, pid, ppid, pgid, state, weekday, month, day, hh, mm, ss, year, command] = match;
	// The token is normalised (single spaces) so that a change of column padding never changes identity.
	const startTime = `${weekday} ${month} ${day} ${hh}:${mm}:${ss} ${year}`;
	const startedAtMs = parseLstart(startTime);
	if (startedAtMs === undefined || state === undefined) {
		return undefined;
	}
	return {
		pid: Number(pid),
		ppid: Number(ppid),
		pgid: Number(pgid),
		state,
		startTime,
		startedAtMs,
		command: command ?? '',
	};
}

/** Every row of a `ps -A -o pid=,ppid=,pgid=,state=,lstart=[,command=]` listing, keyed by pid. */
export function parsePsTable(text: string): Map<number, PsRow> {
	const rows = new Map<number, PsRow>();
	for (const line of text.split('\n')) {
		const row = parsePsRow(line);
		if (row) {
			rows.set(row.pid, row);
		}
	}
	return rows;
}

/** `ps -o pid=,command=` (with or without -E) as pid → command text. */
export function parsePidCommands(text: string): Map<number, string> {
	const commands = new Map<number, string>();
	for (const line of text.split('\n')) {
		const [, pid, command = ''] = /^\s*(\d+) ?(.*)$/.exec(line.replace(/\s+$/, '')) ?? [];
		if (pid !== undefined) {
			commands.set(Number(pid), command);
		}
	}
	return commands;
}

/** The environment part of a `ps -E` command: what follows the plain command, or the whole line when they differ (a race). */
export function environmentPart(withEnv: string, plain: string | undefined): string {
	if (plain !== undefined && plain !== '' && withEnv.startsWith(plain)) {
		return withEnv.slice(plain.length);
	}
	return withEnv;
}

/** A ps state that counts as dead (docs/lifecycle.md#alive-and-ours): macOS prints Z for a zombie, possibly with flags after it. */
export function isZombieState(state: string): boolean {
	return state.startsWith('Z');
}

/**
 * The STIGMER_COMPONENT of a space-separated `ps -E` environment whose STIGMER_HOME is exactly home.
 * ps joins variables with single spaces, so the value must be followed by a space or the end.
 */
export function psMarkerComponent(environment: string, home: string): string | undefined {
	const wanted = HOME_KEY + home;
	let at = environment.indexOf(wanted);
	let homeMatches = false;
	while (at !== -1 && !homeMatches) {
		const before = at === 0 ? ' ' : environment[at - 1];
		const after = environment[at + wanted.length] ?? ' ';
		homeMatches = before === ' ' && after === ' ';
		at = environment.indexOf(wanted, at + 1);
	}
	if (!homeMatches) {
		return undefined;
	}
	const component = new RegExp(`(?:^| )${COMPONENT_KEY}(\\S+)`).exec(environment);
	return component?.[1];
}

/**
 * `sysctl -n kern.bootsessionuuid` → the UUID, upper-case as the kernel prints it; undefined for anything else.
 * A boot's own id: kern.boottime moves whenever the clock is set, which made live components look stale.
 */
export function parseBootSessionUuid(text: string): string | undefined {
	const uuid = text.trim();
	return /^[\dA-F]{8}-[\dA-F]{4}-[\dA-F]{4}-[\dA-F]{4}-[\dA-F]{12}$/i.test(uuid) && !/^[0-]+$/.test(uuid) ? uuid.toUpperCase() : undefined;
}

/** `ps -A -o pid=,pgid=,state=` rows. */
export function parseGroupRows(text: string): {pid: number; pgid: number; state: string}[] {
	const rows: {pid: number; pgid: number; state: string}[] = [];
	for (const line of text.split('\n')) {
		const [, pid, pgid, state] = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(line) ?? [];
		if (state !== undefined) {
			rows.push({pid: Number(pid), pgid: Number(pgid), state});
		}
	}
	return rows;
}

/**
 * The marked processes of home, from a `ps -A -ww -o pid=,ppid=,pgid=,state=,lstart=,command=` table and a
 * `ps -E -A -ww -o pid=,command=` listing taken just after; zombies and selfPid are left out. ps prints both through
 * strvis, so the home is compared in that form. A supervisor, whose environment macOS hides (/bin/sh is a platform
 * binary), is found by its arguments instead (supervisor-argv.ts), when `owned` says it runs as this user.
 */
export function markedFromPs(tableText: string, envText: string, home: string, selfPid: number, owned: (pids: number[]) => Set<number> = () => new Set()): MarkedProc[] {
	const table = parsePsTable(tableText);
	const shown = psVis(home);
	const found = new Map<number, MarkedProc>();
	for (const [pid, line] of parsePidCommands(envText)) {
		if (pid === selfPid || !line.includes(shown)) {
			continue;
		}
		const row = table.get(pid);
		if (!row || isZombieState(row.state)) {
			continue; // started between the two runs, or dead
		}
		const environment = environmentPart(line, row.command);
		const component = psMarkerComponent(environment, shown);
		if (component === undefined) {
			continue;
		}
		const {command: _command, ...rest} = row;
		found.set(pid, {...rest, component, supervisor: new RegExp(`(?:^| )${SUPERVISOR_MARK}(?: |$)`).test(environment), engine: new RegExp(`(?:^| )${ENGINE_KEY}`).test(environment)});
	}
	const byArgs = [...table.values()].flatMap((row) => {
		const args = parseSupervisorCommand(row.command);
		return args?.home === shown && row.pid !== selfPid && !found.has(row.pid) && !isZombieState(row.state) ? [{row, component: args.component}] : [];
	});
	const mine = byArgs.length === 0 ? new Set<number>() : owned(byArgs.map((c) => c.row.pid));
	for (const {row, component} of byArgs.filter((c) => mine.has(c.row.pid))) {
		const {command: _command, ...rest} = row;
		found.set(row.pid, {...rest, component, supervisor: true, engine: false});
	}
	return [...found.values()];
}

/**
 * What one process claims, from its `ps -E` line and its plain command: its environment's marker, else the arguments
 * of a supervisor (when `own`, it runs as this user). The home is decoded for showing; when it is `ours` in ps's
 * encoding it is `ours` exactly (the encoding is not one-to-one, see vis.ts).
 */
export function psClaim(withEnv: string | undefined, plain: string | undefined, ours: string, own: boolean): Claim | null {
	const environment = withEnv === undefined ? '' : environmentPart(withEnv, plain);
	const marker = psMarker(environment);
	const decode = (shown: string) => (shown === psVis(ours) ? ours : psUnvis(shown));
	if (marker !== undefined) {
		return {home: decode(marker.home), component: marker.component, supervisor: new RegExp(`(?:^| )${SUPERVISOR_MARK}(?: |$)`).test(environment)};
	}
	const args = own && plain !== undefined ? parseSupervisorCommand(plain) : undefined;
	return args === undefined ? null : {home: decode(args.home), component: args.component, supervisor: true};
}

/** Listening processes from `lsof -nP -iTCP:PORT -sTCP:LISTEN -Fpc` (field output: `p<pid>`, `c<command>`, `f<fd>` lines). */
export function parseLsofListeners(text: string): {pid: number; command: string}[] {
	const found: {pid: number; command: string}[] = [];
	// The process the field lines that follow belong to.
	let current: {pid: number; command: string} | undefined;
	for (const line of text.split('\n')) {
		if (line.startsWith('p') && /^\d+$/.test(line.slice(1))) {
			current = {pid: Number(line.slice(1)), command: ''};
			found.push(current);
		} else if (line.startsWith('c') && current !== undefined) {
			current.command = line.slice(1);
		}
	}
	return found;
}

/**
 * The marker of a space-separated `ps -E` environment, whatever the home: the home runs to the next
 * ` NAME=` (ps joins variables with single spaces), the component is one word.
 */
export function psMarker(environment: string): {home: string; component: string} | undefined {
	const home = new RegExp(`(?:^| )${HOME_KEY}(.+?)(?= [A-Za-z_][A-Za-z0-9_]*=|$)`).exec(environment)?.[1];
	const component = new RegExp(`(?:^| )${COMPONENT_KEY}(\\S+)`).exec(environment)?.[1];
	return home && component ? {home, component} : undefined;
}
