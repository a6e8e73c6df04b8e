// Follow (SPEC 5): new complete lines of every selected live file, batched in time order.
// A file is tracked by its open descriptor and inode, not its name, so:
// - rename rotation: the old inode is drained through the descriptor we hold, then the new file is read from 0;
// - copy-truncate: a shrunk file (or one whose bytes before our offset changed) is read again from 0,
//   and what we had not yet read before the truncation is taken from the copy;
// - files created later are read from their start; deleted files are drained and dropped.
// chokidar watchers on data/logs/ wake us (see DIR_POLL_MS); a slow scan backs them up for missed events.
import fs from 'node:fs';
import path from 'node:path';
import type {FSWatcher} from 'chokidar';
import {homeAt} from '../paths.js';
import {listSources, openLog, type LogSelection, type Source} from './files.js';
import {Assembler} from './assembler.js';
import {resolveTimes, type LogLine, type RawLine} from './lines.js';
import {mergeSources} from './merge.js';
import type {Positions} from './tail.js';

/**
 * Backup scan: catches what the watchers miss (some filesystems, events lost at a rotation) and
 * starts them once data/logs/ exists. Each scan stats every live file, so it stays slow: the
 * watchers carry latency, and an idle dashboard pays for this scan all day.
 */
const POLL_MS = 1000;
/**
 * How we are woken, by two chokidar watchers on data/logs/. A watcher on the directory itself re-reads
 * it (readdir + an lstat per entry) on every raw event, and an appending writer makes one per write:
 * that cost ~25 % of a core at 5,000 lines/s. So the directory is stat-polled (its stat changes only
 * on adds, unlinks and renames; the poll runs in libuv and wakes JavaScript only on a change), and the
 * live files are watched one by one with fs.watch (inotify: nothing at all while idle).
 */
const DIR_POLL_MS = 100;
/** Least time between two scans while lines trickle in: a lone line shows within milliseconds. */
const MIN_SCAN_GAP_MS = 10;
/** Least time between two scans while lines pour in: a flood is read in fewer, larger batches. */
const BUSY_SCAN_GAP_MS = 40;
/** A scan that found at least this many lines means lines are pouring in. */
const BUSY_LINES = 20;
/** Read size while catching up on a file. */
const READ_CHUNK = 1024 * 1024;
/**
 * Most bytes read from one file in one scan: a burst of any size is handed on in batches of bounded
 * size (about a thousand lines per file), the next scan following at once. 200,000 lines read in one
 * go took ~280 MB before the consumer saw the first; over a 1,000,000-line burst 1 MB per file peaked
 * at 175 MB and took 7 s, 64 KiB at 70-90 MB in 2.5-4 s: a batch's objects die young.
 */
const SCAN_BYTES = 64 * 1024;
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

type Tracked = {
	source: Source;
	reader: Reader | null;
	retired: Array<{reader: Reader; until: number}>;
	/** The last scan stopped at its read budget (SCAN_BYTES): bytes are waiting. */
	more: boolean;
};

function openReader(file: string, offset: number, lastTime: number): Reader | null {
	try {
		const fd = openLog(file);
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
		const fd = openLog(file);
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

/**
 * Read [reader.offset, EOF) into lines, or only `limit` bytes of it; keeps the signature of the bytes
 * before the new offset. True when it stopped at the limit with bytes left to read.
 */
function drain(reader: Reader, out: RawLine[], limit = Number.POSITIVE_INFINITY): boolean {
	let size: number;
	try {
		size = fs.fstatSync(reader.fd).size;
	} catch {
		return false;
	}

	const stop = Math.min(size, reader.offset + limit);
	while (reader.offset < stop) {
		const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, stop - reader.offset));
		let n: number;
		try {
			n = fs.readSync(reader.fd, buf, 0, buf.length, reader.offset);
		} catch {
			return false;
		}

		if (n === 0) {
			break;
		}

		reader.assembler.feed(buf.subarray(0, n), out);
		reader.offset += n;
		const recent = n >= SIGNATURE_BYTES ? buf.subarray(n - SIGNATURE_BYTES, n) : Buffer.concat([reader.signature, buf.subarray(0, n)]);
		reader.signature = Buffer.from(recent.subarray(Math.max(0, recent.length - SIGNATURE_BYTES)));
	}

	return reader.offset < size;
}

