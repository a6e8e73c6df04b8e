// The `-n 0` merge kernel (AssemblyScript → WebAssembly): splits and parses chunks of log bytes and
// merges and renders lines, the per-byte and per-line work that JS did at 0.1-0.2 × `sort -m`'s speed.
// Hand-written because no library merges and renders log lines; source/logs/full/kernel.ts is its only
// user and owns the memory layout. It reads the layouts parse.ts reads (RFC 3339, Go `log`, Python
// `logging`, zerolog/zap JSON) with exactly parse.ts's answers; other lines are flagged for JS.

// ---- shared with kernel.ts ----

/** Record flags. */
const INHERITED: u8 = 1;
/** Rendered by JS: unclean bytes (invalid UTF-8, NUL, control characters) or too long for the output buffer. */
const JS_RENDER: u8 = 2;
/** Parsed by JS: a layout this kernel does not read, or a last line with no \n. */
const DECLINED: u8 = 4;
/** Left out by JS (`--grep`, `--level`): merged in its place but not written. */
const HIDDEN: u8 = 8;

/** Lines longer than this are rendered by JS (the output buffer must hold one escaped line). */
const BIG_LINE: i32 = 128 * 1024;

/** merge() results. */
const DONE = 0;
const FLUSH = 1;
const LOAD = 2;
const RENDER = 3;

/** Line records per batch. A batch's records at address R: times (f64) at R, starts (i32) at R + 8 CAPACITY,
 * ends (i32) at R + 12 CAPACITY, flags (u8) at R + 16 CAPACITY, level codes (u8) at R + 17 CAPACITY. */
export const CAPACITY: i32 = 16384;
export const RECORD_BYTES: i32 = 18 * CAPACITY;
const R_STARTS = 8 * CAPACITY;
const R_ENDS = 12 * CAPACITY;
const R_FLAGS = 16 * CAPACITY;
const R_LEVELS = 17 * CAPACITY;

// A cursor's state block in the merge's cursor table (CURSOR_BYTES each).
const C_I = 0;
const C_N = 4;
const C_RECORDS = 8;
const C_TMPL = 12; // + 4 * variant
const C_LEN = 20; // + 8 * variant
const C_MSAT = 24; // + 8 * variant
const C_SECOND = 40; // + 8 * variant (f64): where the template's second starts, epoch ms
export const CURSOR_BYTES = 56;

/** Per-instance tables (kernel.ts gives each instance its own; statics would be shared by every thread). */
export const SCRATCH_BYTES = 8192;

// ---- JS helpers (rare calls: once per minute of log or per second of output) ----

@external("env", "utcMinute")
declare function jsUtcMinute(y: i32, mo: i32, d: i32, h: i32, mi: i32): f64;
@external("env", "localMinute")
declare function jsLocalMinute(y: i32, mo: i32, d: i32, h: i32, mi: i32): f64;
/** Write cursor k's prefix template of `variant` for this minute and second; returns msAt * 65536 + length. */
@external("env", "fillPrefix")
declare function jsFillPrefix(k: i32, variant: i32, minute: f64, sec: i32): i32;

export function heapBase(): i32 {
	return <i32>__heap_base;
}

// ---- state ----

let table: i32 = 0;
let active: i32 = 0;
let activeCount: i32 = 0;
let outStart: i32 = 0;
let outAt: i32 = 0;
let outEnd: i32 = 0;
let json = false;
let color = false;
/** Cursor merge() stopped for (LOAD, RENDER). */
let needK: i32 = -1;
/** After parse(): where parsing stopped, and how many lines JS must parse. */
let parsedTo: i32 = 0;
let declined: i32 = 0;
/** Lines rendered so far. */
let rendered: f64 = 0;
/** Lines before this time (epoch ms) are merged but not written (`--since`). */
let since: f64 = -Infinity;

export function setSince(time: f64): void {
	since = time;
}

