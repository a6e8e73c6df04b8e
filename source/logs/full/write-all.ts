// `-n 0`: every line of every selected file, merged, written as it is read. Hundreds of megabytes
// go through here, so the per-byte and per-line work (split, parse, merge, render) runs in the merge
// kernel (kernel.ts, WebAssembly); this module hands it each source's batches of parsed lines (feed.ts:
// read here or on a second thread), renders the few lines it hands back (unclean bytes, very long
// lines) and writes its output buffer to the sink.
import fs from 'node:fs';
import {drained} from '../../drained.js';
import {itemAt} from '../../item-at.js';
import {makeFeed, type Feed} from './feed.js';
import type {Source} from '../files.js';
import type {FilterSpec} from '../filter.js';
import {componentColor, formatLine, toJson} from '../format-line.js';
import {DONE, FLUSH, INHERITED, JS_RENDER, Kernel, makeMemory, OUT_SIZE, planLayout, RENDER, SLOTS, type Records} from './kernel.js';
import {decodeText} from '../lines.js';
import type {Positions} from '../tail.js';

/** Output copies kept for reuse: enough for a pipe's reader to lag a few megabytes. */
const MAX_SPARE = 8;

/** How `writeAll` renders lines; `readable`: JSON lines as `LEVEL message key=value…` (format-line.ts), for a person (default: when the sink is a terminal). */
export type OutputFormat = {json: boolean; color: boolean; readable?: boolean};

/**
 * A sink for rendered bytes; `write` returning false means wait for `drain`; a destroyed sink (EPIPE)
 * ends the merge. A Node Writable fits; for process.stdout, a chunk's memory is reused once `done` is called.
 */
export type Sink = {
	write(chunk: Buffer, done?: (error?: Error | null) => void): boolean;
	once(event: 'drain' | 'close', listener: () => void): unknown;
	off(event: 'drain' | 'close', listener: () => void): unknown;
	readonly destroyed?: boolean;
	/** A terminal (process.stdout on one): a person reads it. */
	readonly isTTY?: boolean;
};

/** The constant part of a source's line prefix, after the clock: per variant (JSON: own time, inherited time). */
function labels(source: Source, format: OutputFormat): Buffer[] {
	const {component, stream} = source;
	if (format.json) {
		const middle = (inherited: boolean) => Buffer.from(`","inherited":${inherited},"component":${JSON.stringify(component)},"stream":"${stream}","level":`);
		return [middle(false), middle(true)];
	}

	if (format.color) {
		const tag = stream === 'stderr' ? '\u001B[31m[stderr]\u001B[0m' : '\u001B[2m[stdout]\u001B[0m';
		return [Buffer.from(`\u001B[0m ${componentColor(component)}${component}\u001B[0m${tag} `)];
	}

	return [Buffer.from(` ${component}[${stream}] `)];
}

/** Hands the kernel's output buffer to the sink: a copy, unless the sink is done with it before `write` returns. */
class Output {
	/** Spare copies, back from the sink: a fresh megabyte per flush costs its page faults. */
	private readonly spare: Buffer[] = [];

	constructor(private readonly kernel: Kernel, private readonly sink: Sink, private readonly synchronous: boolean) {}

	async flush(): Promise<void> {
		const length = this.kernel.x.outLength();
		if (length === 0) {
			return;
		}

		const view = this.kernel.bytes.subarray(this.kernel.layout.out, this.kernel.layout.out + length);
		let chunk = view;
		if (!this.synchronous) {
			const copy = this.spare.pop() ?? Buffer.allocUnsafeSlow(OUT_SIZE);
			view.copy(copy);
			chunk = copy.subarray(0, length);
		}

		await this.write(chunk, chunk !== view);
		this.kernel.x.setOutLength(0);
	}

	/** A JS-rendered line: into the output buffer, or alone when it is bigger than that. */
	async line(text: string): Promise<void> {
		const size = Buffer.byteLength(text) + 1;
		if (this.kernel.x.outLength() + size > OUT_SIZE) {
			await this.flush();
		}

		if (size > OUT_SIZE) {
			await this.write(Buffer.from(`${text}\n`), false);
			return;
		}

		const at = this.kernel.x.outLength();
		this.kernel.bytes.write(`${text}\n`, this.kernel.layout.out + at, 'utf8');
		this.kernel.x.setOutLength(at + size);
	}

	private async write(chunk: Buffer, reusable: boolean): Promise<void> {
		const sink = this.sink;
		if (sink.destroyed) {
			return;
		}

		// Only stdout's done callback means the bytes left (a PassThrough hands the chunk on, still in use).
		const done = reusable && sink === process.stdout ? () => this.release(chunk) : undefined;
		if (!sink.write(chunk, done) && !sink.destroyed) {
			await drained(sink);
		} else {
			// Let signals (Ctrl-C) and errors (EPIPE) through between megabytes.
			await new Promise((resolve) => setImmediate(resolve));
		}
	}

	private release(chunk: Buffer): void {
		if (chunk.buffer.byteLength === OUT_SIZE && this.spare.length < MAX_SPARE) {
			this.spare.push(Buffer.from(chunk.buffer, 0, OUT_SIZE));
		}
	}
}

