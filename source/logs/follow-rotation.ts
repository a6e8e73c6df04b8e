// Following, part 2: one source across rotations (follow.ts schedules, follow-read.ts reads). A file is
// tracked by its open descriptor and inode, not its name, so:
// - rename rotation: the old inode is drained through the descriptor we hold, then the new file is read from 0;
// - copy-truncate: a shrunk file (or one whose bytes before our offset changed) is read again from 0,
//   and what we had not yet read before the truncation is taken from the copy;
// - files created later are read from their start; deleted files are drained and dropped.
import fs from 'node:fs';
import path from 'node:path';
import type {Home} from '../paths.js';
import {readRange} from '../read-range.js';
import {Assembler} from './assembler.js';
import {listSources, openLog, type LogSelection, type Source} from './files.js';
import {closeReader, drain, endOfLastLine, openReader, readWhole, SCAN_BYTES, truncated, type Reader} from './follow-read.js';
import {stampArrivals, type LogLine, type RawLine} from './lines.js';
import type {Positions} from './tail.js';

/** How long a renamed-away file is still drained: its writer may hold it a moment longer. */
const RETIRE_GRACE_MS = 2000;
/** One source being followed: its live file's reader and renamed-away files still draining. */
export type Tracked = {
	source: Source;
	reader: Reader | null;
	retired: Array<{reader: Reader; until: number}>;
	/** The last scan stopped at its read budget (SCAN_BYTES): bytes are waiting. */
	more: boolean;
};

/** The selected sources, each opened at its position (from a tail read), or at its current end when positions is null. */
export function track(home: Home, selection: LogSelection, positions: Positions | null): Tracked[] {
	const tracked: Tracked[] = listSources(home, selection).map((source) => ({source, reader: null, retired: [], more: false}));
	for (const t of tracked) {
		const position = positions?.get(t.source.live);
		if (position === undefined) {
			if (positions === null && fs.existsSync(t.source.live)) {
				t.reader = openReader(t.source.live, endOfLastLine(t.source.live), Number.NaN);
			}

			continue;
		}

		const reader = openReader(t.source.live, position.offset, position.lastTime);
		if (reader && reader.dev === position.dev && reader.ino === position.ino) {
			t.reader = reader;
			continue;
		}

		// Rotated between the read and now: finish the old inode under its new name, then read the new file whole.
		if (reader) {
			closeReader(reader);
		}

		for (const file of listSources(home, {components: [t.source.component], streams: [t.source.stream]})[0]?.rotated ?? []) {
			const old = openReader(file, position.offset, position.lastTime);
			if (old && old.dev === position.dev && old.ino === position.ino) {
				t.retired.push({reader: old, until: Date.now() + RETIRE_GRACE_MS});
			} else if (old) {
				closeReader(old);
			}
		}

		t.reader = openReader(t.source.live, 0, Number.NaN);
	}

	return tracked;
}

/** Close every file a source holds. */
export function untrack(t: Tracked): void {
	for (const r of [t.reader, ...t.retired.map((x) => x.reader)]) {
		if (r) {
			closeReader(r);
		}
	}
}

/**
 * After a copy-truncate: the copy that holds what we had read, so the rest of it can be read too, and
 * the copies made after it (several copy-truncates within one scan period), oldest first, to read whole.
 * Candidates are our rotated names and logrotate's (`x.log.1`, `x.log-20261126`), newest first.
 */
