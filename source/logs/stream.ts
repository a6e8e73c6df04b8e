// `-n 0`: every line of every selected file, merged, written as it is read. Hundreds of megabytes
// go through here, so it works on bytes: cursors (cursor.ts) read large chunks and parse them in one
// pass; this module merges their heads and renders each line into an output buffer. Output, chunks
// and constant labels share one ArrayBuffer, so a clean line (UTF-8, no NUL) is copied with
// copyWithin: measured cheaper than creating a view per line for TypedArray#set or Buffer#copy.
import {CHUNK, Cursor} from './cursor.js';
import {listSources, type LogSelection, type Source} from './files.js';
import {componentColor} from './format.js';
import {decodeLine} from './lines.js';
import {isErrorLevel} from './parse.js';
import type {Positions} from './tail.js';

/** Output buffer: flushed when less than a line's worth of room is left. */
const OUT_SIZE = 1024 * 1024;
/** Each cursor's part of the shared buffer: a read chunk plus a carried partial line of up to 256 KiB. */
const CHUNK_REGION = CHUNK + 256 * 1024;
/** Longest prefix before a label: `{"time":"YYYY-MM-DDTHH:MM:SS.mmmZ` (JSON) or dim + `HH:MM:SS.mmm`. */
const PREFIX_HEAD = 40;
/** Output copies kept for reuse: enough for a pipe's reader to lag a few megabytes. */
const MAX_SPARE = 8;
/** Room for labels, prefix templates and other constant bytes (a few hundred bytes per source). */
const CONSTANTS_REGION = 64 * 1024;

/** How `writeAll` renders lines. */
export type OutputFormat = {json: boolean; color: boolean};

/**
 * A sink for rendered bytes; `write` returning false means wait for `drain`; a destroyed sink (EPIPE)
 * ends the merge. A Node Writable fits; for process.stdout, a chunk's memory is reused once `done` is called.
 */
export type Sink = {write(chunk: Buffer, done?: (error?: Error | null) => void): boolean; once(event: 'drain' | 'close', listener: () => void): unknown; readonly destroyed?: boolean};

