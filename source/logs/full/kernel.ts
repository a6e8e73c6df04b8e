// The `-n 0` merge kernel's JS side: loads kernel/merge.ts's module (built by `npm run build`
// into merge.wasm beside this file), lays out its shared memory and answers its rare calls (clock,
// prefixes). The memory holds everything the kernel touches: the output buffer, each source's read
// slots (a chunk of file bytes and its parsed line records) and constant bytes. Two instances may
// share it: the merging one (this thread) and a parsing one (worker.ts).
import fs from 'node:fs';
import {itemAt} from '../../item-at.js';
import {localMinute, utcMinute} from '../clock.js';
import {clockTime} from '../format-line.js';
import {isErrorLevel, levelSpellings} from '../levels.js';
import {MINUTE_MS, SECOND_MS} from '../../units.js';

/** Record flags (as in merge.ts). */
export const INHERITED = 1;
export const JS_RENDER = 2;
export const DECLINED = 4;
export const HIDDEN = 8;

/** merge() results (as in merge.ts). */
export const DONE = 0;
export const FLUSH = 1;
export const LOAD = 2;
export const RENDER = 3;

/** Largest partial line carried into the next chunk in place; a longer one gets a buffer of its own. */
export const CARRY = 256 * 1024;
/** Output buffer: flushed when a line might not fit. */
export const OUT_SIZE = 1024 * 1024;
/** Read slots per source: one being merged while the others are read and parsed ahead. */
export const SLOTS = 2;
/** Read size per file: syscalls vanish from the profile; shrunk when many files are merged at once. */
const MAX_CHUNK = 768 * 1024;
const MIN_CHUNK = 64 * 1024;
/** Memory for every read slot of a merge (chunks, carries, records), unless the minimum chunk needs more. */
const SLOTS_BUDGET = 64 * 1024 * 1024;
/** The kernel reads and writes 16-byte blocks that may run past a region's end. */
const SLACK = 64;
/** Where our regions start: above the kernel's static data (checked against its heapBase). */
const BASE = 64 * 1024;
const PAGE = 64 * 1024;
const CONSTANTS = 16 * 1024;
/** Longest prefix head before a label: `{"time":"YYYY-MM-DDTHH:MM:SS.mmmZ` or dim + `HH:MM:SS.mmm`. */
const PREFIX_HEAD = 40;

type Exports = {
	CAPACITY: WebAssembly.Global;
	CURSOR_BYTES: WebAssembly.Global;
	SCRATCH_BYTES: WebAssembly.Global;
	RECORD_BYTES: WebAssembly.Global;
	heapBase(): number;
	init(scratch: number, table: number, active: number, count: number, out: number, outBytes: number, json: number, color: number): void;
	addLevelWord(word: number, length: number, code: number): void;
	setLevelRender(code: number, bytes: number, length: number, colour: number): void;
	setTemplates(k: number, tmpl0: number, tmpl1: number): void;
	setRecords(k: number, records: number, n: number): void;
	cursorIndex(k: number): number;
	advance(k: number): number;
	deactivate(k: number): void;
	needCursor(): number;
	parsedUpTo(): number;
	declinedLines(): number;
	outLength(): number;
	setOutLength(length: number): void;
	parse(records: number, from: number, to: number): number;
	resolve(records: number, n: number, last: number, fallback: number): number;
	merge(): number;
	setSince(time: number): void;
	renderedLines(): number;
	setNeedle(at: number, length: number, fold: number): void;
	hideUnmatched(records: number, n: number): void;
};

/** Line records per parse batch (merge.ts CAPACITY), and the layout of a batch's records. */
export const CAPACITY = 16_384;
const RECORD_BYTES = 18 * CAPACITY;

/** A batch's line records: typed views of the kernel's memory at `base`. */
export type Records = {base: number; times: Float64Array; starts: Int32Array; ends: Int32Array; flags: Uint8Array; levels: Uint8Array};