/** Level words (64): hash, length, code, address of the lower-case word. In the instance's scratch. */
let LEVEL_WORDS = 0;
let levelWordCount = 0;
/** Per level code (256): address and length of its JSON value + `,"text":`, and colour (1 red, 2 yellow). In the scratch. */
let LEVEL_RENDER = 0;
const RED = <i32>memory.data<u8>([0x1b, 0x5b, 0x33, 0x31, 0x6d]);
const YELLOW = <i32>memory.data<u8>([0x1b, 0x5b, 0x33, 0x33, 0x6d]);
const RESET = <i32>memory.data<u8>([0x1b, 0x5b, 0x30, 0x6d]);
const HEX = <i32>memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

export function init(scratch: i32, cursorTable: i32, activeList: i32, count: i32, out: i32, outBytes: i32, asJson: bool, withColor: bool): void {
	LEVEL_WORDS = scratch;
	LEVEL_RENDER = scratch + 64 * 16;
	LAST_HEAD = LEVEL_RENDER + 256 * 16;
	LAST_WORD = LAST_HEAD + 16;
	table = cursorTable;
	active = activeList;
	activeCount = count;
	for (let k = 0; k < count; k++) {
		store<i32>(active + 4 * k, k);
	}

	outStart = out;
	outAt = out;
	outEnd = out + outBytes;
	json = asJson;
	color = withColor;
}

export function addLevelWord(word: i32, length: i32, code: i32): void {
	let h: i32 = 0;
	for (let k = 0; k < length; k++) {
		h = h * 31 + (<i32>load<u8>(word + k) | 0x20);
	}

	const e = LEVEL_WORDS + 16 * levelWordCount++;
	store<i32>(e, h);
	store<i32>(e + 4, length);
	store<i32>(e + 8, code);
	store<i32>(e + 12, word);
}

export function setLevelRender(code: i32, bytes: i32, length: i32, colour: i32): void {
	const e = LEVEL_RENDER + 16 * code;
	store<i32>(e, bytes);
	store<i32>(e + 4, length);
	store<i32>(e + 8, colour);
}

export function setTemplates(k: i32, tmpl0: i32, tmpl1: i32): void {
	const c = table + CURSOR_BYTES * k;
	store<i32>(c + C_TMPL, tmpl0);
	store<i32>(c + C_TMPL + 4, tmpl1);
	store<f64>(c + C_SECOND, NaN);
	store<f64>(c + C_SECOND + 8, NaN);
	store<i32>(c + C_I, 0);
	store<i32>(c + C_N, 0);
}

/** Cursor k's next batch: n records at `records`. */
export function setRecords(k: i32, records: i32, n: i32): void {
	const c = table + CURSOR_BYTES * k;
	store<i32>(c + C_RECORDS, records);
	store<i32>(c + C_I, 0);
	store<i32>(c + C_N, n);
}

export function cursorIndex(k: i32): i32 {
	return load<i32>(table + CURSOR_BYTES * k + C_I);
}

/** Past cursor k's current line (after JS rendered it); true when its records are used up. */
export function advance(k: i32): bool {
	const c = table + CURSOR_BYTES * k;
	const i = load<i32>(c + C_I) + 1;
	store<i32>(c + C_I, i);
	return i >= load<i32>(c + C_N);
}

/** Take cursor k out of the merge (its files are done); the others keep their order. */
export function deactivate(k: i32): void {
	let w = 0;
	for (let r = 0; r < activeCount; r++) {
		const v = load<i32>(active + 4 * r);
		if (v !== k) {
			store<i32>(active + 4 * w++, v);
		}
	}

	activeCount = w;
}

export function needCursor(): i32 {
	return needK;
}

export function parsedUpTo(): i32 {
	return parsedTo;
}

export function declinedLines(): i32 {
	return declined;
}

/** Bytes of output so far, and starting over after JS took them. */
export function renderedLines(): f64 {
	return rendered;
}

export function outLength(): i32 {
	return outAt - outStart;
}

export function setOutLength(length: i32): void {
	outAt = outStart + length;
}

// ---- parsing (parse.ts's answers for the layouts read here) ----

let outTime: f64 = NaN;
let outLevel: i32 = 0;

/** Epoch ms of the head's minute in UTC and in local time (NaN until asked): JS's Date does the calendar. */
let headUtc: f64 = NaN;
let headLocal: f64 = NaN;

function utcMinute(): f64 {
	if (isNaN(headUtc)) {
		headUtc = jsUtcMinute(headY, headMo, headD, headH, headMi);
	}

	return headUtc;
}

