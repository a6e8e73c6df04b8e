// The forward reader of `-n 0`: one source's files in order (rotated, then live), read in large
// chunks straight into a read slot of the merge kernel's memory and parsed there into line records
// (kernel.ts); the kernel declines the rarer layouts and those lines are parsed here with parse.ts.
// It runs wherever parsing runs: in the merging thread, or in worker.ts beside it.
import {isAscii, isUtf8} from 'node:buffer';
import fs from 'node:fs';
import {itemAt} from '../../item-at.js';
import {openLog, type Source} from '../files.js';
import {CAPACITY, CARRY, DECLINED, HIDDEN, INHERITED, JS_RENDER, type Kernel, type Records} from './kernel.js';
import {LineFilter, type FilterSpec} from '../filter.js';
import {lastLevel, lastTime, parseInto} from '../parse.js';
import {readRuns, RunPlacer} from '../runs.js';
import type {FilePosition} from '../tail.js';

/** A filled slot: n lines (0: the source is done), and the buffer of the one line too long for a slot. */
export type Batch = {n: number; external: Buffer | null};

/** Reads one source's files forward, a batch of lines per `fill`. */
export class SourceReader {
	/** Files not opened yet, oldest first: rotated ones, then the live one. */
	private readonly files: string[];
	/** The open file (when fd >= 0). */
	private path = '';
	private fd = -1;
	private pos = 0;
	private size = 0;
	private mtime = 0;
	private dev = 0;
	private ino = 0;
	private live = false;
	/** Time of the previous line in the current file, NaN before the first. */
	private lastTime = Number.NaN;
	/** Bytes read but not yet parsed, in `pendingBuf`: complete lines up to `pendingLines`, then a partial line up to `pendingEnd`. */
	private pendingBuf: Buffer;
	private pendingFrom = 0;
	private pendingLines = 0;
	private pendingEnd = 0;
	private pendingClean = true;
	private readonly slots: Array<{region: number; records: Records}>;
	/** The open file's recorded runs, when it has any: its untimed lines are placed in them. */
	private placer: RunPlacer | null = null;
	/** `--grep`/`--level`, when given: lines it drops are flagged HIDDEN for the kernel. */
	private readonly filter: LineFilter | null;
	/** Whether the line before, in this file, was kept (a stack trace stays with its kept parent). */
	private lastKept = false;
	/** Per record of a batch: 1 when its text matches `--grep` (scratch, reused). */
	private readonly matched = new Uint8Array(CAPACITY);
	/** Where the live file was left (for follow), once it is closed. */
	position: FilePosition | null = null;

	/** `sinceMs`: rotated files last written before it are skipped (their lines are older). */
	constructor(private readonly source: Source, private readonly kernel: Kernel, k: number, private readonly sinceMs = Number.NEGATIVE_INFINITY, filter?: FilterSpec) {
		this.files = [...source.rotated, source.live];
		const compiled = filter === undefined ? null : new LineFilter(filter);
		this.filter = compiled === null || compiled.none ? null : compiled;
		this.pendingBuf = kernel.bytes;
		this.slots = kernel.slots(k);
	}

	/** Fill slot s with the next batch of lines. */
	fill(s: number): Batch {
		const {region, records} = itemAt(this.slots, s);
		while (true) {
			const pending = this.pendingEnd - this.pendingFrom;
			if (this.pendingLines > this.pendingFrom) {
				// Complete lines left from the last chunk (a batch holds CAPACITY lines): parse them from here.
				this.pendingBuf.copy(this.kernel.bytes, region, this.pendingFrom, this.pendingEnd);
				return this.parse(records, region, region + (this.pendingLines - this.pendingFrom), region + pending, this.pendingClean);
			}

			if (this.fd < 0 || (this.pos >= this.size && (pending === 0 || this.live))) {
				if (!this.openNext()) {
					return {n: 0, external: null};
				}

				continue;
			}

			if (pending > CARRY) {
				return this.longLine(records);
			}

			this.pendingBuf.copy(this.kernel.bytes, region, this.pendingFrom, this.pendingEnd); // a memmove within the memory
			const want = Math.min(this.kernel.layout.chunk, this.size - this.pos);
			const got = this.read(this.kernel.bytes, region + pending, want);
			const length = region + pending + got;
			const finished = this.pos >= this.size && !this.live;
			const end = finished ? length : region + this.kernel.bytes.subarray(region, length).lastIndexOf(10) + 1;
			if (end > region) {
				const lines = this.kernel.bytes.subarray(region, end);
				return this.parse(records, region, end, length, lines.indexOf(0) < 0 && isUtf8(lines));
			}

			// No complete line yet: all of it is a partial line, carried on.
			this.pendingBuf = this.kernel.bytes;
			this.pendingFrom = region;
			this.pendingLines = region;
			this.pendingEnd = length;
		}
	}

