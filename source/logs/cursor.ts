// The forward reader of `-n 0`: one source's files in order (rotated, then live), read in large
// chunks straight into the merge kernel's memory, split and parsed there in batches of line records
// (kernel.ts). The kernel declines the rarer layouts; those lines are parsed here with parse.ts.
import {isUtf8} from 'node:buffer';
import fs from 'node:fs';
import type {Source} from './files.js';
import {CAPACITY, CARRY, DECLINED, JS_RENDER, type Kernel, type Records} from './kernel.js';
import {lastLevel, lastTime, parseInto} from './parse.js';
import type {Positions} from './tail.js';

/** Reads one source's files forward; `load` fills the kernel's records for cursor `k` with the next batch of lines. */
export class Cursor {
	readonly files: string[];
	fileIndex = -1;
	fd = -1;
	pos = 0;
	size = 0;
	mtime = 0;
	dev = 0;
	ino = 0;
	live = false;
	/** Time of the previous line in the current file, NaN before the first. */
	lastTime = Number.NaN;
	done = false;
	/** The current chunk's bytes: the kernel's memory (offsets are addresses), or a buffer of its own for a line longer than CARRY. */
	buf: Buffer;
	/** The chunk is [from, length); complete lines end at `end` (the rest is a partial line); `parsed` is where the next batch starts. */
	private from = 0;
	private parsed = 0;
	private end = 0;
	private length = 0;
	/** No NUL and valid UTF-8 in the chunk: the kernel may render its lines. */
	private clean = true;
	readonly records: Records;
	private readonly base: number;

	constructor(readonly source: Source, readonly positions: Positions, private readonly kernel: Kernel, readonly k: number) {
		this.files = [...source.rotated, source.live];
		const region = kernel.region(k);
		this.base = region.base;
		this.records = region.records;
		this.buf = kernel.bytes;
		this.load();
	}

	/** The next batch of lines into the kernel's records; marks done at the end of the last file. */
	load(): void {
		while (true) {
			if (this.parsed < this.end) {
				const n = this.parseBatch();
				if (n > 0) {
					this.kernel.x.setRecords(this.k, n);
					return;
				}
			} else if (!this.readChunk()) {
				this.done = true;
				return;
			}
		}
	}

	/** Release the file (a merge that stopped early). */
	finish(): void {
		this.close();
	}

	private openNext(): boolean {
		this.close();
		while (++this.fileIndex < this.files.length) {
			const file = this.files[this.fileIndex]!;
			try {
				this.fd = fs.openSync(file, 'r');
			} catch {
				continue;
			}

			const stat = fs.fstatSync(this.fd);
			this.size = stat.size;
			this.mtime = stat.mtimeMs;
			this.dev = stat.dev;
			this.ino = stat.ino;
			this.pos = 0;
			this.live = this.fileIndex === this.files.length - 1;
			this.lastTime = Number.NaN;
			return true;
		}

		return false;
	}

	private close(): void {
		if (this.fd >= 0) {
			if (this.live) {
				const offset = this.pos - (this.length - this.end);
				this.positions.set(this.files[this.fileIndex]!, {path: this.files[this.fileIndex]!, dev: this.dev, ino: this.ino, offset, lastTime: this.lastTime});
			}

			fs.closeSync(this.fd);
			this.fd = -1;
		}

		this.length = this.end; // a new file starts with no partial line
	}

	/** Read the next chunk of complete lines (after the partial line carried over); false at the end of the last file. */
	private readChunk(): boolean {
		while (true) {
			const carry = this.length - this.end;
			if (this.fd < 0 || (this.pos >= this.size && (carry === 0 || this.live))) {
				if (!this.openNext()) {
					return false;
				}

				continue;
			}

			const want = Math.min(this.kernel.chunk, this.size - this.pos);
			let buf = this.kernel.bytes;
			let from = this.base;
			if (carry > CARRY) {
				buf = Buffer.allocUnsafe(carry + want);
				from = 0;
			}

			this.buf.copy(buf, from, this.end, this.length); // may overlap in the region: a memmove
			let got = 0;
			while (got < want) {
				const r = fs.readSync(this.fd, buf, from + carry + got, want - got, this.pos + got);
				if (r === 0) {
					break;
				}

				got += r;
			}

			this.pos += got;
			if (got < want) {
				this.size = this.pos;
			}

			const length = from + carry + got;
			const finished = this.pos >= this.size && !this.live;
			const end = finished ? length : from + buf.subarray(from, length).lastIndexOf(10) + 1;
			this.buf = buf;
			this.from = from;
			this.parsed = from;
			this.end = end;
			this.length = length;
			if (end > from) {
				const lines = buf.subarray(from, end);
				this.clean = lines.indexOf(0) < 0 && isUtf8(lines);
				return true;
			}
		}
	}

	/** Parse up to CAPACITY lines from `parsed` into the records; returns how many. */
	private parseBatch(): number {
		const x = this.kernel.x;
		const {flags} = this.records;
		let n: number;
		if (this.buf === this.kernel.bytes) {
			n = x.parse(this.k, this.parsed, this.end, CAPACITY);
			this.parsed = x.parsedUpTo();
			if (x.declinedLines() > 0) {
				for (let r = 0; r < n; r++) {
					if ((flags[r]! & DECLINED) !== 0) {
						this.parseHere(r);
					}
				}
			}
		} else {
			n = this.parseOwn();
		}

		if (!this.clean) {
			for (let r = 0; r < n; r++) {
				flags[r]! |= JS_RENDER;
			}
		}

		this.lastTime = x.resolve(this.k, n, this.lastTime, this.mtime);
		return n;
	}

	/** Record r's own time and level by the general parser. */
	private parseHere(r: number): void {
		const {starts, ends, times, levels} = this.records;
		parseInto(this.buf.toString('latin1', starts[r], ends[r]));
		times[r] = lastTime();
		levels[r] = this.kernel.levelCode(lastLevel());
	}

	/** A chunk in a buffer of its own (it holds a line longer than CARRY): split and parse here, every line rendered by JS. */
	private parseOwn(): number {
		const {starts, ends, flags} = this.records;
		const buf = this.buf;
		let n = 0;
		let start = this.parsed;
		while (start < this.end && n < CAPACITY) {
			let nl = buf.indexOf(10, start);
			if (nl < 0 || nl >= this.end) {
				nl = this.end;
			}

			let lineEnd = nl;
			if (lineEnd > start && buf[lineEnd - 1] === 13) {
				lineEnd--;
			}

			starts[n] = start;
			ends[n] = lineEnd;
			flags[n] = JS_RENDER;
			this.parseHere(n);
			n++;
			start = nl + 1;
		}

		this.parsed = Math.min(start, this.end);
		return n;
	}
}