function localMinute(): f64 {
	if (isNaN(headLocal)) {
		headLocal = jsLocalMinute(headY, headMo, headD, headH, headMi);
	}

	return headLocal;
}

/** Two digits at i, or -1. */
@inline function d2(i: i32): i32 {
	const x = <i32>load<u8>(i) - 48;
	const y = <i32>load<u8>(i + 1) - 48;
	return <u32>x <= 9 && <u32>y <= 9 ? x * 10 + y : -1;
}

@inline function isDigit(c: i32): bool {
	return <u32>(c - 48) <= 9;
}

let fracEnd: i32 = 0;

/** Seconds' fraction (`.123`, `,123`) at i as ms; sets fracEnd. As parse.ts: 6 digits kept, scaled by a table. */
function fraction(i: i32): f64 {
	const c = <i32>load<u8>(i);
	if ((c !== 46 && c !== 44) || !isDigit(<i32>load<u8>(i + 1))) {
		fracEnd = i;
		return 0;
	}

	let j = i + 1;
	let value: i32 = 0;
	let digits = 0;
	for (let d = <i32>load<u8>(j) - 48; <u32>d <= 9; d = <i32>load<u8>(++j) - 48) {
		if (digits < 6) {
			value = value * 10 + d;
			digits++;
		}
	}

	fracEnd = j;
	let scale: f64 = 0;
	switch (digits) {
		case 1: scale = 100; break;
		case 2: scale = 10; break;
		case 3: scale = 1; break;
		case 4: scale = 0.1; break;
		case 5: scale = 0.01; break;
		default: scale = 0.001;
	}

	return <f64>value * scale;
}

/** The date and hour:minute of a date-time at i into the head fields; false when they are not one. */
function readHead(i: i32): bool {
	const yh = d2(i);
	const yl = d2(i + 2);
	const sep = <i32>load<u8>(i + 4);
	if (yh < 0 || yl < 0 || (sep !== 45 && sep !== 47) || <i32>load<u8>(i + 7) !== sep) {
		return false;
	}

	const mo = d2(i + 5);
	const d = d2(i + 8);
	const t = <i32>load<u8>(i + 10);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || (t !== 84 && t !== 32 && t !== 116)) {
		return false;
	}

	const h = d2(i + 11);
	const mi = d2(i + 14);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || load<u8>(i + 13) !== 58) {
		return false;
	}

	headY = yh * 100 + yl;
	headMo = mo;
	headD = d;
	headH = h;
	headMi = mi;
	headSep = sep;
	return true;
}

// The last date-time head (`YYYY-MM-DD?HH:MM`, 16 bytes) isoAt accepted, and its fields: sorted logs
// repeat it for every line of a minute, so a 16-byte compare replaces its parse.
let LAST_HEAD = 0;
let headValid = false;
let headY = 0;
let headMo = 0;
let headD = 0;
let headH = 0;
let headMi = 0;
let headSep = 0;