	/** Release the file (a merge that stopped early, or the end). */
	close(): void {
		if (this.fd >= 0) {
			if (this.live) {
				this.position = {path: this.path, dev: this.dev, ino: this.ino, offset: this.pos - (this.pendingEnd - this.pendingFrom), lastTime: this.lastTime};
			}

			fs.closeSync(this.fd);
			this.fd = -1;
		}

		this.pendingFrom = 0;
		this.pendingLines = 0;
		this.pendingEnd = 0;
	}

	private openNext(): boolean {
		this.close();
		for (let file = this.files.shift(); file !== undefined; file = this.files.shift()) {
			try {
				this.fd = openLog(file);
			} catch {
				continue;
			}

			const stat = fs.fstatSync(this.fd);
			this.live = this.files.length === 0;
			if (!this.live && stat.mtimeMs < this.sinceMs) {
				fs.closeSync(this.fd);
				this.fd = -1;
				continue;
			}

			this.path = file;
			this.size = stat.size;
			this.mtime = stat.mtimeMs;
			this.dev = stat.dev;
			this.ino = stat.ino;
			this.pos = 0;
			this.lastTime = Number.NaN;
			const runs = readRuns(file, this.source.stream);
			this.placer = runs.length > 0 ? new RunPlacer(runs) : null;
			this.lastKept = false;
			return true;
		}

		return false;
	}

	/** Read up to `want` bytes at the file position into buf[at]; a file that shrank ends early. */
	private read(buf: Buffer, at: number, want: number): number {
		let got = 0;
		while (got < want) {
			const r = fs.readSync(this.fd, buf, at + got, want - got, this.pos + got);
			if (r === 0) {
				break;
			}

			got += r;
		}

		this.pos += got;
		if (got < want) {
			this.size = this.pos;
		}

		return got;
	}

	/**
	 * Parse [from, end) (complete lines) into the records, up to CAPACITY lines; what is left up to
	 * `length` stays pending. The kernel splits and parses; declined lines are parsed here.
	 */
	private parse(r: Records, from: number, end: number, length: number, clean: boolean): Batch {
		const x = this.kernel.x;
		const n = x.parse(r.base, from, end);
		const parsedTo = x.parsedUpTo();
		// Hot per-line loops over the record views: i < n ≤ CAPACITY, the views' length, so `flags[i]!` holds.
		if (x.declinedLines() > 0) {
			for (let i = 0; i < n; i++) {
				if ((r.flags[i]! & DECLINED) !== 0) {
					this.parseHere(r, i, this.kernel.bytes);
				}
			}
		}

		if (!clean) {
			for (let i = 0; i < n; i++) {
				r.flags[i]! |= JS_RENDER;
			}
		}

		this.lastTime = x.resolve(r.base, n, this.lastTime, this.mtime);
		this.placeInRuns(r, n, this.pos - length);
		this.hide(r, n, this.kernel.bytes, from, parsedTo);
		this.pendingBuf = this.kernel.bytes;
		this.pendingFrom = parsedTo;
		this.pendingLines = end;
		this.pendingEnd = length;
		this.pendingClean = clean;
		return {n, external: null};
	}

	/**
	 * The kernel gave each untimed line the time of the line before it in the file; one inside a
	 * recorded run takes its place in that run instead (runs.ts). `delta` turns a record's address into
	 * its file offset. A plain loop over typed arrays: a few ns a line, and only for files with runs.
	 */
	private placeInRuns(r: Records, n: number, delta: number): void {
		const placer = this.placer;
		if (placer === null) {
			return;
		}

		for (let i = 0; i < n; i++) {
			const inherited = (r.flags[i]! & INHERITED) !== 0;
			const time = placer.place(r.starts[i]! + delta, inherited ? Number.NaN : r.times[i]!);
			if (inherited && !Number.isNaN(time)) {
				r.times[i] = time;
			}
		}
	}