/** Renders cursors' current lines into a reusable output buffer. */
class Renderer {
	out: Buffer = Buffer.allocUnsafe(OUT_SIZE);
	outBytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.length);
	at = 0;
	/** A word view of the chunks' buffer, for escapeWords. */
	private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
	private wordsOf: ArrayBufferLike | null = null;
	private readonly labels = new Map<Source, Const[]>();
	private readonly levelBytes = new Map<string | null, Const>();
	/** Next free byte of the arena's constants region. */
	private constFree = 0;
	private readonly red: Const;
	private readonly yellow: Const;
	private readonly reset: Const;

	/** Where `out` starts in the shared arena, or -1 while a line too big for it is being written. */
	outBase = -1;

	constructor(readonly format: OutputFormat, private readonly arena?: Arena) {
		if (arena) {
			this.useArena();
			this.constFree = arena.constants;
		}

		[this.red, this.yellow, this.reset] = [RED, YELLOW, RESET].map((b) => this.intern(b)) as [Const, Const, Const];
	}

	/** Constant bytes, copied once into the arena's constants region when there is room. */
	private intern(bytes: Uint8Array): Const {
		const k = this.reserve(bytes.length);
		k.bytes.set(bytes);
		if (k.base >= 0) {
			this.arena!.bytes.set(bytes, k.base);
		}

		return k;
	}

	/** Room for `size` constant bytes (a template filled later), in the arena's constants region when it fits. */
	private reserve(size: number): Const & {bytes: Buffer} {
		const bytes = Buffer.alloc(size);
		if (!this.arena || this.constFree + size > this.arena.bytes.length) {
			return {bytes, base: -1, length: size};
		}

		this.constFree += size;
		return {bytes, base: this.constFree - size, length: size};
	}

	/** Spare copies of the arena's output, back from the sink: a fresh megabyte per flush costs its page faults (measured 10 % of a merge). */
	private readonly spare: Buffer[] = [];

	/** The bytes written so far, as a buffer the sink may keep (`release` it when the sink is done), or the output itself when the sink is done with it before `write` returns; then start over. */
	take(size = OUT_SIZE, consumedAtOnce = false): Buffer {
		const chunk = this.out.subarray(0, this.at);
		let taken = chunk;
		if (this.outBase >= 0 && !consumedAtOnce) {
			const copy = this.spare.pop() ?? Buffer.allocUnsafeSlow(OUT_SIZE);
			copy.set(chunk);
			taken = copy.subarray(0, chunk.length);
		}

		if (this.arena && size <= this.arena.out.length) {
			this.useArena();
		} else {
			this.out = Buffer.allocUnsafe(Math.max(size, OUT_SIZE));
			this.outBytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.length);
			this.outBase = -1;
		}

		this.at = 0;
		return taken;
	}

	/** A chunk from `take` the sink no longer needs. */
	release(chunk: Buffer): void {
		if (chunk.buffer.byteLength === OUT_SIZE && this.spare.length < MAX_SPARE) {
			this.spare.push(Buffer.from(chunk.buffer, 0, OUT_SIZE));
		}
	}

	private useArena(): void {
		this.out = this.arena!.out;
		this.outBytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.length);
		this.outBase = this.out.byteOffset;
	}

	private label(source: Source): Const[] {
		let label = this.labels.get(source);
		if (!label) {
			const {component, stream} = source;
			if (this.format.json) {
				const middle = (inherited: boolean) => this.intern(bytesOf(`","inherited":${inherited},"component":${JSON.stringify(component)},"stream":"${stream}","level":`));
				label = [middle(false), middle(true)];
			} else if (this.format.color) {
				const tag = stream === 'stderr' ? '\u001B[31m[stderr]\u001B[0m' : '\u001B[2m[stdout]\u001B[0m';
				label = [this.intern(bytesOf(`\u001B[0m ${componentColor(component)}${component}\u001B[0m${tag} `))];
			} else {
				label = [this.intern(bytesOf(` ${component}[${stream}] `))];
			}

			this.labels.set(source, label);
		}

		return label;
	}

	private level(level: string | null): Const {
		let bytes = this.levelBytes.get(level);
		if (!bytes) {
			bytes = this.intern(bytesOf(level === null ? 'null,"text":' : `${JSON.stringify(level)},"text":`));
			this.levelBytes.set(level, bytes);
		}

		return bytes;
	}

	/**
	 * Write a line's prefix: `[dim]HH:MM:SS.mmm label` (local clock) or `{"time":"YYYY-MM-DDTHH:MM:SS.mmmZ",
	 * …"level":` (JSON, UTC). The bytes up to the label are a per-source template in the arena, rebuilt
	 * when the second changes (every few hundred lines): one copy and three digits per line, instead of
	 * a copy per piece.
	 */
	private prefix(c: Cursor, t: number, variant: number): void {
		let prefixes = c.rendering as Prefix[] | null;
		if (!prefixes) {
			prefixes = this.label(c.source).map((label) => ({label, k: this.reserve(PREFIX_HEAD + label.bytes.length), second: Number.NaN, msAt: 0}));
			c.rendering = prefixes;
		}

		const p = prefixes[variant]!;
		// The same arithmetic as the clock was always printed with: minute, then whole ms within it.
		const minute = Math.floor(t / 60_000);
		const rest = Math.floor(t - minute * 60_000);
		const sec = Math.floor(rest / 1000);
		const ms = rest - sec * 1000;
		if (minute * 60 + sec !== p.second) {
			this.fillPrefix(p, minute, sec);
		}

		const digits = this.at + p.msAt;
		this.bytes(p.k);
		const out = this.outBytes;
		out[digits] = MS_DIGITS[ms * 3]!;
		out[digits + 1] = MS_DIGITS[ms * 3 + 1]!;
		out[digits + 2] = MS_DIGITS[ms * 3 + 2]!;
	}

	private fillPrefix(p: Prefix, minute: number, sec: number): void {
		const d = new Date(minute * 60_000);
		const ss = `${Math.floor(sec / 10)}${sec % 10}`;
		const head = this.format.json
			? `{"time":"${d.toISOString().slice(0, 17)}${ss}.000Z`
			: `${this.format.color ? '\u001B[2m' : ''}${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${ss}.000`;
		const bytes = p.k.bytes;
		const length = bytes.write(head, 0, 'latin1');
		bytes.set(p.label.bytes, length);
		p.k.length = length + p.label.bytes.length;
		p.msAt = length - (this.format.json ? 4 : 3);
		p.second = minute * 60 + sec;
		if (p.k.base >= 0) {
			this.arena!.bytes.set(bytes.subarray(0, p.k.length), p.k.base);
		}
	}

	private bytes(k: Const): void {
		if (k.base >= 0 && this.outBase >= 0) {
			this.arena!.bytes.copyWithin(this.outBase + this.at, k.base, k.base + k.length);
		} else {
			this.outBytes.set(k.length === k.bytes.length ? k.bytes : k.bytes.subarray(0, k.length), this.at);
		}

		this.at += k.length;
	}

	/**
	 * Clean UTF-8 as a JSON string: JSON.stringify escapes only ASCII (", \, controls below 0x20) in a
	 * well-formed string, and every byte >= 0x80 passes through unchanged. A JSON line (`{…`) is full of
	 * quotes and goes byte by byte; other lines rarely need an escape, so whole 4-byte words are checked
	 * at once and long clean runs copied natively (measured 1.6 × faster on Go and Python lines, slower
	 * on JSON ones).
	 */
	private jsonString(src: Uint8Array, start: number, end: number): void {
		const out = this.outBytes;
		out[this.at++] = 34;
		if (src[start] === 123) {
			this.escapeBytes(src, start, end);
		} else {
			this.escapeWords(src, start, end);
		}

		out[this.at++] = 34;
	}

	private escapeBytes(src: Uint8Array, start: number, end: number): void {
		const out = this.outBytes;
		let at = this.at;
		for (let k = start; k < end; k++) {
			const b = src[k]!;
			if (b >= 0x20 && b !== 34 && b !== 92) {
				out[at++] = b;
			} else {
				at = escapeOne(out, at, b);
			}
		}

		this.at = at;
	}

	/** Escape with a word-at-a-time scan for the next byte that needs it (SWAR, exact: see hasSpecial). */
	private escapeWords(src: Uint8Array, start: number, end: number): void {
		const buffer = src.buffer;
		if (buffer !== this.wordsOf) {
			this.wordsOf = buffer;
			this.words = new Uint32Array(buffer, 0, buffer.byteLength >> 2);
		}

		const words = this.words;
		const base = src.byteOffset;
		const out = this.outBytes;
		let at = this.at;
		let k = start;
		while (k < end) {
			let r = k;
			while (((base + r) & 3) !== 0 && r < end && isPlain(src[r]!)) {
				r++;
			}

			if (((base + r) & 3) === 0) {
				while (r + 4 <= end && !hasSpecial(words[(base + r) >> 2]!)) {
					r += 4;
				}

				while (r < end && isPlain(src[r]!)) {
					r++;
				}
			}

			if (r - k > NATIVE_COPY_MIN) {
				out.set(src.subarray(k, r), at);
				at += r - k;
			} else {
				for (let q = k; q < r; q++) {
					out[at++] = src[q]!;
				}
			}

			if (r < end) {
				at = escapeOne(out, at, src[r]!);
				r++;
			}

			k = r;
		}

		this.at = at;
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
		const out = this.out;
		if (this.format.json) {
			this.prefix(c, c.times[i]!, c.inherited[i]!);
			this.bytes(this.level(level));
			if (c.clean) {
				this.jsonString(c.bytes, start, end);
			} else {
				this.at += out.write(JSON.stringify(decodeLine(c.buf, start, end)), this.at, 'utf8');
			}

			out[this.at++] = 125;
		} else {
			const colour = this.format.color ? (isErrorLevel(level) ? this.red : level === 'warn' ? this.yellow : null) : null;
			this.prefix(c, c.times[i]!, 0);
			if (colour) {
				this.bytes(colour);
			}

			if (c.clean) {
				if (c.chunkBase >= 0 && this.outBase >= 0) {
					this.arena!.bytes.copyWithin(this.outBase + this.at, c.chunkBase + start, c.chunkBase + end);
				} else {
					this.outBytes.set(c.bytes.subarray(start, end), this.at);
				}

				this.at += end - start;
			} else {
				this.at += out.write(decodeLine(c.buf, start, end), this.at, 'utf8');
			}

			if (colour) {
				this.bytes(this.reset);
			}
		}

		out[this.at++] = 10;
	}
}

