// A log line's own timestamp and level (SPEC 5). Pure and allocation-light: the full merge calls this
// for every line of hundreds of megabytes, so the common formats are read with charCodeAt, not regexes.
// Only ASCII is inspected, so it works the same on a UTF-8 string and on a latin1-decoded line (the kernel's declined lines).
import {stripVTControlCharacters} from 'node:util';
import {itemAt} from '../item-at.js';
import {guessYear, localMinute, utcMinute} from './clock.js';
import {levelWordAt, MAX_LEVEL_WORD, NUMERIC_LEVELS} from './levels.js';

export {isErrorLevel, normalizeLevel} from './levels.js';

/** What a line says about itself. */
export type Parsed = {time: number | null; level: string | null};

/** How many characters from the start a timestamp may begin at (after a level or a bracket). */
const SEARCH_PREFIX = 48;
/** How far into a logfmt line the time key may appear. */
const LOGFMT_PREFIX = 200;
/** Plausible epoch-ms range for numeric JSON times (1973..2100): anything else is not a timestamp. */
const MIN_EPOCH_MS = 1e11;
const MAX_EPOCH_MS = 4.2e12;

const MONTHS: Record<string, number> = {Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12};
const JSON_TIME_KEYS = ['"time"', '"ts"', '"timestamp"', '"@timestamp"'] as const;
const JSON_LEVEL_KEYS = ['"level"', '"lvl"', '"severity"', '"levelname"', '"log.level"'] as const;
const ISO_ANYWHERE = /\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d/;
/** What may come before a timestamp near the start: one token (a level, `[worker-1]`, `app |`), not a sentence. */
const PREFIX_NOISE = /[\s[\]()|:,-]+/g;

// Results of the last parse: module scratch instead of an object per line.
let outTime = Number.NaN;
let outLevel: string | null = null;

/** Parse a line's own timestamp (epoch ms, sub-ms kept, or null) and level (lower-case or null). */
export function parseLine(text: string): Parsed {
	parseInto(text);
	return {time: Number.isNaN(outTime) ? null : outTime, level: outLevel};
}

/**
 * Parse into the scratch slots read by `lastTime`/`lastLevel`. Read through escape sequences:
 * `\e[90m2026-…Z\e[0m \e[31mERROR\e[0m boom` is an error at that time (SPEC 5).
 */
export function parseInto(s: string): void {
	if (s.includes('\u001B') || s.includes('\u009B')) {
		s = stripVTControlCharacters(s);
	}

	outTime = Number.NaN;
	outLevel = null;
	const end = s.length;
	let i = 0;
	while (i < end && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) {
		i++;
	}

	if (i >= end) {
		return;
	}

	const c = s.charCodeAt(i);
	if (isDigit(c)) {
		const stop = isoAt(s, i);
		if (stop >= 0) {
			levelAfter(s, stop);
			return;
		}

		if (redisAt(s, i) >= 0) {
			return;
		}
	} else if (c === 123 /* { */) {
		jsonLine(s, i, end);
		if (!Number.isNaN(outTime)) {
			return;
		}
	} else if (c === 60 /* < */) {
		// RFC 5424 / 3164 syslog: `<34>1 2026-11-26T…` or `<13>Nov 26 03:47:41 …`
		let j = i + 1;
		while (j < end && isDigit(s.charCodeAt(j))) {
			j++;
		}

		if (j < end && s.charCodeAt(j) === 62 /* > */) {
			j++;
			if (s.charCodeAt(j) === 49 && s.charCodeAt(j + 1) === 32) {
				j += 2;
			}

			if ((isoAt(s, j) >= 0 || syslogAt(s, j) >= 0)) {
				return;
			}
		}
	} else if (isUpper(c)) {
		if (syslogAt(s, i) >= 0 || glogAt(s, i) >= 0) {
			return;
		}
	}

	slowPath(s);
}

/** logfmt, then an ISO date-time near the start after a level or a bracket (`[INFO] 2026-11-26 …`). */
function slowPath(s: string): void {
	if (logfmt(s)) {
		return;
	}

	const match = ISO_ANYWHERE.exec(s.length > SEARCH_PREFIX ? s.slice(0, SEARCH_PREFIX) : s);
	if (match && !s.slice(0, match.index).replace(PREFIX_NOISE, ' ').trim().includes(' ')) {
		const end = isoAt(s, match.index);
		if (end >= 0) {
			const level = levelWordAt(s, skipNoise(s, 0));
			if (level !== null) {
				outLevel = level;
			} else {
				levelAfter(s, pidAfter(s, end));
			}
		}
	}
}

