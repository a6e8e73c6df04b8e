// A component's supervisor record, data/<component>.state (docs/supervision.md): the sh supervisor writes it at each exit,
// the engine at start (reset), on a start failure and on stop. JSON, replaced atomically, never followed if a symlink.
import fs from 'node:fs';
import path from 'node:path';
import type {Home} from '../paths.js';
import {readBounded, writePrivateAtomic} from '../private-file.js';
import {RECORD_WORDS} from '../reasons.js';

/** The latest exit of the component's own process that was not a stop; times are epoch ms. */
export type ExitRecord = {code: number | null; signal: string | null; atMs: number; uptimeMs: number};

/**
 * `stopping`: the engine marks a stop under way before it sends a signal, so the supervisor records none of it as a
 * crash; `ending`: the supervisor ends what is left of an exited component's group before it records the exit.
 */
export const RECORD_STATES = ['starting', 'running', 'backoff', 'ending', 'stopping', 'exited', 'failed', 'stopped'] as const;
/** A record is a few hundred bytes; anything larger is not one of ours, and is never read whole. */
const MAX_RECORD_BYTES = 64 * 1024;
/** The largest epoch ms a Date holds. */
const MAX_DATE_MS = 8.64e15;

export type SupervisorRecord = {
	state: (typeof RECORD_STATES)[number];
	/** Automatic restarts since the last start (reset by a run of min_uptime). */
	restarts: number;
	maxRestarts: number;
	policy: string;
	lastExit: ExitRecord | null;
	nextRestartAtMs: number | null;
	/** When it gave up: how long the run of quick failures lasted. */
	streakMs: number | null;
	supervisorPid: number | null;
	/** Set by the engine when a start failed (the supervisor's own records derive their words from the fields). */
	reason?: string | null;
};

/** A fresh record: what `start` writes before spawning (docs/supervision.md: start resets restarts and the last exit). */
export function freshRecord(maxRestarts: number, policy: string): SupervisorRecord {
	return {state: 'starting', restarts: 0, maxRestarts, policy, lastExit: null, nextRestartAtMs: null, streakMs: null, supervisorPid: null};
}

/** Parse a state file's text; undefined when it is not a record (a half-written or foreign file is ignored). Pure. */
export function parseRecord(text: string): SupervisorRecord | undefined {
	try {
		const value = JSON.parse(text) as Partial<SupervisorRecord>;
		const state = value && typeof value === 'object' ? RECORD_STATES.find((s) => s === value.state) : undefined;
		if (state === undefined || typeof value.restarts !== 'number') {
			return undefined;
		}

		const exit = value.lastExit;
		const lastExit = exit && typeof exit === 'object' && isTime(exit.atMs) ? {code: isCount(exit.code) ? exit.code : null, signal: typeof exit.signal === 'string' ? exit.signal : null, atMs: exit.atMs, uptimeMs: isCount(exit.uptimeMs) ? exit.uptimeMs : 0} : null;
		if (!isCount(value.restarts) || (exit !== null && exit !== undefined && lastExit === null) || (value.nextRestartAtMs != null && !isTime(value.nextRestartAtMs))) {
			return undefined;
		}

		return {
			state,
			restarts: value.restarts,
			maxRestarts: typeof value.maxRestarts === 'number' ? value.maxRestarts : 0,
			policy: typeof value.policy === 'string' ? value.policy : '',
			lastExit,
			nextRestartAtMs: isTime(value.nextRestartAtMs) ? value.nextRestartAtMs : null,
			streakMs: isCount(value.streakMs) ? value.streakMs : null,
			supervisorPid: typeof value.supervisorPid === 'number' ? value.supervisorPid : null,
			reason: typeof value.reason === 'string' ? value.reason : null,
		};
	} catch {
		return undefined;
	}
}

/** A whole number a record may hold (a count, a code, a duration). */
function isCount(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Epoch ms a Date can hold. */
function isTime(value: unknown): value is number {
	return isCount(value) && value <= MAX_DATE_MS;
}

/** What reading a record gave: the record, or why there is none that can be used (undefined when there is no file). */
export type RecordRead = {record?: SupervisorRecord; problem?: string};

/**
 * The component's record, read with a size bound and without following a symlink; a file that is not a record
 * (garbage, out-of-range numbers, too large, a directory, a symlink) is ignored and named.
 */
export function inspectRecord(home: Home, component: string): RecordRead {
	const file = home.stateFile(component);
	const read = readBounded(file, MAX_RECORD_BYTES);
	switch (read.kind) {
		case 'absent': {
			return {};
		}

		case 'text': {
			const record = parseRecord(read.text);
			return record === undefined ? {problem: RECORD_WORDS.notARecord(file)} : {record};
		}

		case 'too-large': {
			return {problem: RECORD_WORDS.tooLarge(file, read.size)};
		}

		default: {
			return {problem: RECORD_WORDS.unusable(file, read.kind)};
		}
	}
}

/** The component's record, or undefined when there is none that can be used. */
export function readRecord(home: Home, component: string): SupervisorRecord | undefined {
	return inspectRecord(home, component).record;
}

/** Replace the record atomically (temp file + rename, mode 0600). A failure to write costs only the record. */
export function writeRecord(home: Home, component: string, record: SupervisorRecord): void {
	try {
		// A directory (or other non-file) where the record belongs is refused, never written into (docs/safety.md).
		writePrivateAtomic(home.stateFile(component), `${JSON.stringify(record)}\n`);
	} catch {}
}

/** data/<component>.stopping: the engine's mark of a stop of the component, separate from the record the supervisor rewrites. */
export function stoppingFile(home: Home, component: string): string {
	return path.join(path.dirname(home.stateFile(component)), `${component}.stopping`);
}

/**
 * Before the engine signals a supervised component: its supervisor then records none of what follows as a crash
 * (docs/supervision.md). A file of its own, created exclusively (never through a symlink), so neither side overwrites
 * the other's record; the record is rewritten only once the group is gone.
 */
export function markStopping(home: Home, component: string): void {
	const file = stoppingFile(home, component);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			fs.writeFileSync(file, '', {mode: 0o600, flag: 'wx'});
			return;
		} catch {
			const kind = fs.lstatSync(file, {throwIfNoEntry: false});
			if (kind === undefined || kind.isFile() || kind.isDirectory()) {
				return; // Marked already (or unwritable: a directory is never removed).
			}

			// A symlink, FIFO…: the supervisor only believes a regular file, so it is replaced, never written through.
			fs.rmSync(file, {force: true});
		}
	}
}

/** A start of the component: the mark of an earlier stop must not stop its new supervisor. */
export function clearStopping(home: Home, component: string): void {
	try {
		fs.rmSync(stoppingFile(home, component), {force: true});
	} catch {
		// Not a file (a directory): the supervisor tests for a regular file, so it marks nothing.
	}
}
