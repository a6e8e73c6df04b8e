// A component's supervisor record, data/<component>.state (SPEC 4.8): the sh supervisor writes it at each exit,
// the engine at start (reset), on a start failure and on stop. JSON, replaced atomically, never followed if a symlink.
import fs from 'node:fs';
import path from 'node:path';
import {formatDuration, plural} from '../units.js';
import type {Home} from '../paths.js';

/** The latest exit of the component's own process that was not a stop; times are epoch ms. */
export type ExitRecord = {code: number | null; signal: string | null; atMs: number; uptimeMs: number};

export const RECORD_STATES = ['starting', 'running', 'backoff', 'exited', 'failed', 'stopped'] as const;

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

/** A fresh record: what `start` writes before spawning (SPEC 4.8: start resets restarts and the last exit). */
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
		const lastExit = exit && typeof exit === 'object' && typeof exit.atMs === 'number' ? {code: exit.code ?? null, signal: exit.signal ?? null, atMs: exit.atMs, uptimeMs: exit.uptimeMs ?? 0} : null;
		return {
			state,
			restarts: value.restarts,
			maxRestarts: typeof value.maxRestarts === 'number' ? value.maxRestarts : 0,
			policy: typeof value.policy === 'string' ? value.policy : '',
			lastExit,
			nextRestartAtMs: typeof value.nextRestartAtMs === 'number' ? value.nextRestartAtMs : null,
			streakMs: typeof value.streakMs === 'number' ? value.streakMs : null,
			supervisorPid: typeof value.supervisorPid === 'number' ? value.supervisorPid : null,
			reason: typeof value.reason === 'string' ? value.reason : null,
		};
	} catch {
		return undefined;
	}
}

/** The component's record, or undefined when there is none (never started under a supervisor) or it is not a regular file. */
export function readRecord(home: Home, component: string): SupervisorRecord | undefined {
	let fd: number;
	try {
		fd = fs.openSync(home.stateFile(component), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
	} catch {
		return undefined;
	}

	try {
		return fs.fstatSync(fd).isFile() ? parseRecord(fs.readFileSync(fd, 'utf8')) : undefined;
	} catch {
		return undefined;
	} finally {
		fs.closeSync(fd);
	}
}

/** Replace the record atomically (temp file + rename, mode 0600). A failure to write costs only the record. */
export function writeRecord(home: Home, component: string, record: SupervisorRecord): void {
	const file = home.stateFile(component);
	const temporary = path.join(path.dirname(file), `.${component}.state.${process.pid}.tmp`);
	try {
		fs.rmSync(temporary, {force: true});
		fs.writeFileSync(temporary, `${JSON.stringify(record)}\n`, {mode: 0o600, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch {
		fs.rmSync(temporary, {force: true});
	}
}

/** Update fields of an existing record (stop marks it stopped); nothing when there is none. */
export function updateRecord(home: Home, component: string, fields: Partial<SupervisorRecord>): void {
	const record = readRecord(home, component);
	if (record !== undefined) {
		writeRecord(home, component, {...record, ...fields});
	}
}

/** Why a record's component is where it is, in words (SPEC 4.6): `exit code 3; gave up after 5 restarts in 14s`. */
export function recordReason(record: SupervisorRecord): string | null {
	if (record.reason) {
		return record.reason;
	}

	const exit = record.lastExit;
	if (exit === null) {
		return null;
	}

	const how = exit.code === null ? `killed by ${exit.signal ?? 'a signal'}` : `exit code ${exit.code}`;
	switch (record.state) {
		case 'backoff': {
			return `${how}; restart ${record.restarts} of ${record.maxRestarts}`;
		}

		case 'failed': {
			if (record.streakMs !== null) {
				return `${how}; gave up after ${record.restarts} ${plural(record.restarts, 'restart')} in ${formatDuration(record.streakMs)}`;
			}

			return record.policy === 'no' ? `${how}; not restarted (restart: no)` : `${how} while starting`;
		}

		case 'exited': {
			if (record.streakMs !== null) {
				return `${how}; gave up after ${record.restarts} ${plural(record.restarts, 'restart')} in ${formatDuration(record.streakMs)}`;
			}

			return `${how}; not restarted (restart: ${record.policy})`;
		}

		default: {
			return how;
		}
	}
}