/** The time found by the last `parseInto`, NaN if none. */
export function lastTime(): number {
	return outTime;
}

/** The level found by the last `parseInto`. */
export function lastLevel(): string | null {
	return outLevel;
}

function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
	return c >= 65 && c <= 90;
}

/** Two digits at i, or -1. */
function d2(s: string, i: number): number {
	const a = s.charCodeAt(i) - 48;
	const b = s.charCodeAt(i + 1) - 48;
	return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** ms per unit of a fraction with that many digits kept (µs precision is all a ms-based time can hold). */
const FRACTION_SCALE = [0, 100, 10, 1, 0.1, 0.01, 0.001];
const MAX_FRACTION_DIGITS = 6;

/** Seconds' fraction (`.123`, `,123`, up to 9 digits) at i, after `SS`, as ms; sets fracEnd. */
let fracEnd = 0;
function fraction(s: string, i: number): number {
	const c = s.charCodeAt(i);
	if ((c !== 46 && c !== 44) || !isDigit(s.charCodeAt(i + 1))) {
		fracEnd = i;
		return 0;
	}

	let j = i + 1;
	let value = 0;
	let digits = 0;
	for (let d = s.charCodeAt(j) - 48; d >= 0 && d <= 9; d = s.charCodeAt(++j) - 48) {
		if (digits < MAX_FRACTION_DIGITS) {
			value = value * 10 + d;
			digits++;
		}
	}

	fracEnd = j;
	return value * itemAt(FRACTION_SCALE, digits); // digits ≤ MAX_FRACTION_DIGITS, the table's last row
}

/** `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM]` or `YYYY/MM/DD HH:MM:SS[.frac]` at i: sets the time, returns the end or -1. */
function isoAt(s: string, i: number): number {
	const y = d2(s, i) * 100 + d2(s, i + 2);
	const sep = s.charCodeAt(i + 4);
	if (y < 0 || d2(s, i) < 0 || d2(s, i + 2) < 0 || (sep !== 45 && sep !== 47) || s.charCodeAt(i + 7) !== sep) {
		return -1;
	}

	const mo = d2(s, i + 5);
	const d = d2(s, i + 8);
	const t = s.charCodeAt(i + 10);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || (t !== 84 && t !== 32 && t !== 116)) {
		return -1;
	}

	const h = d2(s, i + 11);
	const mi = d2(s, i + 14);
	const sec = d2(s, i + 17);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) {
		return -1;
	}

	const ms = fraction(s, i + 19);
	let j = fracEnd;
	const z = s.charCodeAt(j);
	if (z === 90 || z === 122 /* Z z */) {
		outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
		return j + 1;
	}

	if ((z === 43 || z === 45) && sep === 45) {
		const oh = d2(s, j + 1);
		let om = 0;
		let end = j + 3;
		if (s.charCodeAt(j + 3) === 58 && d2(s, j + 4) >= 0) {
			om = d2(s, j + 4);
			end = j + 6;
		} else if (d2(s, j + 3) >= 0) {
			om = d2(s, j + 3);
			end = j + 5;
		}

		if (oh >= 0 && oh <= 23) {
			const offset = (oh * 60 + om) * 60_000 * (z === 43 ? 1 : -1);
			outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms - offset;
			return end;
		}
	}

	if (z === 32 && s.startsWith('UTC', j + 1)) {
		outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
		return j + 4;
	}

	if (z === 32 && sep === 45) {
		// pino-pretty's `SYS:standard`, Ruby's and Postgres's ` +0100` / ` -05:00` after a space.
		const sign = s.charCodeAt(j + 1);
		const oh = d2(s, j + 2);
		const colon = s.charCodeAt(j + 4) === 58;
		const om = d2(s, colon ? j + 5 : j + 4);
		if ((sign === 43 || sign === 45) && oh >= 0 && oh <= 23 && om >= 0 && om <= 59) {
			const offset = (oh * 60 + om) * 60_000 * (sign === 43 ? 1 : -1);
			outTime = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms - offset;
			return colon ? j + 7 : j + 6;
		}
	}

	outTime = localMinute(y, mo, d, h, mi) + sec * 1000 + ms;
	j = fracEnd;
	return j;
}

