// Follow (SPEC 5): new complete lines of every selected live file, batched in time order.
// A file is tracked by its open descriptor and inode, not its name, so:
// - rename rotation: the old inode is drained through the descriptor we hold, then the new file is read from 0;
// - copy-truncate: a shrunk file (or one whose bytes before our offset changed) is read again from 0,
//   and what we had not yet read before the truncation is taken from the copy;
// - files created later are read from their start; deleted files are drained and dropped.
// chokidar on data/logs/ wakes us within milliseconds; a slow poll backs it up for missed events.
import fs from 'node:fs';
import path from 'node:path';
import type {FSWatcher} from 'chokidar';
import {homePaths} from '../paths.js';
import {listSources, type LogSelection, type Source} from './files.js';
import {Assembler} from './assembler.js';
import {resolveTimes, type LogLine, type RawLine} from './lines.js';
import {mergeSources} from './merge.js';
import type {Positions} from './tail.js';

/** Backup poll: catches what the watcher misses (some filesystems, events lost at rotation). */
const POLL_MS = 250;
/** Least time between two scans: a writer flushing thousands of times a second costs us at most this rate. */
const MIN_SCAN_GAP_MS = 10;
/** Read size while catching up on a file. */
const READ_CHUNK = 1024 * 1024;
/** Bytes before our offset compared on each scan to notice a truncate-and-rewrite that outgrew our offset. */
const SIGNATURE_BYTES = 64;
/** How long a renamed-away file is still drained: its writer may hold it a moment longer. */
const RETIRE_GRACE_MS = 2000;
/** Last-resort bound on how far into an existing file we look for the last complete line when starting at its end. */
const START_LOOKBACK = 64 * 1024;

/** One open file being read. */
type Reader = {
	fd: number;
	dev: number;
	ino: number;
	/** Bytes consumed (an unfinished line's included: it waits in the assembler). */
	offset: number;
	assembler: Assembler;
	/** Time of the last line given out from this file, for the untimed lines after it. */
	lastTime: number;
	/** The last bytes before `offset`, to notice a truncate-and-rewrite. */
	signature: Buffer;
	/** mtime at the last scan: an unchanged file of the size we read is skipped without a read. */
	mtimeMs: number;
};

type Tracked = {source: Source; reader: Reader | null; retired: Array<{reader: Reader; until: number}>};

function openReader(file: string, offset: number, lastTime: number): Reader | null {
	try {
		const fd = fs.openSync(file, 'r');
		const stat = fs.fstatSync(fd);
		const length = Math.min(offset, SIGNATURE_BYTES);
		const signature = Buffer.alloc(length);
		if (length > 0) {
			fs.readSync(fd, signature, 0, length, offset - length);
		}

		return {fd, dev: stat.dev, ino: stat.ino, offset, lastTime, assembler: new Assembler(), signature, mtimeMs: -1};
	} catch {
		return null;
	}
}

function closeReader(reader: Reader): void {
	try {
		fs.closeSync(reader.fd);
	} catch {
		// Already closed: nothing to release.
	}
}

/** Offset just after the last complete line of an existing file: following starts there. */
function endOfLastLine(file: string): number {
	try {
		const fd = fs.openSync(file, 'r');
		try {
			const size = fs.fstatSync(fd).size;
			const start = Math.max(0, size - START_LOOKBACK);
			const buf = Buffer.allocUnsafe(size - start);
			const n = fs.readSync(fd, buf, 0, buf.length, start);
			const nl = buf.subarray(0, n).lastIndexOf(10);
			return nl >= 0 ? start + nl + 1 : start === 0 ? 0 : size;
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return 0;
	}
}

/** Read [reader.offset, EOF) into lines; keeps the signature of the bytes before the new offset. */
function drain(reader: Reader, out: RawLine[]): void {
	let size: number;
	try {
		size = fs.fstatSync(reader.fd).size;
	} catch {
		return;
	}

	while (reader.offset < size) {
		const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - reader.offset));
		let n: number;
		try {
			n = fs.readSync(reader.fd, buf, 0, buf.length, reader.offset);
		} catch {
			return;
		}

		if (n === 0) {
			break;
		}

		reader.assembler.feed(buf.subarray(0, n), out);
		reader.offset += n;
		const recent = n >= SIGNATURE_BYTES ? buf.subarray(n - SIGNATURE_BYTES, n) : Buffer.concat([reader.signature, buf.subarray(0, n)]);
		reader.signature = Buffer.from(recent.subarray(Math.max(0, recent.length - SIGNATURE_BYTES)));
	}
}

/** True when the bytes just before our offset are no longer what we read there: the file was truncated (and maybe rewritten). */
function truncated(reader: Reader, size: number): boolean {
	if (size < reader.offset) {
		return true;
	}

	const length = reader.signature.length;
	if (length === 0 || reader.offset < length) {
		return false;
	}

	const now = Buffer.allocUnsafe(length);
	try {
		fs.readSync(reader.fd, now, 0, length, reader.offset - length);
	} catch {
		return true;
	}

	return !now.equals(reader.signature);
}

/**
 * After a copy-truncate: the copy that holds what we had read, so the rest of it can be read too.
 * Candidates are our rotated names and logrotate's (`x.log.1`, `x.log-20261126`), newest first.
 */
