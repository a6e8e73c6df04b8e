// The `-n 0` merge kernel's JS side: loads source/wasm/merge.ts's module (built by `npm run build`
// into merge.wasm beside this file), lays out its memory and answers its rare calls (clock, prefixes).
// The memory holds everything the kernel touches: the output buffer, each cursor's read chunk and
// parsed line records, and constant bytes; cursor.ts reads files straight into it.
import fs from 'node:fs';
import {localMinute, utcMinute} from './clock.js';
import {levelSpellings} from './levels.js';

/** Record flags (as in merge.ts). */
export const INHERITED = 1;
export const JS_RENDER = 2;
export const DECLINED = 4;

/** merge() results (as in merge.ts). */
export const DONE = 0;
export const FLUSH = 1;
export const LOAD = 2;
export const RENDER = 3;

/** Line records per parse batch. */
export const CAPACITY = 16_384;
/** Largest partial line carried into the next chunk in place; a longer one gets a buffer of its own. */
export const CARRY = 256 * 1024;
/** Output buffer: flushed when a line might not fit. */
export const OUT_SIZE = 1024 * 1024;
/** Read size per file: syscalls vanish from the profile; shrunk when many files are merged at once. */
const MAX_CHUNK = 768 * 1024;
const MIN_CHUNK = 64 * 1024;
const ALL_CHUNKS = 64 * 1024 * 1024;
/** The kernel reads and writes 16-byte blocks that may run past a region's end. */
const SLACK = 64;
/** Where our regions start: above the kernel's static data (checked against its heapBase). */
const BASE = 64 * 1024;
const PAGE = 64 * 1024;
const CONSTANTS = 16 * 1024;
/** Longest prefix head before a label: `{"time":"YYYY-MM-DDTHH:MM:SS.mmmZ` or dim + `HH:MM:SS.mmm`. */
const PREFIX_HEAD = 40;

type Exports = {
	CURSOR_BYTES: WebAssembly.Global;
	heapBase(): number;
	init(table: number, active: number, count: number, out: number, outBytes: number, json: number, color: number): void;
	addLevelWord(word: number, length: number, code: number): void;
	setLevelRender(code: number, bytes: number, length: number, colour: number): void;
	setCursor(k: number, starts: number, ends: number, times: number, flags: number, levels: number, tmpl0: number, tmpl1: number): void;
	setRecords(k: number, n: number): void;
	cursorIndex(k: number): number;
	advance(k: number): number;
	deactivate(k: number): void;
	needCursor(): number;
	parsedUpTo(): number;
	declinedLines(): number;
	outLength(): number;
	setOutLength(length: number): void;
	parse(k: number, from: number, to: number, capacity: number): number;
	resolve(k: number, n: number, last: number, fallback: number): number;
	merge(): number;
	renderedLines(): number;
};

let compiled: WebAssembly.Module | undefined;

/** How a kernel renders: JSON objects or `HH:MM:SS.mmm component[stream] text`, coloured or not. */
export type KernelFormat = {json: boolean; color: boolean};

/** A cursor's line records: typed views of the kernel's memory. */
export type Records = {starts: Int32Array; ends: Int32Array; times: Float64Array; flags: Uint8Array; levels: Uint8Array};

/** One merge's kernel instance: its memory and the regions it hands to cursors. */
export class Kernel {
	readonly memory: WebAssembly.Memory;
	/** The whole memory as a Buffer (offsets are addresses). */
	readonly bytes: Buffer;
	readonly x: Exports;
	readonly out: number;
	readonly chunk: number;
	private readonly regions: number[] = [];
	private readonly records: Records[] = [];
	private readonly templates: Array<[number, number]> = [];
	private readonly labels: Buffer[][] = [];
	private constFree: number;
	private constEnd: number;
	private readonly levelCodes = new Map<string | null, number>();
	readonly levelNames: Array<string | null> = [];