/** Redis: `12345:M 26 Nov 2026 03:47:41.123 * Ready` (local time); level from the mark. */
function redisAt(s: string, i: number): number {
	let j = i;
	while (isDigit(s.charCodeAt(j))) {
		j++;
	}

	if (s.charCodeAt(j) !== 58 || s.charCodeAt(j + 2) !== 32) {
		return -1;
	}

	j += 3;
	const d = d2(s, j);
	const mo = MONTHS[s.slice(j + 3, j + 6)];
	const y = d2(s, j + 7) * 100 + d2(s, j + 9);
	if (d < 1 || d > 31 || mo === undefined || s.charCodeAt(j + 2) !== 32 || s.charCodeAt(j + 6) !== 32 || y < 0 || s.charCodeAt(j + 11) !== 32) {
		return -1;
	}

	const end = clockAt(s, j + 12, y, mo, d);
	if (end < 0) {
		return -1;
	}

	const mark = s.charCodeAt(end + 1);
	outLevel = mark === 46 ? 'debug' : mark === 45 ? 'debug' : mark === 42 ? 'notice' : mark === 35 ? 'warn' : null;
	return end;
}

/** `HH:MM:SS[.frac]` at i in local time on the given date: sets the time, returns the end or -1. */
function clockAt(s: string, i: number, y: number, mo: number, d: number): number {
	const h = d2(s, i);
	const mi = d2(s, i + 3);
	const sec = d2(s, i + 6);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) {
		return -1;
	}

	const ms = fraction(s, i + 8);
	outTime = localMinute(y, mo, d, h, mi) + sec * 1000 + ms;
	return fracEnd;
}

/** syslog: `Nov 26 03:47:41 host prog[pid]: …` (local time, year guessed). */
function syslogAt(s: string, i: number): number {
	const mo = MONTHS[s.slice(i, i + 3)];
	if (mo === undefined || s.charCodeAt(i + 3) !== 32) {
		return -1;
	}

	let j = i + 4;
	if (s.charCodeAt(j) === 32) {
		j++;
	}

	let d = d2(s, j);
	if (d >= 0) {
		j += 2;
	} else {
		d = s.charCodeAt(j) - 48;
		j += 1;
	}

	if (d < 1 || d > 31 || s.charCodeAt(j) !== 32) {
		return -1;
	}

	return clockAt(s, j + 1, guessYear(mo, d), mo, d);
}

/** glog/klog: `I1126 03:47:41.123456 …` (local time, year guessed); the letter is the level. */
function glogAt(s: string, i: number): number {
	const letter = s.charCodeAt(i);
	const mo = d2(s, i + 1);
	const d = d2(s, i + 3);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || s.charCodeAt(i + 5) !== 32) {
		return -1;
	}

	const end = clockAt(s, i + 6, guessYear(mo, d), mo, d);
	if (end >= 0) {
		outLevel = letter === 73 ? 'info' : letter === 87 ? 'warn' : letter === 69 ? 'error' : letter === 70 ? 'fatal' : null;
	}

	return end;
}

/** Epoch seconds, ms, µs or ns to ms, or NaN when out of the plausible range. */
function epochToMs(value: number): number {
	const ms = value > 1e17 ? value / 1e6 : value > 1e14 ? value / 1e3 : value > 1e11 ? value : value * 1000;
	return ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : Number.NaN;
}

/** Index just after `"key":` as a top-level-looking key (preceded by `{` or `,`) within s[start, end), or -1. */
function valueOf(s: string, key: string, start: number, end: number): number {
	let at = s.indexOf(key, start);
	while (at >= 0 && at < end) {
		let b = at - 1;
		while (b >= start && s.charCodeAt(b) === 32) {
			b--;
		}

		const before = s.charCodeAt(b);
		let j = at + key.length;
		while (s.charCodeAt(j) === 32) {
			j++;
		}

		if ((before === 123 || before === 44) && s.charCodeAt(j) === 58) {
			j++;
			while (s.charCodeAt(j) === 32) {
				j++;
			}

			return j < end ? j : -1;
		}

		at = s.indexOf(key, at + key.length);
	}

	return -1;
}