/** `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM| UTC]` or `YYYY/MM/DD …` at i; sets outTime, returns the end or -1. */
function isoAt(i: i32): i32 {
	const head = v128.load(i);
	if (!headValid || !i8x16.all_true(i8x16.eq(head, v128.load(LAST_HEAD)))) {
		if (!readHead(i)) {
			return -1;
		}

		v128.store(LAST_HEAD, head);
		headValid = true;
		headUtc = NaN;
		headLocal = NaN;
	}

	const sep = headSep;
	const sec = d2(i + 17);
	if (sec < 0 || sec > 60 || load<u8>(i + 16) !== 58) {
		return -1;
	}

	const ms = fraction(i + 19);
	const j = fracEnd;
	const z = <i32>load<u8>(j);
	if (z === 90 || z === 122) {
		outTime = utcMinute() + <f64>(sec * 1000) + ms;
		return j + 1;
	}

	if ((z === 43 || z === 45) && sep === 45) {
		const oh = d2(j + 1);
		let om = 0;
		let end = j + 3;
		if (load<u8>(j + 3) === 58 && d2(j + 4) >= 0) {
			om = d2(j + 4);
			end = j + 6;
		} else if (d2(j + 3) >= 0) {
			om = d2(j + 3);
			end = j + 5;
		}

		if (oh >= 0 && oh <= 23) {
			const offset = <f64>((oh * 60 + om) * 60000 * (z === 43 ? 1 : -1));
			outTime = utcMinute() + <f64>(sec * 1000) + ms - offset;
			return end;
		}
	}

	if (z === 32 && load<u8>(j + 1) === 85 && load<u8>(j + 2) === 84 && load<u8>(j + 3) === 67) {
		outTime = utcMinute() + <f64>(sec * 1000) + ms;
		return j + 4;
	}

	if (z === 32 && sep === 45) {
		// ` +0100` / ` -05:00` after a space (pino-pretty SYS:standard, Ruby, Postgres).
		const sign = <i32>load<u8>(j + 1);
		const oh = d2(j + 2);
		const colon = load<u8>(j + 4) === 58;
		const om = d2(colon ? j + 5 : j + 4);
		if ((sign === 43 || sign === 45) && oh >= 0 && oh <= 23 && om >= 0 && om <= 59) {
			const offset = <f64>((oh * 60 + om) * 60000 * (sign === 43 ? 1 : -1));
			outTime = utcMinute() + <f64>(sec * 1000) + ms - offset;
			return colon ? j + 7 : j + 6;
		}
	}

	outTime = localMinute() + <f64>(sec * 1000) + ms;
	return j;
}

@inline function isLetter(c: i32): bool {
	return <u32>((c | 0x20) - 97) <= 25;
}

// The word levelWordAt saw last, and its answer: sorted logs repeat it.
let LAST_WORD = 0;
let lastWordLength = -1;
let lastWordHash = 0;
let lastWordCode = 0;

/** A level word at i that ends at a delimiter: its code, or 0 (levels.ts levelWordAt, on bytes). */
function levelWordAt(i: i32): i32 {
	let j = i;
	let h: i32 = 0;
	let c = <i32>load<u8>(j);
	while (isLetter(c)) {
		h = h * 31 + (c | 0x20);
		c = <i32>load<u8>(++j);
		if (j - i > 13) {
			return 0;
		}
	}

	if (j === i || !(c === 32 || c === 93 || c === 58 || c === 124 || c === 41 || c === 9 || c === 44 || c === 34 || c === 10 || c === 13)) {
		return 0;
	}

	const length = j - i;
	if (length === lastWordLength && h === lastWordHash && sameFolded(i, LAST_WORD, length, false)) {
		return lastWordCode;
	}

	let code = 0;
	for (let e = LEVEL_WORDS, stop = LEVEL_WORDS + 16 * levelWordCount; e < stop; e += 16) {
		if (load<i32>(e) === h && load<i32>(e + 4) === length && sameFolded(i, load<i32>(e + 12), length, true)) {
			code = load<i32>(e + 8);
			break;
		}
	}

	memory.copy(LAST_WORD, i, length);
	lastWordLength = length;
	lastWordHash = h;
	lastWordCode = code;
	return code;
}

function sameFolded(i: i32, word: i32, length: i32, fold: bool): bool {
	const mask: i32 = fold ? 0x20 : 0;
	for (let k = 0; k < length; k++) {
		if ((<i32>load<u8>(i + k) | mask) !== <i32>load<u8>(word + k)) {
			return false;
		}
	}

	return true;
}

/** Skip spaces and the brackets/bars around a level. */
function skipNoise(i: i32): i32 {
	let c = <i32>load<u8>(i);
	while (c === 32 || c === 9 || c === 91 || c === 93 || c === 124 || c === 40) {
		c = <i32>load<u8>(++i);
	}

	return i;
}

// `{"level":"` and `,"time":` / `,"ts":`
const LEVEL_OPEN = <i32>memory.data<u8>([123, 34, 108, 101, 118, 101, 108, 34, 58, 34]);
const TIME_KEY = <i32>memory.data<u8>([44, 34, 116, 105, 109, 101, 34, 58]);
const TS_KEY = <i32>memory.data<u8>([44, 34, 116, 115, 34, 58]);