/** Constant bytes as plain Uint8Arrays (see Cursor.bytes). */
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

/** Constant bytes and where they sit in the arena (-1: not there, copied with set). */
type Const = {bytes: Uint8Array; base: number; length: number};
/** A source's line prefix template (see Renderer.prefix): its bytes, the second they show, where the ms digits go. */
type Prefix = {label: Const; k: Const & {bytes: Buffer}; second: number; msAt: number};
/** The one buffer shared by the output, the cursors' chunks and the constants; offsets are into `bytes`. */
type Arena = {bytes: Uint8Array; out: Buffer; constants: number};

/** The letter after a backslash for each byte JSON escapes (`u` means \u00XX), as JSON.stringify writes them. */
const JSON_ESCAPES = (() => {
	const table = new Uint8Array(128).fill(117);
	for (const [byte, letter] of [[8, 'b'], [9, 't'], [10, 'n'], [12, 'f'], [13, 'r'], [34, '"'], [92, '\\']] as const) {
		table[byte] = letter.charCodeAt(0);
	}

	return table;
})();
/** `000` to `999`: a line's milliseconds as three digit bytes. */
const MS_DIGITS = bytesOf(Array.from({length: 1000}, (_, ms) => String(ms).padStart(3, '0')).join(''));
/** Below this many bytes a JS loop copies faster than a native call. */
const NATIVE_COPY_MIN = 24;