	/**
	 * Flag the records `--grep`/`--level` drop HIDDEN: the kernel merges them in place but writes nothing.
	 * A literal pattern over pure-ASCII bytes is looked for by the kernel (exact there: ASCII has no
	 * other case folds); otherwise each line is tested by re2js.
	 */
	private hide(r: Records, n: number, buf: Buffer, from: number, end: number): void {
		const filter = this.filter;
		if (filter === null) {
			return;
		}

		const matched = this.matched;
		const kernel = this.kernel;
		if (filter.pattern === null) {
			matched.fill(1, 0, n);
		} else if (filter.literal !== null && buf === kernel.bytes && isAscii(buf.subarray(from, end))) {
			kernel.needle(filter.literal.text, filter.literal.fold);
			kernel.x.hideUnmatched(r.base, n);
			if (!filter.byLevel) {
				return;
			}

			for (let i = 0; i < n; i++) {
				matched[i] = (r.flags[i]! & HIDDEN) === 0 ? 1 : 0;
			}
		} else {
			for (let i = 0; i < n; i++) {
				matched[i] = filter.matches(buf.toString('utf8', r.starts[i], r.ends[i])) ? 1 : 0;
			}
		}

		for (let i = 0; i < n; i++) {
			if (!filter.byLevel) {
				if (matched[i] === 0) {
					r.flags[i]! |= HIDDEN;
				}

				continue;
			}

			const kept = matched[i] === 1 && filter.levelPasses(this.kernel.levelName(r.levels[i]!), (r.flags[i]! & INHERITED) !== 0, this.lastKept);
			if (!kept) {
				r.flags[i]! |= HIDDEN;
			}

			this.lastKept = kept;
		}
	}

	/** Record i's own time and level by the general parser. */
	private parseHere(r: Records, i: number, buf: Buffer): void {
		parseInto(buf.toString('latin1', r.starts[i], r.ends[i]));
		r.times[i] = lastTime();
		r.levels[i] = this.kernel.levelCode(lastLevel());
	}

	/**
	 * A line longer than CARRY: read to its end into a buffer of its own (shared, so another thread
	 * can render it) and hand it over alone. On a live file without its newline yet, it stays pending.
	 */
	private longLine(r: Records): Batch {
		const offset = this.pos - (this.pendingEnd - this.pendingFrom);
		let buf = Buffer.from(new SharedArrayBuffer(2 * (this.pendingEnd - this.pendingFrom)));
		let length = this.pendingBuf.copy(buf, 0, this.pendingFrom, this.pendingEnd);
		let nl = -1;
		while (nl < 0 && this.pos < this.size) {
			if (length === buf.length) {
				const bigger = Buffer.from(new SharedArrayBuffer(2 * buf.length));
				buf.copy(bigger);
				buf = bigger;
			}

			const got = this.read(buf, length, Math.min(buf.length - length, this.size - this.pos));
			const at = buf.subarray(length, length + got).indexOf(10);
			nl = at < 0 ? -1 : length + at;
			length += got;
		}

		if (nl < 0 && this.live) {
			this.pendingBuf = buf;
			this.pendingFrom = 0;
			this.pendingLines = 0;
			this.pendingEnd = length;
			return {n: 0, external: null}; // held back until its newline arrives: `close` leaves following there
		}

		const lineEnd = nl < 0 ? length : nl;
		if (nl >= 0) {
			this.pos -= length - (nl + 1); // bytes after the newline are read again as the next chunk
		}

		r.starts[0] = 0;
		r.ends[0] = lineEnd > 0 && buf[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd;
		r.flags[0] = JS_RENDER;
		this.parseHere(r, 0, buf);
		this.lastTime = this.kernel.x.resolve(r.base, 1, this.lastTime, this.mtime);
		this.placeInRuns(r, 1, offset);
		this.hide(r, 1, buf, 0, lineEnd);
		this.pendingFrom = 0;
		this.pendingLines = 0;
		this.pendingEnd = 0;
		return {n: 1, external: buf};
	}
}