function startsWith(at: i32, bytes: i32, length: i32): bool {
	for (let k = 0; k < length; k++) {
		if (load<u8>(at + k) !== load<u8>(bytes + k)) {
			return false;
		}
	}

	return true;
}

/** zerolog/zap JSON with a leading level and a string time. */
function leveledJson(start: i32): bool {
	if (!startsWith(start, LEVEL_OPEN, 10)) {
		return false;
	}

	const word = start + 10;
	let j = word;
	let c = <i32>load<u8>(j);
	while (isLetter(c)) {
		c = <i32>load<u8>(++j);
	}

	if (c !== 34 || j - word > 13) {
		return false;
	}

	const value = startsWith(j + 1, TIME_KEY, 8) ? j + 9 : startsWith(j + 1, TS_KEY, 6) ? j + 7 : -1;
	if (value < 0 || load<u8>(value) !== 34 || isoAt(value + 1) < 0) {
		return false;
	}

	outLevel = levelWordAt(word);
	return true;
}

/** The line [start, end) (end is where its \r\n or \n starts): true with outTime (NaN: none) and outLevel set, or false to decline. */
function parseLine(start: i32, end: i32): bool {
	outTime = NaN;
	outLevel = 0;
	let i = start;
	let c = <i32>load<u8>(i);
	while (i < end && (c === 32 || c === 9)) {
		c = <i32>load<u8>(++i);
	}

	if (i >= end) {
		return true;
	}

	if (isDigit(c)) {
		const stop = isoAt(i);
		if (stop < 0) {
			return false;
		}

		outLevel = levelWordAt(skipNoise(stop));
		return true;
	}

	return c === 123 && leveledJson(i);
}

/** Where findNewline saw the line's first control byte (-1: none): see CONTROL_LEAD. */
let firstControl: i32 = -1;

/**
 * The first \n in [from, to), or `to`; notes the first byte before it that makes the line unsafe to
 * copy to a terminal as it is (sanitize.ts): a control character but tab (ESC, CR, BEL…), DEL, or
 * 0xC2, the UTF-8 lead byte of the C1 controls (and of a few Latin-1 symbols, left to JS too).
 * Such lines go to JS, which shows them escaped and parses them through their colour sequences.
 */
function findNewline(from: i32, to: i32): i32 {
	firstControl = -1;
	const nl = i8x16.splat(10);
	const space = i8x16.splat(0x20);
	const tab = i8x16.splat(9);
	const del = i8x16.splat(0x7f);
	const c1 = i8x16.splat(<i8>0xc2);
	while (from + 16 <= to) {
		const v = v128.load(from);
		const m = i8x16.bitmask(i8x16.eq(v, nl));
		let bad = i8x16.bitmask(v128.or(v128.andnot(i8x16.lt_u(v, space), i8x16.eq(v, tab)), v128.or(i8x16.eq(v, del), i8x16.eq(v, c1))));
		if (m !== 0) {
			const p = ctz(m);
			bad &= (1 << p) - 1;
			if (bad !== 0 && firstControl < 0) {
				firstControl = from + ctz(bad);
			}

			return from + p;
		}

		if (bad !== 0 && firstControl < 0) {
			firstControl = from + ctz(bad);
		}

		from += 16;
	}

	while (from < to) {
		const c = <i32>load<u8>(from);
		if (c === 10) {
			break;
		}

		if (firstControl < 0 && ((c < 0x20 && c !== 9) || c === 0x7f || c === 0xc2)) {
			firstControl = from;
		}

		from++;
	}

	return from;
}

/**
 * Split [from, to) into lines and parse each, into cursor k's records (at most `capacity`); returns
 * how many. Sets parsedTo (where the next call starts) and declined (lines left for JS to parse).
 * Own times only: resolve() fills in inherited ones after JS has parsed the declined lines.
 */