/** A byte JSON keeps as it is. */
function isPlain(b: number): boolean {
	return b >= 0x20 && b !== 34 && b !== 92;
}

/**
 * Whether any byte of w is below 0x20, a quote or a backslash. The borrow tricks can set a higher
 * lane's bit only when a lower lane truly matched, so the answer is exact for the word.
 */
function hasSpecial(w: number): boolean {
	const control = (w - 0x20_20_20_20) & ~w;
	const q = w ^ 0x22_22_22_22;
	const quote = (q - 0x01_01_01_01) & ~q;
	const s = w ^ 0x5C_5C_5C_5C;
	const backslash = (s - 0x01_01_01_01) & ~s;
	return ((control | quote | backslash) & 0x80_80_80_80) !== 0;
}

/** Write the JSON escape of byte b at out[at]; returns the new end. */
function escapeOne(out: Uint8Array, at: number, b: number): number {
	const escape = JSON_ESCAPES[b]!;
	out[at++] = 92;
	out[at++] = escape;
	if (escape === 117 /* u */) {
		out[at++] = 48;
		out[at++] = 48;
		out[at++] = HEX[b >> 4]!;
		out[at++] = HEX[b & 15]!;
	}

	return at;
}

/** Lower-case hex digits (JSON.stringify's `\u001b`). */
const HEX = bytesOf('0123456789abcdef');
const RED = bytesOf('\u001B[31m');
const YELLOW = bytesOf('\u001B[33m');
const RESET = bytesOf('\u001B[0m');

/** Write every line of the selection, merged (SPEC 5 order), to `sink`; returns where each live file ended, for follow. */
export async function writeAll(home: string, selection: LogSelection, format: OutputFormat, sink: Sink, signal?: AbortSignal): Promise<{count: number; positions: Positions}> {
	const positions: Positions = new Map();
	const sources = listSources(home, selection);
	// One buffer for the output and every cursor's chunks, so a line is copied with copyWithin.
	const region = CHUNK_REGION;
	const shared = Buffer.allocUnsafeSlow(OUT_SIZE + sources.length * region + CONSTANTS_REGION);
	const arena: Arena = {bytes: new Uint8Array(shared.buffer, shared.byteOffset, shared.length), out: shared.subarray(0, OUT_SIZE), constants: OUT_SIZE + sources.length * region};
	const cursors = sources.map((s, k) => new Cursor(s, positions, shared.subarray(OUT_SIZE + k * region, OUT_SIZE + (k + 1) * region))).filter((c) => !c.done);
	const renderer = new Renderer(format, arena);
	let count = 0;
	// stdout redirected to a file (or /dev/null) is written synchronously inside `write`: no copy needed.
	const synchronous = sink === process.stdout && (sink as {_type?: unknown})._type === 'fs';
	const flush = async (room = OUT_SIZE) => {
		if (renderer.at > 0 || room > OUT_SIZE) {
			const chunk = renderer.take(room, synchronous);
			// Only stdout's done callback means the bytes left (a PassThrough hands the chunk on, still in use).
			const done = sink === process.stdout ? () => renderer.release(chunk) : undefined;
			if (chunk.length > 0 && !sink.destroyed && !sink.write(chunk, done) && !sink.destroyed) {
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
				await flush(renderer.room(length));
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

