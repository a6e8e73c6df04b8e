// `-n 0`: every line of every selected file, merged, written as it is read. Hundreds of megabytes
// go through here, so it works on bytes: large sequential reads, one latin1 view per chunk for
// timestamp parsing (ASCII only, so byte offsets equal string offsets), and lines copied straight
// from the read buffer to the output buffer when a chunk is clean UTF-8 without NUL bytes.
import {isUtf8} from 'node:buffer';
import fs from 'node:fs';
import {listSources, type LogSelection, type Source} from './files.js';
import {componentColor} from './format.js';
import {decodeLine, MAX_LINE_BYTES} from './lines.js';
import {isErrorLevel, lastLevel, lastTime, parseSpan} from './parse.js';
import type {Positions} from './tail.js';

/** Read size per file: large enough that syscalls vanish from the profile, small enough for 8+ files at once. */
const CHUNK = 768 * 1024;
/** Output buffer: flushed when less than a line's worth of room is left. */
const OUT_SIZE = 1024 * 1024;

/** How `writeAll` renders lines. */
export type OutputFormat = {json: boolean; color: boolean};

/** A sink for rendered bytes; `write` returning false means wait for `drain`; a destroyed sink (EPIPE) ends the merge. A Node Writable fits. */
export type Sink = {write(chunk: Buffer): boolean; once(event: 'drain' | 'close', listener: () => void): unknown; readonly destroyed?: boolean};

class Cursor {
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
	/** The chunk as a plain Uint8Array: its subarray is much cheaper than Buffer's. */
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