export function parse(records: i32, from: i32, to: i32): i32 {
	const capacity = CAPACITY;
	const times = records;
	const starts = records + R_STARTS;
	const ends = records + R_ENDS;
	const flags = records + R_FLAGS;
	const levels = records + R_LEVELS;
	let n = 0;
	let start = from;
	declined = 0;
	while (start < to && n < capacity) {
		const nl = findNewline(start, to);
		let lineEnd = nl;
		if (lineEnd > start && load<u8>(lineEnd - 1) === 13) {
			lineEnd--;
		}

		let f: u8 = lineEnd - start > BIG_LINE ? JS_RENDER : 0;
		// A control byte before the line's end (a CR right before its \n is not the line's own).
		const control = firstControl >= 0 && firstControl < lineEnd;
		if (control) {
			f |= JS_RENDER;
		}

		let time: f64 = NaN;
		let level = 0;
		if (nl < to && !control && parseLine(start, lineEnd)) {
			time = outTime;
			level = outLevel;
		} else {
			f |= DECLINED;
			declined++;
		}

		store<i32>(starts + 4 * n, start);
		store<i32>(ends + 4 * n, lineEnd);
		store<f64>(times + 8 * n, time);
		store<u8>(flags + n, f);
		store<u8>(levels + n, <u8>level);
		n++;
		start = nl + 1;
	}

	parsedTo = start < to ? start : to;
	return n;
}

/**
 * Effective times of cursor k's n records (docs/logs.md): a line without a time takes the one before it
 * in its file (`last`, NaN at a file's start); lines before a file's first time take that time, or
 * `fallback` (the file's mtime) when this batch has none. Returns the new `last`.
 */
export function resolve(records: i32, n: i32, last: f64, fallback: f64): f64 {
	const times = records;
	const flags = records + R_FLAGS;
	let pendingFrom = -1;
	for (let r = 0; r < n; r++) {
		const own = load<f64>(times + 8 * r);
		if (isNaN(own)) {
			if (isNaN(last) && pendingFrom < 0) {
				pendingFrom = r;
			}

			store<f64>(times + 8 * r, last);
			store<u8>(flags + r, load<u8>(flags + r) | INHERITED);
		} else {
			if (pendingFrom >= 0) {
				fillTimes(times, pendingFrom, r, own);
				pendingFrom = -1;
			}

			last = own;
		}
	}

	if (pendingFrom >= 0) {
		fillTimes(times, pendingFrom, n, fallback);
		last = fallback;
	}

	return last;
}

function fillTimes(times: i32, from: i32, to: i32, value: f64): void {
	for (let r = from; r < to; r++) {
		store<f64>(times + 8 * r, value);
	}
}

// ---- merge and render ----

/** Copy n bytes in 16-byte blocks; may write up to 15 bytes past dst + n (the output keeps room). */
@inline function copy(dst: i32, src: i32, n: i32): void {
	for (let k = 0; k < n; k += 16) {
		v128.store(dst + k, v128.load(src + k));
	}
}

/** Cursor k's line prefix for time t: its template for this second, with the milliseconds filled in. */
function prefix(c: i32, k: i32, variant: i32, t: f64): void {
	const v8 = 8 * variant;
	// The template's second starts at S (whole ms): within [S, S + 1000) the ms are floor(t - S), the
	// same as the minute-then-second arithmetic below (every subtraction here is exact).
	let from = load<f64>(c + C_SECOND + v8);
	if (!(t >= from && t < from + 1000)) {
		const minute = Math.floor(t / 60000);
		const rest = Math.floor(t - minute * 60000);
		const sec = Math.floor(rest / 1000);
		const packed = jsFillPrefix(k, variant, minute, <i32>sec);
		store<i32>(c + C_LEN + v8, packed & 0xffff);
		store<i32>(c + C_MSAT + v8, packed >>> 16);
		from = minute * 60000 + sec * 1000;
		store<f64>(c + C_SECOND + v8, from);
	}

	const ms = <i32>Math.floor(t - from);
	const length = load<i32>(c + C_LEN + v8);
	const digits = outAt + load<i32>(c + C_MSAT + v8);
	copy(outAt, load<i32>(c + C_TMPL + 4 * variant), length);
	outAt += length;
	store<u8>(digits, <u8>(48 + ms / 100));
	store<u8>(digits + 1, <u8>(48 + (ms / 10) % 10));
	store<u8>(digits + 2, <u8>(48 + ms % 10));
}

/** The letter after a backslash for each byte below 0x20, `"` and `\\` (`u` means \u00XX), as JSON.stringify writes them. */
const ESCAPES = <i32>memory.data<u8>([
	117, 117, 117, 117, 117, 117, 117, 117, 98, 116, 110, 117, 102, 114, 117, 117,
	117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117, 117,
	0, 0, 34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 92, 0, 0, 0,
]);