/** Every line of a file we never had open (a rotation that came and went between two scans). */
function readWhole(file: string): RawLine[] {
	const lines: RawLine[] = [];
	const reader = openReader(file, 0, Number.NaN);
	if (reader) {
		drain(reader, lines);
		reader.assembler.flush(lines);
		closeReader(reader);
	}

	return lines;
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
 * After a copy-truncate: the copy that holds what we had read, so the rest of it can be read too, and
 * the copies made after it (several copy-truncates within one scan period), oldest first, to read whole.
 * Candidates are our rotated names and logrotate's (`x.log.1`, `x.log-20261126`), newest first.
 */
function findCopy(home: string, source: Source, reader: Reader): {copy: string; newer: string[]} | null {
	const dir = homeAt(home).logs;
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

				const bytes = Buffer.allocUnsafe(length);
				fs.readSync(fd, bytes, 0, length, reader.offset - length);
				if (bytes.equals(reader.signature)) {
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
function rotatedSince(home: string, source: Source, reader: Reader): string[] {
	const rotated = listSources(home, {components: [source.component], streams: [source.stream]})[0]?.rotated ?? [];
	for (let i = rotated.length - 1; i >= 0; i--) {
		try {
			const stat = fs.statSync(rotated[i]!);
			if (stat.ino === reader.ino && stat.dev === reader.dev) {
				return rotated.slice(i + 1);
			}
		} catch {
			// Vanished meanwhile: look further back.
		}
	}

	return [];
}

/** Takes a batch of lines; a returned promise holds the next batch back until it settles (a slow stdout). */
export type OnLines = (batch: LogLine[]) => void | Promise<void>;

/** Follow the selected live files from the given positions (from `readMergedAt`/`writeAll`), or from their current end. */
export async function followFrom(home: string, selection: LogSelection, positions: Positions | null, onLines: OnLines): Promise<{close(): Promise<void>}> {
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

	let closed = false;
	let scanning = false;
	let watchLive: (file: string) => void = () => {};
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
		again = false;
		let waiting: Promise<void> | void = undefined;
		let more = false;
		try {
			const perSource = tracked.map((t) => scanOne(home, t, watchLive));
			more = tracked.some((t) => t.more);
			const batch = mergeSources(perSource);
			gap = batch.length >= BUSY_LINES ? BUSY_SCAN_GAP_MS : MIN_SCAN_GAP_MS;
			if (batch.length > 0) {
				waiting = onLines(batch);
			}
		} finally {
			// The next batch is read once the consumer took this one (backpressure), at once if bytes are waiting.
			const next = () => {
				scanning = false;
				if ((more || again) && !closed) {
					setImmediate(scan);
				}
			};

			if (waiting instanceof Promise) {
				waiting.then(next, next);
			} else {
				next();
			}
		}
	};

	let lastScan = 0;
	let gap = MIN_SCAN_GAP_MS;
	let scheduled: NodeJS.Timeout | null = null;
	const soon = () => {
		if (scheduled === null && !closed) {
			scheduled = setTimeout(() => {
				scheduled = null;
				lastScan = Date.now();
				scan();
			}, Math.max(0, lastScan + gap - Date.now()));
		}
	};

	const dir = homeAt(home).logs;
	let watchers: FSWatcher[] | null = null;
	// The live files' watcher, told about each file we open (created later, or the new file after a rotation).
	let files: FSWatcher | null = null;
	watchLive = (file) => {
		if (files !== null) {
			files.unwatch(file);
			files.add(file);
		}
	};

	const startWatcher = async () => {
		const {watch} = await import('chokidar');
		const options = {ignoreInitial: true, persistent: true, atomic: false} as const;
		const directory = watch(dir, {...options, depth: 0, usePolling: true, interval: DIR_POLL_MS, ignored: (file: string) => file !== dir});
		const existing = tracked.map((t) => t.source.live).filter((file) => fs.existsSync(file));
		const live = watch(existing, options);
		for (const w of [directory, live]) {
			// Raw events (one per write, per changed poll) rather than `change`, which chokidar drops within
			// 50 ms of the last one; `soon` coalesces them.
			w.on('raw', soon);
			w.on('error', () => {
				// The scan timer still runs: a watcher error (e.g. too many watches) only costs latency.
			});
		}

		// (A watcher given no paths never says ready.)
		await Promise.all((existing.length > 0 ? [directory, live] : [directory]).map(async (w) => new Promise<void>((resolve) => {
			w.once('ready', resolve);
		})));
		files = live;
		watchers = [directory, live];
	};

	if (fs.existsSync(dir)) {
		await startWatcher();
	}

	let starting = false;
	const timer = setInterval(() => {
		if (watchers === null && !starting && !closed && fs.existsSync(dir)) {
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

			await Promise.all((watchers ?? []).map(async (w) => w.close()));

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

/**
 * New complete lines of one source since the last scan, with effective times: at most SCAN_BYTES
 * of each file it reads on (sets t.more when bytes are left). A rotation's rare catch-up reads
 * (the rest of a renamed file, files rotated in and out between two scans, a copy-truncate's copy)
 * are read whole: they come before the new file's lines, and the new file waits for them.
 */
function scanOne(home: string, t: Tracked, opened: (file: string) => void): LogLine[] {
	const {source} = t;
	const out: LogLine[] = [];
	t.more = false;
	const emit = (reader: Reader, lines: RawLine[]) => {
		if (lines.length > 0) {
			const timed = resolveTimes(lines, source.component, source.stream, reader.lastTime, Date.now());
			reader.lastTime = timed.at(-1)!.time;
			// One by one: spreading a burst's array into push() overflows the stack at ~200,000 lines.
			for (const line of timed) {
				out.push(line);
			}
		}
	};

	// Renamed-away files first: their lines came before the new file's.
	const now = Date.now();
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
		// Copy-truncate: what we had not read yet is in the copy, past our offset.
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
		for (const file of old ? found!.newer : []) {
			emit(reader, readWhole(file));
		}

		reader.offset = 0;
		reader.signature = Buffer.alloc(0);
		reader.assembler = new Assembler();
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
