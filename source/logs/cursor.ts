// The forward reader of `-n 0`: one source's files in order, read in large chunks of complete lines,
// each chunk split and parsed in one pass over its bytes (parse-bytes.ts; the rare other layouts one
// decoded line at a time), with effective times and levels kept in typed arrays.
import {isUtf8} from 'node:buffer';
import fs from 'node:fs';
import type {Source} from './files.js';
import {MAX_LINE_BYTES} from './lines.js';
import {lastLevel, lastTime, parseInto} from './parse.js';
import {bytesLevel, bytesTime, parseBytes} from './parse-bytes.js';
import type {Positions} from './tail.js';

/**
 * Read size per file: large enough that syscalls vanish from the profile, small enough for 8+
 * files at once (each cursor's chunk sits in the merge's shared buffer).
 */
export const CHUNK = 768 * 1024;

/** Reads one source's files (rotated, then live) forward in chunks, each split and parsed at once. */
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
	carry: Buffer | null = null;
	/** Time of the previous line in the current file, NaN before the first. */
	lastTime = Number.NaN;
	buf: Buffer = Buffer.alloc(0);
	/** The chunk's buffer as a plain Uint8Array (offsets as in `buf`): its subarray is much cheaper than Buffer's. */
	bytes: Uint8Array = new Uint8Array(0);
	clean = true;
	n = 0;
	i = 0;
	starts = new Int32Array(1024);
	ends = new Int32Array(1024);
	times = new Float64Array(1024);
	inherited = new Uint8Array(1024);
	levels: Array<string | null> = [];
	done = false;
	/** The renderer's state for this source (stream.ts line prefixes), kept here to skip a lookup per line. */
	rendering: unknown = null;

	/** Where the current chunk starts in `region`'s ArrayBuffer, or -1 when it did not fit and has its own buffer. */
	chunkBase = -1;

	/**
	 * `region`, when given, is this cursor's slice of a buffer shared with the renderer: chunks that fit
	 * are read into it, so lines can be copied out with copyWithin (no view object per line).
	 */
	constructor(readonly source: Source, readonly positions: Positions, private readonly region?: Buffer) {
		this.files = [...source.rotated, source.live];
		this.load();
	}

	/** Time of the current line. */
	get time(): number {
		return this.times[this.i]!;
	}

	advance(): void {
		if (++this.i >= this.n) {
			this.load();
		}
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
			this.carry = null;
			this.lastTime = Number.NaN;
			return true;
		}

		return false;
	}

	/** Release the file (a merge that stopped early). */
	finish(): void {
		this.close();
	}

	private close(): void {
		if (this.fd >= 0) {
			if (this.live) {
				const offset = this.pos - (this.carry?.length ?? 0);
				this.positions.set(this.files[this.fileIndex]!, {path: this.files[this.fileIndex]!, dev: this.dev, ino: this.ino, offset, lastTime: this.lastTime});
			}

			fs.closeSync(this.fd);
			this.fd = -1;
		}
	}

	/** Fill the next chunk of complete lines; marks done at the end of the last file. */
	private load(): void {
		this.i = 0;
		this.n = 0;
		while (this.n === 0) {
			if (this.fd < 0 || (this.pos >= this.size && (this.carry === null || this.live))) {
				if (!this.openNext()) {
					this.done = true;
					return;
				}

				continue;
			}

			const want = Math.min(CHUNK, this.size - this.pos);
			const carry = this.carry;
			const head = carry?.length ?? 0;
			const fits = this.region !== undefined && head + want <= this.region.length;
			const buf = fits ? this.region!.subarray(0, head + want) : Buffer.allocUnsafe(head + want);
			if (carry) {
				carry.copy(buf, 0); // may overlap within the region: TypedArray#set copies as memmove
			}

			this.chunkBase = fits ? buf.byteOffset : -1;

			let got = 0;
			while (got < want) {
				const r = fs.readSync(this.fd, buf, head + got, want - got, this.pos + got);
				if (r === 0) {
					break;
				}

				got += r;
			}

			this.pos += got;
			if (got < want) {
				this.size = this.pos;
			}

			const length = head + got;
			const atEnd = this.pos >= this.size;
			let end = buf.lastIndexOf(10, length - 1) + 1;
			if (atEnd && !this.live) {
				end = length; // a finished file's last line needs no \n
			}

			this.carry = end < length ? buf.subarray(end, length) : null;
			if (atEnd && !this.live) {
				this.carry = null;
			}

			if (end > 0) {
				this.parse(buf, end);
			}
		}
	}

	private grow(need: number): void {
		let size = this.starts.length;
		while (size < need) {
			size *= 2;
		}

		const grow32 = (a: Int32Array) => {
			const b = new Int32Array(size);
			b.set(a);
			return b;
		};

		this.starts = grow32(this.starts);
		this.ends = grow32(this.ends);
		const times = new Float64Array(size);
		times.set(this.times);
		this.times = times;
		const inherited = new Uint8Array(size);
		inherited.set(this.inherited);
		this.inherited = inherited;
	}

	private parse(buf: Buffer, end: number): void {
		this.buf = buf;
		// The whole buffer, not just [0, end): a line's parse may peek just past its \n, as on a string.
		const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
		this.bytes = bytes;
		const nul = buf.indexOf(0);
		this.clean = (nul < 0 || nul >= end) && isUtf8(buf.subarray(0, end));
		let n = 0;
		let start = 0;
		let pendingFrom = -1;
		let last = this.lastTime;
		while (start < end) {
			let nl = buf.indexOf(10, start);
			if (nl < 0 || nl > end) {
				nl = end;
			}

			let lineEnd = nl;
			if (lineEnd > start && bytes[lineEnd - 1] === 13) {
				lineEnd--;
			}

			if (lineEnd - start > MAX_LINE_BYTES) {
				this.clean = false;
			}

			if (n >= this.starts.length) {
				this.grow(n + 1);
			}

			let own: number;
			let level: string | null;
			// The byte fast path reads the common layouts; a line it declines (or a last line with no \n,
			// whose next byte is not its own) is decoded alone for the general parser.
			if (nl < end && parseBytes(bytes, start, lineEnd)) {
				own = bytesTime();
				level = bytesLevel();
			} else {
				parseInto(buf.toString('latin1', start, lineEnd));
				own = lastTime();
				level = lastLevel();
			}

			if (Number.isNaN(own)) {
				if (Number.isNaN(last) && pendingFrom < 0) {
					pendingFrom = n;
				}

				this.times[n] = last;
				this.inherited[n] = 1;
			} else {
				if (pendingFrom >= 0) {
					this.times.fill(own, pendingFrom, n);
					pendingFrom = -1;
				}

				last = own;
				this.times[n] = own;
				this.inherited[n] = 0;
			}

			this.levels[n] = level;
			this.starts[n] = start;
			this.ends[n] = lineEnd;
			n++;
			start = nl + 1;
		}

		if (pendingFrom >= 0) {
			// No timestamp in this file's first chunk: its lines take the file's modification time.
			this.times.fill(this.mtime, pendingFrom, n);
			last = this.mtime;
		}

		this.lastTime = last;
		this.n = n;
	}
}