function findCopy(home: Home, source: Source, reader: Reader): {copy: string; newer: string[]} | null {
	const dir = home.logs;
	const prefix = path.basename(source.live);
	const candidates = fs.readdirSync(dir)
		.filter((name) => name.startsWith(prefix) && name.length > prefix.length)
		.map((name) => {
			const file = path.join(dir, name);
			try {
				return {file, mtime: fs.statSync(file).mtimeMs};
			} catch {
				return {file, mtime: 0};
			}
		})
		.sort((a, b) => b.mtime - a.mtime || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
	for (const [index, {file}] of candidates.entries()) {
		try {
			const fd = openLog(file);
			try {
				const size = fs.fstatSync(fd).size;
				const length = reader.signature.length;
				if (size < reader.offset) {
					continue;
				}

				if (readRange(fd, reader.offset - length, reader.offset).equals(reader.signature)) {
					return {copy: file, newer: candidates.slice(0, index).map((c) => c.file).reverse()};
				}
			} finally {
				fs.closeSync(fd);
			}
		} catch {
			// Vanished meanwhile: try the next one.
		}
	}

	return null;
}

/**
 * The rotated files of `source` newer than the one `reader` holds (found by its inode), oldest first:
 * after several rotations within one scan period these were live once but never opened by us.
 * Nothing when the held file was deleted rather than renamed.
 */
function rotatedSince(home: Home, source: Source, reader: Reader): string[] {
	const rotated = listSources(home, {components: [source.component], streams: [source.stream]})[0]?.rotated ?? [];
	for (const [i, file] of [...rotated.entries()].reverse()) {
		try {
			const stat = fs.statSync(file);
			if (stat.ino === reader.ino && stat.dev === reader.dev) {
				return rotated.slice(i + 1);
			}
		} catch {
			// Vanished meanwhile: look further back.
		}
	}

	return [];
}

type Emit = (reader: Reader, lines: RawLine[]) => void;

/** Read on in the renamed-away files, oldest first, at most SCAN_BYTES each (sets t.more); a drained one is closed once its grace period is over. */
function scanRetired(t: Tracked, now: number, emit: Emit): void {
	t.retired = t.retired.filter(({reader, until}) => {
		if (t.more) {
			return true; // an older file still has lines to give: this one waits its turn
		}

		const lines: RawLine[] = [];
		t.more = drain(reader, lines, SCAN_BYTES);
		const expired = now >= until && !t.more;
		if (expired) {
			reader.assembler.flush(lines);
			closeReader(reader);
		}

		emit(reader, lines);
		return !expired;
	});
}

/** Copy-truncate: what we had not read yet is in the copy, past our offset; then the live file is read from its start. */
function afterTruncation(home: Home, source: Source, reader: Reader, emit: Emit): void {
	const lines: RawLine[] = [];
	const found = reader.offset > 0 ? findCopy(home, source, reader) : null;
	const old = found ? openReader(found.copy, reader.offset, reader.lastTime) : null;
	if (old) {
		old.assembler = reader.assembler;
		drain(old, lines);
		old.assembler.flush(lines);
		closeReader(old);
	} else {
		reader.assembler.reset();
	}

	emit(reader, lines);
	for (const file of old && found ? found.newer : []) {
		emit(reader, readWhole(file));
	}

	reader.offset = 0;
	reader.signature = Buffer.alloc(0);
	reader.assembler = new Assembler();
}

/**
 * New complete lines of one source since the last scan, with effective times: at most SCAN_BYTES
 * of each file it reads on (sets t.more when bytes are left). A rotation's rare catch-up reads
 * (the rest of a renamed file, files rotated in and out between two scans, a copy-truncate's copy)
 * are read whole: they come before the new file's lines, and the new file waits for them.
 */
export function scanOne(home: Home, t: Tracked, opened: (file: string) => void): LogLine[] {
	const {source} = t;
	const out: LogLine[] = [];
	t.more = false;
	const emit: Emit = (reader, lines) => {
		// One by one: spreading a burst's array into push() overflows the stack at ~200,000 lines.
		for (const line of stampArrivals(lines, source.component, source.stream, reader.lastTime, Date.now())) {
			out.push(line);
			reader.lastTime = line.time;
		}
	};

	// Renamed-away files first: their lines came before the new file's.
	const now = Date.now();
	scanRetired(t, now, emit);
	if (t.more) {
		return out; // the new file's lines wait until the old file's are out
	}

	let stat: fs.Stats | null = null;
	try {
		stat = fs.statSync(source.live);
	} catch {
		stat = null;
	}

	let reader = t.reader;
	if (reader && (stat === null || stat.ino !== reader.ino || stat.dev !== reader.dev)) {
		// Renamed or deleted: drain what is left through our descriptor and keep it for a grace period.
		const lines: RawLine[] = [];
		drain(reader, lines);
		emit(reader, lines);
		t.retired.push({reader, until: now + RETIRE_GRACE_MS});
		// Files rotated in and out again between two scans were never open: read them whole, in order.
		for (const file of rotatedSince(home, source, reader)) {
			emit(reader, readWhole(file));
		}

		t.reader = null;
		reader = null;
	}

	if (reader && stat && stat.size === reader.offset && stat.mtimeMs === reader.mtimeMs) {
		return out; // unchanged since the last scan
	}

	if (reader && stat) {
		reader.mtimeMs = stat.mtimeMs;
	}

	if (reader && stat && truncated(reader, stat.size)) {
		afterTruncation(home, source, reader, emit);
	}

	if (!reader && stat) {
		reader = openReader(source.live, 0, Number.NaN);
		t.reader = reader;
		if (reader) {
			opened(source.live);
		}
	}

	if (reader) {
		const lines: RawLine[] = [];
		t.more = drain(reader, lines, SCAN_BYTES);
		emit(reader, lines);
	}

	return out;
}