function findCopy(home: string, source: Source, reader: Reader): string | null {
	const dir = homePaths(home).logs;
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
		.sort((a, b) => b.mtime - a.mtime);
	for (const {file} of candidates) {
		try {
			const fd = fs.openSync(file, 'r');
			try {
				const size = fs.fstatSync(fd).size;
				const length = reader.signature.length;
				if (size < reader.offset) {
					continue;
				}

				const bytes = Buffer.allocUnsafe(length);
				fs.readSync(fd, bytes, 0, length, reader.offset - length);
				if (bytes.equals(reader.signature)) {
					return file;
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

/** Follow the selected live files from the given positions (from `readMergedAt`/`writeAll`), or from their current end. */
export async function followFrom(home: string, selection: LogSelection, positions: Positions | null, onLines: (batch: LogLine[]) => void): Promise<{close(): Promise<void>}> {
	const tracked: Tracked[] = listSources(home, selection).map((source) => ({source, reader: null, retired: []}));
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

	let closed = false;
	let scanning = false;
	let again = false;
	// Nothing is emitted before the caller holds the follower (and has printed any tail it read first).
	let live = false;

	const scan = () => {
		if (closed || !live) {
			return;
		}

		if (scanning) {
			again = true;
			return;
		}

		scanning = true;
		try {
			do {
				again = false;
				const perSource = tracked.map((t) => scanOne(home, t));
				const batch = mergeSources(perSource);
				if (batch.length > 0) {
					onLines(batch);
				}
			} while (again && !closed);
		} finally {
			scanning = false;
		}
	};

	let lastScan = 0;
	let scheduled: NodeJS.Timeout | null = null;
	const soon = () => {
		if (scheduled === null && !closed) {
			scheduled = setTimeout(() => {
				scheduled = null;
				lastScan = Date.now();
				scan();
			}, Math.max(0, lastScan + MIN_SCAN_GAP_MS - Date.now()));
		}
	};

	const dir = homePaths(home).logs;
	let watcher: FSWatcher | null = null;
	const startWatcher = async () => {
		const {watch} = await import('chokidar');
		const w = watch(dir, {depth: 0, ignoreInitial: true, persistent: true, atomic: false});
		// chokidar drops `change` events within 50 ms of the last one (no trailing event): raw events
		// arrive for every write, and `soon` coalesces them.
		w.on('all', soon);
		w.on('raw', soon);
		w.on('error', () => {
			// The poll still runs: a watcher error (e.g. too many watches) only costs latency.
		});
		await new Promise<void>((resolve) => {
			w.once('ready', resolve);
		});
		watcher = w;
	};

	if (fs.existsSync(dir)) {
		await startWatcher();
	}

	let starting = false;
	const timer = setInterval(() => {
		if (watcher === null && !starting && !closed && fs.existsSync(dir)) {
			starting = true;
			void startWatcher().finally(() => {
				starting = false;
			});
		}

		scan();
	}, POLL_MS);
	setImmediate(() => {
		live = true;
		scan();
	});

	return {
		async close() {
			closed = true;
			clearInterval(timer);
			if (scheduled) {
				clearTimeout(scheduled);
			}

			const w = watcher as FSWatcher | null;
			if (w) {
				await w.close();
			}

			for (const t of tracked) {
				for (const r of [t.reader, ...t.retired.map((x) => x.reader)]) {
					if (r) {
						closeReader(r);
					}
				}
			}
		},
	};
}

/** New complete lines of one source since the last scan, with effective times. */
function scanOne(home: string, t: Tracked): LogLine[] {
	const {source} = t;
	const out: LogLine[] = [];
	const emit = (reader: Reader, lines: RawLine[]) => {
		if (lines.length > 0) {
			const timed = resolveTimes(lines, source.component, source.stream, reader.lastTime, Date.now());
			reader.lastTime = timed.at(-1)!.time;
			out.push(...timed);
		}
	};

	// Renamed-away files first: their lines came before the new file's.
	const now = Date.now();
	t.retired = t.retired.filter(({reader, until}) => {
		const lines: RawLine[] = [];
		drain(reader, lines);
		const expired = now >= until;
		if (expired) {
			reader.assembler.flush(lines);
			closeReader(reader);
		}

		emit(reader, lines);
		return !expired;
	});

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
		// Copy-truncate: what we had not read yet is in the copy, past our offset.
		const lines: RawLine[] = [];
		const copy = reader.offset > 0 ? findCopy(home, source, reader) : null;
		const old = copy ? openReader(copy, reader.offset, reader.lastTime) : null;
		if (old) {
			old.assembler = reader.assembler;
			drain(old, lines);
			old.assembler.flush(lines);
			closeReader(old);
		} else {
			reader.assembler.reset();
		}

		emit(reader, lines);
		reader.offset = 0;
		reader.signature = Buffer.alloc(0);
		reader.assembler = new Assembler();
	}

	if (!reader && stat) {
		reader = openReader(source.live, 0, Number.NaN);
		t.reader = reader;
	}

	if (reader) {
		const lines: RawLine[] = [];
		drain(reader, lines);
		emit(reader, lines);
	}

	return out;
}