/** One source as the merge sees it: its current batch of lines, in one of its read slots. */
class Cursor {
	private slot = -1;
	done = false;
	/** Bytes of the current batch: the kernel's memory, or a long line's own buffer. */
	buf: Buffer;
	records: Records;
	private readonly slots: Records[];

	/** `structured`: lines that open with `{` go to JS to be rendered readable; the kernel renders them as written. */
	constructor(readonly source: Source, readonly k: number, private readonly kernel: Kernel, private readonly feed: Feed, private readonly structured = false) {
		this.buf = kernel.bytes;
		this.slots = kernel.slots(k).map((slot) => slot.records);
		this.records = itemAt(this.slots, 0);
	}

	/** Move to the next batch (the slot after the current one), handing the current one back; done at the end. */
	load(): void {
		const next = (this.slot + 1) % SLOTS;
		const batch = this.feed.take(this.k, next);
		if (this.slot >= 0) {
			this.feed.release(this.k, this.slot);
		}

		this.slot = next;
		if (batch.n === 0) {
			this.done = true;
			this.kernel.x.deactivate(this.k);
			return;
		}

		this.records = itemAt(this.slots, next);
		this.buf = batch.external ?? this.kernel.bytes;
		this.kernel.x.setRecords(this.k, this.records.base, batch.n);
		if (this.structured) {
			markStructured(this.records, this.buf, batch.n);
		}
	}
}

/** Flag the batch's lines that open with `{` (after blanks) for rendering in JS, where format-line.ts makes them readable. */
function markStructured(records: Records, buf: Buffer, n: number): void {
	const {starts, ends, flags} = records;
	for (let r = 0; r < n; r++) {
		let i = itemAt(starts, r);
		const end = itemAt(ends, r);
		while (i < end && (buf[i] === 32 || buf[i] === 9)) {
			i++;
		}

		if (i < end && buf[i] === 123) {
			flags[r] = itemAt(flags, r) | JS_RENDER;
		}
	}
}

/** Bytes in a source's files (to choose between one thread and two). */
function sizeOf(source: Source): number {
	let total = 0;
	for (const file of [...source.rotated, source.live]) {
		try {
			total += fs.statSync(file).size;
		} catch {
			// Gone since it was listed: the reader skips it too.
		}
	}

	return total;
}

/** How `writeAll` runs: stopped by `signal`; only lines from `sinceMs` on that `filter` keeps; `threads` forces reading on a second thread (true) or in this one (false). */
export type WriteOptions = {signal?: AbortSignal; sinceMs?: number; filter?: FilterSpec; threads?: boolean};

/** Write every line of the sources, merged (docs/logs.md order), to `sink`; returns where each live file ended, for follow. */
export async function writeAll(sources: Source[], format: OutputFormat, sink: Sink, options: WriteOptions = {}): Promise<{count: number; positions: Positions}> {
	const {signal, threads} = options;
	const sinceMs = options.sinceMs ?? Number.NEGATIVE_INFINITY;
	const labelSets = sources.map((s) => labels(s, format));
	const layout = planLayout(labelSets);
	const kernel = new Kernel(makeMemory(layout), layout, 0, format, labelSets);
	kernel.x.setSince(sinceMs);
	const feed = makeFeed(sources, kernel, sources.reduce((sum, s) => sum + sizeOf(s), 0), sinceMs, threads, options.filter);
	let count = 0;
	let positions: Positions = new Map();
	try {
		const readable = !format.json && (format.readable ?? sink.isTTY === true);
		const cursors = sources.map((s, k) => new Cursor(s, k, kernel, feed, readable));
		for (const c of cursors) {
			c.load();
		}

		// stdout redirected to a file (or /dev/null) is written synchronously inside `write`: no copy needed.
		const synchronous = sink === process.stdout && (sink as {_type?: unknown})._type === 'fs';
		const output = new Output(kernel, sink, synchronous);
		while (!sink.destroyed && !signal?.aborted) {
			const status = kernel.x.merge();
			if (status === DONE) {
				break;
			}

			if (status === FLUSH) {
				await output.flush();
				continue;
			}

			const c = itemAt(cursors, kernel.x.needCursor());
			if (status === RENDER) {
				await output.line(render(c, kernel, format, readable));
				count++;
				if (!kernel.x.advance(c.k)) {
					continue;
				}
			}

			c.load(); // LOAD, or RENDER used up the batch
		}

		await output.flush();
	} finally {
		positions = await feed.finish();
	}

	return {count: count + kernel.x.renderedLines(), positions};
}

/** A line the kernel leaves to JS (unclean bytes, very long): the general formatter's rendering of cursor c's current line. */
function render(c: Cursor, kernel: Kernel, format: OutputFormat, readable: boolean): string {
	const r = kernel.x.cursorIndex(c.k);
	const {starts, ends, times, flags, levels} = c.records;
	const line = {
		time: itemAt(times, r),
		inherited: (itemAt(flags, r) & INHERITED) !== 0,
		component: c.source.component,
		stream: c.source.stream,
		level: kernel.levelName(itemAt(levels, r)),
		text: decodeText(c.buf, itemAt(starts, r), itemAt(ends, r)),
	};
	return format.json ? JSON.stringify(toJson(line)) : formatLine(line, {color: format.color, readable});
}