/** One read slot: a chunk region and the records of the lines parsed from it. */
export type Slot = {region: number; records: number};

/** Where everything sits in the shared memory; the same plain numbers in every thread. */
export type Layout = {
	pages: number;
	chunk: number;
	regionSize: number;
	/** Per instance (0 merging, 1 parsing): scratch tables, cursor table and constants. */
	scratch: [number, number];
	table: [number, number];
	constants: [number, number];
	active: number;
	out: number;
	/** Per source: its prefix templates (per variant) and its read slots. */
	templates: number[][];
	slots: Slot[][];
};

/** Plan the memory of a merge of sources with these labels (per source, per variant). */
export function planLayout(labels: Buffer[][]): Layout {
	const count = labels.length;
	const perSlot = SLOTS_BUDGET / SLOTS / Math.max(1, count) - RECORD_BYTES - CARRY;
	const chunk = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(perSlot / PAGE) * PAGE));
	let at = BASE;
	const take = (size: number) => {
		const from = at;
		at = Math.ceil((at + size + SLACK) / 16) * 16;
		return from;
	};

	const layout: Layout = {
		pages: 0,
		chunk,
		regionSize: chunk + CARRY,
		scratch: [take(8192), take(8192)],
		table: [take(count * 56), take(count * 56)],
		constants: [take(CONSTANTS), take(CONSTANTS)],
		active: take(count * 4),
		out: take(OUT_SIZE + 1024),
		templates: labels.map((variants) => variants.map((label) => take(PREFIX_HEAD + label.length))),
		slots: labels.map(() => Array.from({length: SLOTS}, () => ({records: take(RECORD_BYTES), region: take(chunk + CARRY)}))),
	};
	layout.pages = Math.ceil(at / PAGE);
	return layout;
}

/** A shared memory for a layout. */
export function makeMemory(layout: Layout): WebAssembly.Memory {
	return new WebAssembly.Memory({initial: layout.pages, maximum: layout.pages, shared: true});
}

let compiled: WebAssembly.Module | undefined;

/** How a kernel renders: JSON objects or `HH:MM:SS.mmm component[stream] text`, coloured or not. */
export type KernelFormat = {json: boolean; color: boolean};

/** One instance of the kernel over a merge's shared memory. */
export class Kernel {
	/** The whole memory as a Buffer (offsets are addresses). */
	readonly bytes: Buffer;
	readonly x: Exports;
	private constFree: number;
	private readonly constEnd: number;
	private readonly levelCodes = new Map<string | null, number>();
	readonly levelNames: Array<string | null> = [];

	/**
	 * `role` 0 merges and renders (it needs the labels and format), 1 only parses (a worker thread).
	 * Level codes are given out in the same order in both, so records mean the same to each.
	 */
	constructor(readonly memory: WebAssembly.Memory, readonly layout: Layout, role: 0 | 1, readonly format: KernelFormat = {json: false, color: false}, private readonly labels: Buffer[][] = []) {
		this.bytes = Buffer.from(memory.buffer);
		compiled ??= new WebAssembly.Module(fs.readFileSync(new URL('merge.wasm', import.meta.url)));
		const instance = new WebAssembly.Instance(compiled, {
			env: {
				memory,
				utcMinute: (y: number, mo: number, d: number, h: number, mi: number) => utcMinute(y, mo, d, h, mi),
				localMinute: (y: number, mo: number, d: number, h: number, mi: number) => localMinute(y, mo, d, h, mi),
				fillPrefix: (k: number, variant: number, minute: number, sec: number) => this.fillPrefix(k, variant, minute, sec),
			},
		});
		this.x = instance.exports as unknown as Exports;
		if (this.x.heapBase() > BASE || this.x.CAPACITY.value !== CAPACITY || this.x.RECORD_BYTES.value !== RECORD_BYTES || this.x.CURSOR_BYTES.value !== 56 || this.x.SCRATCH_BYTES.value !== 8192) {
			throw new Error('merge.wasm does not match kernel.ts (rebuild with npm run build)');
		}

		this.constFree = layout.constants[role];
		this.constEnd = this.constFree + CONSTANTS;
		const count = layout.slots.length;
		this.x.init(layout.scratch[role], layout.table[role], layout.active, role === 0 ? count : 0, layout.out, OUT_SIZE, format.json ? 1 : 0, format.color ? 1 : 0);
		this.levelCode(null); // code 0: the kernel's "no level"
		for (const [word, level] of levelSpellings()) {
			this.x.addLevelWord(this.constant(Buffer.from(word, 'latin1')), word.length, this.levelCode(level));
		}

		if (role === 0) {
			for (const [k, variants] of layout.templates.entries()) {
				const plain = itemAt(variants, 0);
				this.x.setTemplates(k, plain, variants[1] ?? plain);
			}
		}
	}