/** [start, end) as the body of a JSON string: 16 bytes checked at once for ", \\ and controls. */
function escape(start: i32, end: i32): void {
	const space = i8x16.splat(0x20);
	const quote = i8x16.splat(34);
	const backslash = i8x16.splat(92);
	let k = start;
	let at = outAt;
	while (k < end) {
		const v = v128.load(k);
		v128.store(at, v);
		let m = i8x16.bitmask(v128.or(i8x16.lt_u(v, space), v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash))));
		const left = end - k;
		if (left < 16) {
			m &= (1 << left) - 1; // bytes past the line's end are not its own
		}

		if (m === 0) {
			const step = left < 16 ? left : 16;
			at += step;
			k += step;
			continue;
		}

		// Each special byte of the block in turn: the clean bytes before it, then its escape.
		let done = 0;
		do {
			const p = ctz(m);
			if (p > done) {
				v128.store(at, v128.load(k + done));
				at += p - done;
			}

			const b = <i32>load<u8>(k + p);
			const letter = <i32>load<u8>(ESCAPES + b);
			store<u8>(at, 92);
			store<u8>(at + 1, <u8>letter);
			if (letter === 117) {
				store<u8>(at + 2, 48);
				store<u8>(at + 3, 48);
				store<u8>(at + 4, load<u8>(HEX + (b >> 4)));
				store<u8>(at + 5, load<u8>(HEX + (b & 15)));
				at += 6;
			} else {
				at += 2;
			}

			done = p + 1;
			m &= m - 1;
		} while (m !== 0);

		k += done;
	}

	outAt = at;
}

/** Render cursor k's record r into the output. */
function render(c: i32, k: i32, r: i32): void {
	rendered += 1;
	const records = load<i32>(c + C_RECORDS);
	const start = load<i32>(records + R_STARTS + 4 * r);
	const end = load<i32>(records + R_ENDS + 4 * r);
	const t = load<f64>(records + 8 * r);
	const level = <i32>load<u8>(records + R_LEVELS + r);
	const lr = LEVEL_RENDER + 16 * level;
	if (json) {
		prefix(c, k, <i32>(load<u8>(records + R_FLAGS + r) & INHERITED), t);
		const length = load<i32>(lr + 4);
		copy(outAt, load<i32>(lr), length);
		outAt += length;
		store<u8>(outAt++, 34);
		escape(start, end);
		store<u8>(outAt, 34);
		store<u8>(outAt + 1, 125);
		store<u8>(outAt + 2, 10);
		outAt += 3;
		return;
	}

	prefix(c, k, 0, t);
	const colour = color ? load<i32>(lr + 8) : 0;
	if (colour !== 0) {
		copy(outAt, colour === 1 ? RED : YELLOW, 5);
		outAt += 5;
	}

	copy(outAt, start, end - start);
	outAt += end - start;
	if (colour !== 0) {
		copy(outAt, RESET, 4);
		outAt += 4;
	}

	store<u8>(outAt++, 10);
}

@inline function headTime(k: i32): f64 {
	const c = table + CURSOR_BYTES * k;
	return load<f64>(load<i32>(c + C_RECORDS) + 8 * load<i32>(c + C_I));
}

/**
 * Merge (docs/logs.md: the earliest head first, ties to the earlier source) and render until the output
 * is nearly full (FLUSH), a cursor needs its next chunk (LOAD) or JS must render a line (RENDER);
 * needCursor() says which. DONE when no cursor is left.
 */