	constructor(readonly source: Source, readonly positions: Positions) {
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
			const buf = Buffer.allocUnsafe(head + want);
			if (carry) {
				carry.copy(buf, 0);
			}

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
		const view = buf.toString('latin1', 0, end);
		this.buf = buf;
		this.bytes = new Uint8Array(buf.buffer, buf.byteOffset, end);
		const nul = buf.indexOf(0);
		this.clean = (nul < 0 || nul >= end) && isUtf8(buf.subarray(0, end));
		let n = 0;
		let start = 0;
		let pendingFrom = -1;
		let last = this.lastTime;
		while (start < end) {
			let nl = view.indexOf('\n', start);
			if (nl < 0) {
				nl = end;
			}

			let lineEnd = nl;
			if (lineEnd > start && view.charCodeAt(lineEnd - 1) === 13) {
				lineEnd--;
			}

			if (lineEnd - start > MAX_LINE_BYTES) {
				this.clean = false;
			}

			if (n >= this.starts.length) {
				this.grow(n + 1);
			}

			parseSpan(view, start, lineEnd);
			const own = lastTime();
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

			this.levels[n] = lastLevel();
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

/** Renders cursors' current lines into a reusable output buffer. */
class Renderer {
	out = Buffer.allocUnsafe(OUT_SIZE);
	outBytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.length);
	at = 0;
	private minute = Number.NaN;
	private readonly minuteBytes = Buffer.alloc(24);
	/** Views of minuteBytes: `YYYY-MM-DDTHH:MM:` for JSON, `HH:MM:` for text. */
	private readonly minuteJson = new Uint8Array(this.minuteBytes.buffer, this.minuteBytes.byteOffset, 17);
	private readonly minuteClock = new Uint8Array(this.minuteBytes.buffer, this.minuteBytes.byteOffset, 6);
	private readonly labels = new Map<Source, Uint8Array[]>();
	private readonly levelBytes = new Map<string | null, Uint8Array>();

	constructor(readonly format: OutputFormat) {}

	/** Start a fresh output buffer of at least `size` bytes (the old one now belongs to the sink). */
	reset(size = OUT_SIZE): void {
		this.out = Buffer.allocUnsafe(Math.max(size, OUT_SIZE));
		this.outBytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.length);
		this.at = 0;
	}

	private label(source: Source): Uint8Array[] {
		let label = this.labels.get(source);
		if (!label) {
			const {component, stream} = source;
			if (this.format.json) {
				const middle = (inherited: boolean) => bytesOf(`","inherited":${inherited},"component":${JSON.stringify(component)},"stream":"${stream}","level":`);
				label = [middle(false), middle(true)];
			} else if (this.format.color) {
				const tag = stream === 'stderr' ? '\u001B[31m[stderr]\u001B[0m' : '\u001B[2m[stdout]\u001B[0m';
				label = [bytesOf(`\u001B[0m ${componentColor(component)}${component}\u001B[0m${tag} `)];
			} else {
				label = [bytesOf(` ${component}[${stream}] `)];
			}

			this.labels.set(source, label);
		}

		return label;
	}

	private level(level: string | null): Uint8Array {
		let bytes = this.levelBytes.get(level);
		if (!bytes) {
			bytes = bytesOf(level === null ? 'null,"text":' : `${JSON.stringify(level)},"text":`);
			this.levelBytes.set(level, bytes);
		}

		return bytes;
	}

	/** Write time digits: `HH:MM:SS.mmm` (local) or `YYYY-MM-DDTHH:MM:SS.mmmZ` (JSON, UTC). */
	private time(t: number): void {
		const minute = Math.floor(t / 60_000);
		const json = this.format.json;
		if (minute !== this.minute) {
			this.minute = minute;
			const d = new Date(minute * 60_000);
			const text = json ? d.toISOString().slice(0, 17) : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:`;
			this.minuteBytes.write(text, 0, 'latin1');
		}

		const out = this.out;
		let at = this.at;
		const prefixLength = json ? 17 : 6;
		this.outBytes.set(json ? this.minuteJson : this.minuteClock, at);
		at += prefixLength;
		const rest = Math.floor(t - minute * 60_000);
		const sec = Math.floor(rest / 1000);
		const ms = rest - sec * 1000;
		out[at++] = 48 + Math.floor(sec / 10);
		out[at++] = 48 + (sec % 10);
		out[at++] = 46;
		out[at++] = 48 + Math.floor(ms / 100);
		out[at++] = 48 + (Math.floor(ms / 10) % 10);
		out[at++] = 48 + (ms % 10);
		if (json) {
			out[at++] = 90;
		}

		this.at = at;
	}

	private bytes(b: Uint8Array): void {
		this.outBytes.set(b, this.at);
		this.at += b.length;
	}

	/** Room needed for a line of `length` text bytes, escaped in the worst case. */
	room(length: number): number {
		return (this.format.json ? length * 6 : length) + 256;
	}

	/** Render the cursor's current line; the caller made room. */
	line(c: Cursor): void {
		const i = c.i;
		const start = c.starts[i]!;
		const end = c.ends[i]!;
		const level = c.levels[i]!;
		const label = this.label(c.source);
		const out = this.out;
		if (this.format.json) {
			out[this.at++] = 123; // {"time":"
			this.bytes(JSON_OPEN);
			this.time(c.times[i]!);
			this.bytes(label[c.inherited[i]!]!);
			this.bytes(this.level(level));
			// V8's JSON.stringify escapes faster than a byte loop here (measured).
			const text = c.clean ? c.buf.toString('utf8', start, end) : decodeLine(c.buf, start, end);
			this.at += out.write(JSON.stringify(text), this.at, 'utf8');

			out[this.at++] = 125;
		} else {
			const colour = this.format.color ? (isErrorLevel(level) ? RED : level === 'warn' ? YELLOW : null) : null;
			if (this.format.color) {
				this.bytes(DIM);
			}

			this.time(c.times[i]!);
			this.bytes(label[0]!);
			if (colour) {
				this.bytes(colour);
			}

			if (c.clean) {
				this.outBytes.set(c.bytes.subarray(start, end), this.at);
				this.at += end - start;
			} else {
				this.at += out.write(decodeLine(c.buf, start, end), this.at, 'utf8');
			}

			if (colour) {
				this.bytes(RESET);
			}
		}

		out[this.at++] = 10;
	}
}

/** Constant bytes as plain Uint8Arrays (see Cursor.bytes). */
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

const JSON_OPEN = bytesOf('"time":"');
const DIM = bytesOf('\u001B[2m');
const RED = bytesOf('\u001B[31m');
const YELLOW = bytesOf('\u001B[33m');
const RESET = bytesOf('\u001B[0m');

/** Write every line of the selection, merged (SPEC 5 order), to `sink`; returns where each live file ended, for follow. */
export async function writeAll(home: string, selection: LogSelection, format: OutputFormat, sink: Sink, signal?: AbortSignal): Promise<{count: number; positions: Positions}> {
	const positions: Positions = new Map();
	const cursors = listSources(home, selection).map((s) => new Cursor(s, positions)).filter((c) => !c.done);
	const renderer = new Renderer(format);
	let count = 0;
	const flush = async () => {
		if (renderer.at > 0) {
			const chunk = renderer.out.subarray(0, renderer.at);
			renderer.reset();
			if (!sink.destroyed && !sink.write(chunk) && !sink.destroyed) {
				await new Promise<void>((resolve) => {
					sink.once('drain', resolve);
					sink.once('close', resolve);
				});
			} else {
				// Let signals (Ctrl-C) and errors (EPIPE) through between megabytes.
				await new Promise((resolve) => setImmediate(resolve));
			}
		}
	};

	while (cursors.length > 0 && !sink.destroyed && !signal?.aborted) {
		// The earliest head; ties go to the earlier source (cursors stay in selection order).
		let best = 0;
		let bestTime = cursors[0]!.time;
		let second = Number.POSITIVE_INFINITY;
		for (let k = 1; k < cursors.length; k++) {
			const t = cursors[k]!.time;
			if (t < bestTime) {
				second = bestTime;
				best = k;
				bestTime = t;
			} else if (t < second) {
				second = t;
			}
		}

		// Emit a run from the winner while it stays ahead: most lines then cost no comparison at all.
		const c = cursors[best]!;
		do {
			const length = c.ends[c.i]! - c.starts[c.i]!;
			if (renderer.at + renderer.room(length) > renderer.out.length) {
				await flush();
				if (renderer.room(length) > renderer.out.length) {
					renderer.reset(renderer.room(length));
				}
			}

			renderer.line(c);
			count++;
			c.advance();
		} while (!c.done && (c.time < second || (c.time === second && runKeepsTie(cursors, best, second))));

		if (c.done) {
			cursors.splice(best, 1);
		}
	}

	await flush();
	for (const c of cursors) {
		c.finish();
	}

	return {count, positions};
}

/** On a tie with the runner-up, the winner keeps going only if it comes before every source holding that time. */
function runKeepsTie(cursors: Cursor[], best: number, time: number): boolean {
	for (let k = 0; k < best; k++) {
		if (cursors[k]!.time === time) {
			return false;
		}
	}

	return true;
}