	private needleText: string | null = null;

	/** The `--grep` literal hideUnmatched looks for (printable ASCII; lower-case it when `fold`); set once per instance. */
	needle(text: string, fold: boolean): void {
		if (this.needleText === null) {
			this.needleText = text;
			this.x.setNeedle(this.constant(Buffer.from(fold ? text.toLowerCase() : text, 'latin1')), text.length, fold ? 1 : 0);
		}
	}

	/** Typed views of the records at `base`. */
	records(base: number): Records {
		const buffer = this.memory.buffer;
		return {
			base,
			times: new Float64Array(buffer, base, CAPACITY),
			starts: new Int32Array(buffer, base + 8 * CAPACITY, CAPACITY),
			ends: new Int32Array(buffer, base + 12 * CAPACITY, CAPACITY),
			flags: new Uint8Array(buffer, base + 16 * CAPACITY, CAPACITY),
			levels: new Uint8Array(buffer, base + 17 * CAPACITY, CAPACITY),
		};
	}

	/** The level a record's code stands for (codes come from `levelCode`). */
	levelName(code: number): string | null {
		return itemAt(this.levelNames, code);
	}

	/** Source k's read slots, each with its records' typed views. */
	slots(k: number): Array<{region: number; records: Records}> {
		return itemAt(this.layout.slots, k).map((slot) => ({region: slot.region, records: this.records(slot.records)}));
	}

	/** The code of a level (registering its rendering on first sight). */
	levelCode(level: string | null): number {
		let code = this.levelCodes.get(level);
		if (code === undefined) {
			code = this.levelNames.length;
			if (code > 255) {
				throw new Error('more than 255 distinct levels');
			}

			this.levelNames.push(level);
			this.levelCodes.set(level, code);
			const value = Buffer.from(`${JSON.stringify(level)},"text":`);
			const colour = level === 'warn' ? 2 : isErrorLevel(level) ? 1 : 0;
			this.x.setLevelRender(code, this.constant(value), value.length, colour);
		}

		return code;
	}

	private constant(bytes: Buffer): number {
		if (this.constFree + bytes.length + SLACK > this.constEnd) {
			throw new Error('merge kernel constants full');
		}

		const at = this.constFree;
		bytes.copy(this.bytes, at);
		this.constFree += bytes.length;
		return at;
	}

	/** The kernel's call when a source's line moves to another second: its prefix template for that second. */
	private fillPrefix(k: number, variant: number, minute: number, sec: number): number {
		// The clock exactly as the other views print it, at this second's start (.000 patched per line).
		const start = minute * MINUTE_MS + sec * SECOND_MS;
		const json = this.format.json;
		const head = json ? `{"time":"${new Date(start).toISOString()}` : `${this.format.color ? '\u001B[2m' : ''}${clockTime(start)}`;
		const at = itemAt(itemAt(this.layout.templates, k), variant);
		const length = this.bytes.write(head, at, 'latin1');
		const label = itemAt(itemAt(this.labels, k), variant);
		label.copy(this.bytes, at + length);
		return (length - (json ? 4 : 3)) * 65_536 + length + label.length;
	}
}