	/** `labels[k]`: source k's label bytes per variant (JSON: not inherited, inherited; text: one). */
	constructor(labels: Buffer[][], readonly format: KernelFormat) {
		const count = labels.length;
		this.chunk = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(ALL_CHUNKS / Math.max(1, count) / PAGE) * PAGE));
		const align = (n: number) => Math.ceil(n / 16) * 16;
		let at = BASE;
		const take = (size: number) => {
			const from = at;
			at = align(at + size + SLACK);
			return from;
		};

		const table = take(count * 80);
		const active = take(count * 4);
		const constants = take(CONSTANTS);
		const templates = labels.map((variants) => variants.map((label) => take(PREFIX_HEAD + label.length)));
		const out = take(OUT_SIZE + 1024);
		const recordBases = labels.map(() => take(CAPACITY * 18));
		const regions = labels.map(() => take(this.chunk + CARRY));
		this.memory = new WebAssembly.Memory({initial: Math.ceil(at / PAGE), maximum: Math.ceil(at / PAGE)});
		this.bytes = Buffer.from(this.memory.buffer);
		compiled ??= new WebAssembly.Module(fs.readFileSync(new URL('merge.wasm', import.meta.url)));
		const instance = new WebAssembly.Instance(compiled, {
			env: {
				memory: this.memory,
				utcMinute: (y: number, mo: number, d: number, h: number, mi: number) => utcMinute(y, mo, d, h, mi),
				localMinute: (y: number, mo: number, d: number, h: number, mi: number) => localMinute(y, mo, d, h, mi),
				fillPrefix: (k: number, variant: number, minute: number, sec: number) => this.fillPrefix(k, variant, minute, sec),
			},
		});
		this.x = instance.exports as unknown as Exports;
		if (this.x.heapBase() > BASE || this.x.CURSOR_BYTES.value !== 80) {
			throw new Error('merge.wasm does not match kernel.ts (rebuild with npm run build)');
		}

		this.out = out;
		this.constFree = constants;
		this.constEnd = constants + CONSTANTS;
		this.x.init(table, active, count, out, OUT_SIZE, format.json ? 1 : 0, format.color ? 1 : 0);
		this.levelCode(null); // code 0: the kernel's "no level"
		for (const [word, level] of levelSpellings()) {
			this.x.addLevelWord(this.constant(Buffer.from(word, 'latin1')), word.length, this.levelCode(level));
		}

		for (const [k, variants] of labels.entries()) {
			const starts = recordBases[k]!;
			const record: Records = {
				times: new Float64Array(this.memory.buffer, starts, CAPACITY),
				starts: new Int32Array(this.memory.buffer, starts + 8 * CAPACITY, CAPACITY),
				ends: new Int32Array(this.memory.buffer, starts + 12 * CAPACITY, CAPACITY),
				flags: new Uint8Array(this.memory.buffer, starts + 16 * CAPACITY, CAPACITY),
				levels: new Uint8Array(this.memory.buffer, starts + 17 * CAPACITY, CAPACITY),
			};
			this.records.push(record);
			this.regions.push(regions[k]!);
			const [t0, t1] = templates[k]!;
			this.templates.push([t0!, t1 ?? t0!]);
			this.labels.push(variants);
			this.x.setCursor(k, record.starts.byteOffset, record.ends.byteOffset, record.times.byteOffset, record.flags.byteOffset, record.levels.byteOffset, t0!, t1 ?? t0!);
		}
	}

	/** Cursor k's read region (chunk plus carry room) and its line records. */
	region(k: number): {base: number; size: number; records: Records} {
		return {base: this.regions[k]!, size: this.chunk + CARRY, records: this.records[k]!};
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
			const colour = level === 'warn' ? 2 : ['error', 'fatal', 'critical', 'panic', 'alert', 'emerg'].includes(level ?? '') ? 1 : 0;
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

	/** The kernel's call when a cursor's line moves to another second: its prefix template for that second. */
	private fillPrefix(k: number, variant: number, minute: number, sec: number): number {
		const d = new Date(minute * 60_000);
		const ss = `${Math.floor(sec / 10)}${sec % 10}`;
		const json = this.format.json;
		const head = json
			? `{"time":"${d.toISOString().slice(0, 17)}${ss}.000Z`
			: `${this.format.color ? '\u001B[2m' : ''}${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${ss}.000`;
		const at = this.templates[k]![variant]!;
		const length = this.bytes.write(head, at, 'latin1');
		const label = this.labels[k]![variant]!;
		label.copy(this.bytes, at + length);
		return (length - (json ? 4 : 3)) * 65_536 + length + label.length;
	}
}
