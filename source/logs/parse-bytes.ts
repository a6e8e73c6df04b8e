// The full merge's fast path: the layouts that carry most lines, read straight from a chunk's bytes
// (no string per chunk or line). A leading date-time (RFC 3339, Go `log`, Python `logging`) and
// zerolog/zap JSON (`{"level":"…","time"|"ts":"…"`) give exactly parse.ts's answers; any other line is
// declined (false) and goes to the general parser. Only ASCII is inspected, and a line is read at
// most up to its \n (or \r), as parse.ts does on a chunk's latin1 view.
import {localMinute, utcMinute} from './clock.js';
import {levelWordAtBytes, MAX_LEVEL_WORD} from './levels.js';

// Results of the last parse: module scratch instead of an object per line.
let outTime = Number.NaN;
let outLevel: string | null = null;

/** The time found by the last accepted `parseBytes`, NaN if none. */
export function bytesTime(): number {
	return outTime;
}

/** The level found by the last accepted `parseBytes`. */
export function bytesLevel(): string | null {
	return outLevel;
}

/**
 * Parse the line b[start, end); `end` is where its \r\n or \n starts (the caller declines a last line
 * with no \n, whose next byte is not the line's). True: time (NaN for none) and level are set, equal to
 * parseSpan's. False: a layout this path does not read; use parseSpan.
 */
export function parseBytes(b: Uint8Array, start: number, end: number): boolean {
	outTime = Number.NaN;
	outLevel = null;
	let i = start;
	let c = b[i]!;
	while (i < end && (c === 32 || c === 9)) {
		c = b[++i]!;
	}

	if (i >= end) {
		return true; // blank: no time, no level
	}

	if (c >= 48 && c <= 57) {
		const stop = isoAt(b, i);
		if (stop < 0) {
			return false;
		}

		outLevel = levelWordAtBytes(b, skipNoise(b, stop));
		return true;
	}

	return c === 123 /* { */ && leveledJson(b, i);
}

/** Two digits at i, or -1. */
function d2(b: Uint8Array, i: number): number {
	const x = b[i]! - 48;
	const y = b[i + 1]! - 48;
	return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** ms per unit of a fraction with that many digits kept (as parse.ts). */
const FRACTION_SCALE = [0, 100, 10, 1, 0.1, 0.01, 0.001];
const MAX_FRACTION_DIGITS = 6;

let fracEnd = 0;
/** Seconds' fraction (`.123`, `,123`) at i as ms; sets fracEnd. */
function fraction(b: Uint8Array, i: number): number {
	const c = b[i]!;
	const next = b[i + 1]!;
	if ((c !== 46 && c !== 44) || !(next >= 48 && next <= 57)) {
		fracEnd = i;
		return 0;
	}

	let j = i + 1;
	let value = 0;
	let digits = 0;
	for (let d = b[j]! - 48; d >= 0 && d <= 9; d = b[++j]! - 48) {
		if (digits < MAX_FRACTION_DIGITS) {
			value = value * 10 + d;
			digits++;
		}
	}

	fracEnd = j;
	return value * FRACTION_SCALE[digits]!;
}

/** parse.ts `isoAt` over bytes: `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM| UTC]` or `YYYY/MM/DD …`; sets the time, returns the end or -1. */
function isoAt(b: Uint8Array, i: number): number {
	const yh = d2(b, i);
	const yl = d2(b, i + 2);
	const sep = b[i + 4]!;
	if (yh < 0 || yl < 0 || (sep !== 45 && sep !== 47) || b[i + 7] !== sep) {
		return -1;
	}

	const y = yh * 100 + yl;
	const mo = d2(b, i + 5);
	const d = d2(b, i + 8);
	const t = b[i + 10]!;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || (t !== 84 && t !== 32 && t !== 116)) {
		return -1;
	}

	const h = d2(b, i + 11);
	const mi = d2(b, i + 14);
	const sec = d2(b, i + 17);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || b[i + 13] !== 58 || b[i + 16] !== 58) {
		return -1;
	}

	const ms = fraction(b, i + 19);
	const j = fracEnd;
	const z = b[j]!;
	if (z === 90 || z === 122 /* Z z */) {
		outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
		return j + 1;
	}

	if ((z === 43 || z === 45) && sep === 45) {
		const oh = d2(b, j + 1);
		let om = 0;
		let end = j + 3;
		if (b[j + 3] === 58 && d2(b, j + 4) >= 0) {
			om = d2(b, j + 4);
			end = j + 6;
		} else if (d2(b, j + 3) >= 0) {
			om = d2(b, j + 3);
			end = j + 5;
		}

		if (oh >= 0 && oh <= 23) {
			const offset = (oh * 60 + om) * 60_000 * (z === 43 ? 1 : -1);
			outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms - offset;
			return end;
		}
	}

	if (z === 32 && b[j + 1] === 85 && b[j + 2] === 84 && b[j + 3] === 67 /* UTC */) {
		outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
		return j + 4;
	}

	outTime = localMinute(y, mo, d, h, mi) + sec * 1000 + ms;
	return j;
}

/** `{"level":"` */
const LEVEL_OPEN = [123, 34, 108, 101, 118, 101, 108, 34, 58, 34];
/** `,"time":` and `,"ts":` */
const TIME_KEY = [44, 34, 116, 105, 109, 101, 34, 58];
const TS_KEY = [44, 34, 116, 115, 34, 58];

function startsWith(b: Uint8Array, at: number, bytes: number[]): boolean {
	for (let k = 0; k < bytes.length; k++) {
		if (b[at + k] !== bytes[k]) {
			return false;
		}
	}

	return true;
}

/** parse.ts `leveledJson` over bytes, for string times only (an epoch number is declined). */
function leveledJson(b: Uint8Array, start: number): boolean {
	if (!startsWith(b, start, LEVEL_OPEN)) {
		return false;
	}

	const word = start + LEVEL_OPEN.length;
	let j = word;
	let c = b[j]!;
	while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
		c = b[++j]!;
	}

	if (c !== 34 || j - word > MAX_LEVEL_WORD) {
		return false;
	}

	const value = startsWith(b, j + 1, TIME_KEY) ? j + 1 + TIME_KEY.length : startsWith(b, j + 1, TS_KEY) ? j + 1 + TS_KEY.length : -1;
	if (value < 0 || b[value] !== 34 || isoAt(b, value + 1) < 0) {
		return false;
	}

	outLevel = levelWordAtBytes(b, word);
	return true;
}

/** Skip spaces and the brackets/bars around a level (as parse.ts). */
function skipNoise(b: Uint8Array, i: number): number {
	let c = b[i]!;
	while (c === 32 || c === 9 || c === 91 || c === 93 || c === 124 || c === 40) {
		c = b[++i]!;
	}

	return i;
}
