// PID files (docs/lifecycle.md#alive-and-ours): JSON records written atomically; legacy plain numbers still read.
import fs from 'node:fs';
import type {Home} from '../paths.js';
import {notRegular, readPrivate, writePrivateAtomic} from '../private-file.js';
import {PID_TEXT_WORDS} from '../reasons.js';

/** What a PID file proves about a process we started. */
export type PidRecord = {
	pid: number;
	pgid: number;
	startTime: string;
	bootId: string;
	component: string;
	home: string;
	argv: string[];
	version: string;
	/** The component's supervisor (docs/supervision.md), leader of its group; absent in records of unsupervised starts. */
	supervisorPid?: number;
	supervisorStartTime?: string;
	/** The shell the engine spawned, when a fork of it became the supervisor (bash, docs/supervision.md): start's proof that the file is this spawn's. */
	spawnPid?: number;
};

/** A PID file's content: a full record, a legacy plain number, or unusable. */
export type PidFileContent =
	| {kind: 'record'; record: PidRecord}
	| {kind: 'legacy'; pid: number}
	| {kind: 'invalid'; why: string};

/** Largest pid any supported kernel hands out (Linux pid_max is at most 2^22). */
const PID_MAX = 4_194_304;

/** Parse a PID file's text; pure. `abc`, empty, `-5` and `99999999` are invalid, never signalled. */
export function parsePidFile(text: string): PidFileContent {
	const trimmed = text.trim();
	if (/^\d+$/.test(trimmed)) {
		const pid = Number(trimmed);
		return validPid(pid) ? {kind: 'legacy', pid} : {kind: 'invalid', why: PID_TEXT_WORDS.outOfRange(trimmed)};
	}

	if (trimmed === '') {
		return {kind: 'invalid', why: PID_TEXT_WORDS.empty};
	}

	try {
		const value = JSON.parse(trimmed) as Partial<PidRecord>;
		if (
			value && typeof value === 'object' && validPid(value.pid) && validPid(value.pgid)
			&& typeof value.startTime === 'string' && typeof value.bootId === 'string' && typeof value.component === 'string'
		) {
			const {supervisorPid, supervisorStartTime, ...rest} = value;
			// A supervisor is recorded only as a whole: a valid pid with its start time.
			const supervisor = validPid(supervisorPid) && typeof supervisorStartTime === 'string' ? {supervisorPid, supervisorStartTime} : {};
			return {kind: 'record', record: {home: '', argv: [], version: '', ...rest, ...supervisor} as PidRecord};
		}
	} catch {}

	return {kind: 'invalid', why: PID_TEXT_WORDS.notARecord(trimmed)};
}

function validPid(pid: unknown): pid is number {
	return typeof pid === 'number' && Number.isInteger(pid) && pid > 1 && pid <= PID_MAX;
}

/** Read a PID file (never through a symlink, never blocking on a FIFO); undefined when there is none. */
export function readPidFile(file: string): PidFileContent | undefined {
	try {
		const text = readPrivate(file);
		return text === undefined ? undefined : parsePidFile(text);
	} catch (error: unknown) {
		const kind = notRegular(file);
		return {kind: 'invalid', why: kind === undefined ? (error as Error).message : PID_TEXT_WORDS.notAFile(file, kind)};
	}
}

/** Write `data/<component>.pid` atomically (temp file + rename), mode 0600. */
export function writePidFile(home: Home, record: PidRecord): void {
	writePrivateAtomic(home.pidFile(record.component), `${JSON.stringify(record)}\n`);
}

/** Remove a PID file if it still holds what we read (another start may have replaced it); a directory or FIFO in its place stays (start names it). */
export function removePidFile(file: string, expected?: PidFileContent): void {
	const kind = notRegular(file);
	if (kind !== undefined && kind !== 'a symbolic link') {
		return;
	}

	if (expected !== undefined) {
		const now = readPidFile(file);
		if (now !== undefined && JSON.stringify(now) !== JSON.stringify(expected)) {
			return;
		}
	}

	fs.rmSync(file, {force: true});
}