/** `{"level":"info","time":"…"` / `,"ts":"…"` / `,"ts":1795664861.123`: zerolog's and zap's (Temporal's) layout, read in place. */
function leveledJson(s: string, start: number): boolean {
	if (!s.startsWith('{"level":"', start)) {
		return false;
	}

	const word = start + 10;
	let j = word;
	let c = s.charCodeAt(j);
	while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
		c = s.charCodeAt(++j);
	}

	if (c !== 34 || j - word > MAX_LEVEL_WORD) {
		return false;
	}

	const value = s.startsWith(',"time":', j + 1) ? j + 9 : s.startsWith(',"ts":', j + 1) ? j + 7 : -1;
	if (value < 0) {
		return false;
	}

	if (s.charCodeAt(value) === 34) {
		if (isoAt(s, value + 1) < 0) {
			return false;
		}
	} else {
		let k = value;
		while (isDigit(s.charCodeAt(k)) || s.charCodeAt(k) === 46) {
			k++;
		}

		outTime = epochToMs(Number(s.slice(value, k)));
		if (Number.isNaN(outTime)) {
			return false;
		}
	}

	outLevel = levelWordAt(s, word);
	return true;
}

/** zerolog/logrus/pino/zap(Temporal)/bunyan/ECS JSON lines in s[start, end). */
function jsonLine(s: string, start: number, end: number): void {
	if (leveledJson(s, start)) {
		return;
	}

	for (const key of JSON_TIME_KEYS) {
		const v = valueOf(s, key, start, end);
		if (v < 0) {
			continue;
		}

		const c = s.charCodeAt(v);
		if (c === 34 /* " */) {
			if (isoAt(s, v + 1) < 0) {
				const close = s.indexOf('"', v + 1);
				const inner = close > v && close < end ? s.slice(v + 1, close) : '';
				const n = Number(inner);
				if (inner !== '' && Number.isFinite(n)) {
					outTime = epochToMs(n);
				}
			}
		} else if (isDigit(c)) {
			let j = v;
			while (j < end && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 46 || s.charCodeAt(j) === 101 || s.charCodeAt(j) === 43)) {
				j++;
			}

			outTime = epochToMs(Number(s.slice(v, j)));
		}

		if (!Number.isNaN(outTime)) {
			break;
		}
	}

	for (const key of JSON_LEVEL_KEYS) {
		const v = valueOf(s, key, start, end);
		if (v < 0) {
			continue;
		}

		if (s.charCodeAt(v) === 34) {
			outLevel = levelWordAt(s, v + 1);
		} else {
			outLevel = NUMERIC_LEVELS[(s.charCodeAt(v) - 48) * 10 + (s.charCodeAt(v + 1) - 48)] ?? null;
		}

		break;
	}
}

/** logfmt / logrus text: `time="2026-11-26T03:47:41Z" level=info msg=…`, `level=info ts=2026-…`. */
function logfmt(s: string): boolean {
	const limit = Math.min(s.length, LOGFMT_PREFIX);
	let found = false;
	for (const key of ['time=', 'ts=', 't=']) {
		let at = s.indexOf(key);
		while (at > 0 && s.charCodeAt(at - 1) !== 32) {
			at = s.indexOf(key, at + 1);
		}

		if (at < 0 || at >= limit) {
			continue;
		}

		let v = at + key.length;
		if (s.charCodeAt(v) === 34) {
			v++;
		}

		if (isoAt(s, v) >= 0) {
			found = true;
			break;
		}
	}

	if (!found) {
		return false;
	}

	for (const key of ['level=', 'lvl=']) {
		let at = s.indexOf(key);
		while (at > 0 && s.charCodeAt(at - 1) !== 32) {
			at = s.indexOf(key, at + 1);
		}

		if (at >= 0 && at < limit) {
			let v = at + key.length;
			if (s.charCodeAt(v) === 34) {
				v++;
			}

			outLevel = levelWordAt(s, v);
			break;
		}
	}

	return true;
}

/** Skip spaces and the brackets/bars around a level (`] [INFO]`, `| WARN |`, `(error)`). */
function skipNoise(s: string, i: number): number {
	let c = s.charCodeAt(i);
	while (c === 32 || c === 9 || c === 91 || c === 93 || c === 124 || c === 40) {
		c = s.charCodeAt(++i);
	}

	return i;
}

/** Past Ruby Logger's ` #4121]` after its time (`E, [2026-11-26T03:47:41.123456 #4121] ERROR -- : …`), else `end`. */
function pidAfter(s: string, end: number): number {
	if (s.charCodeAt(end) !== 32 || s.charCodeAt(end + 1) !== 35 /* # */) {
		return end;
	}

	let j = end + 2;
	while (isDigit(s.charCodeAt(j))) {
		j++;
	}

	return j;
}

/** The level word right after a timestamp (Python `INFO`, nginx `[error]`), if any. */
function levelAfter(s: string, end: number): void {
	outLevel = levelWordAt(s, skipNoise(s, end));
}