export function merge(): i32 {
	while (activeCount > 0) {
		let best = 0;
		let bestK = load<i32>(active);
		let bestTime = headTime(bestK);
		let second = Infinity;
		for (let j = 1; j < activeCount; j++) {
			const t = headTime(load<i32>(active + 4 * j));
			if (t < bestTime) {
				second = bestTime;
				best = j;
				bestK = load<i32>(active + 4 * j);
				bestTime = t;
			} else if (t < second) {
				second = t;
			}
		}

		// A run from the winner while it stays ahead: most lines need no comparison.
		const c = table + CURSOR_BYTES * bestK;
		const times = load<i32>(c + C_RECORDS);
		const starts = times + R_STARTS;
		const ends = times + R_ENDS;
		const flags = times + R_FLAGS;
		const n = load<i32>(c + C_N);
		let i = load<i32>(c + C_I);
		while (true) {
			if (load<f64>(times + 8 * i) >= since && (load<u8>(flags + i) & HIDDEN) === 0) {
				if ((load<u8>(flags + i) & JS_RENDER) !== 0) {
					store<i32>(c + C_I, i);
					needK = bestK;
					return RENDER;
				}

				const length = load<i32>(ends + 4 * i) - load<i32>(starts + 4 * i);
				if (outAt + (json ? length * 6 : length) + 512 > outEnd) {
					store<i32>(c + C_I, i);
					return FLUSH;
				}

				render(c, bestK, i);
			}

			if (++i >= n) {
				store<i32>(c + C_I, i);
				needK = bestK;
				return LOAD;
			}

			const t = load<f64>(times + 8 * i);
			if (!(t < second || (t === second && keepsTie(best, second)))) {
				break;
			}
		}

		store<i32>(c + C_I, i);
	}

	return DONE;
}

/** On a tie with the runner-up, the winner keeps going only if it comes before every source holding that time. */
function keepsTie(best: i32, time: f64): bool {
	for (let j = 0; j < best; j++) {
		if (headTime(load<i32>(active + 4 * j)) === time) {
			return false;
		}
	}

	return true;
}

// ---- `--grep` with a literal: which lines contain it (kernel.ts: only over pure-ASCII bytes) ----

/** The literal's bytes (lower-case when folding) in the instance's constants, its length, and whether ASCII case folds. */
let needleAt: i32 = 0;
let needleLength: i32 = 0;
let foldCase: bool = false;

export function setNeedle(at: i32, length: i32, fold: bool): void {
	needleAt = at;
	needleLength = length;
	foldCase = fold;
}

/** Byte c, lower-cased when folding (ASCII letters only). */
@inline function folded(c: i32): i32 {
	return foldCase && c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** True when [start, end) holds the needle: its first and last bytes compared 16 positions at a time, then the rest byte by byte. */
function holdsNeedle(start: i32, end: i32): bool {
	const length = needleLength;
	const last = end - length; // last position the needle can start at
	if (last < start) {
		return false;
	}

	// OR 0x20 folds A-Z onto a-z (and some other bytes onto others, on both sides alike: the byte check below settles those).
	const mask = foldCase ? 0x20 : 0;
	const fold = i8x16.splat(<i8>mask);
	const first = i8x16.splat(<i8>(<i32>load<u8>(needleAt) | mask));
	const final = i8x16.splat(<i8>(<i32>load<u8>(needleAt + length - 1) | mask));
	for (let i = start; i <= last; i += 16) {
		const a = v128.or(v128.load(i), fold);
		const b = v128.or(v128.load(i + length - 1), fold);
		let m = i8x16.bitmask(v128.and(i8x16.eq(a, first), i8x16.eq(b, final)));
		while (m !== 0) {
			const at = i + ctz(m);
			if (at > last) {
				break;
			}

			let k = 1;
			while (k < length - 1 && folded(<i32>load<u8>(at + k)) === <i32>load<u8>(needleAt + k)) {
				k++;
			}

			if (k >= length - 1 && folded(<i32>load<u8>(at)) === <i32>load<u8>(needleAt) && folded(<i32>load<u8>(at + length - 1)) === <i32>load<u8>(needleAt + length - 1)) {
				return true;
			}

			m &= m - 1;
		}
	}

	return false;
}

/** Flag HIDDEN each of the n records whose line does not hold the needle. */
export function hideUnmatched(records: i32, n: i32): void {
	const starts = records + R_STARTS;
	const ends = records + R_ENDS;
	const flags = records + R_FLAGS;
	for (let r = 0; r < n; r++) {
		if (!holdsNeedle(load<i32>(starts + 4 * r), load<i32>(ends + 4 * r))) {
			store<u8>(flags + r, load<u8>(flags + r) | HIDDEN);
		}
	}
}
