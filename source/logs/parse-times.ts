// The timestamp layouts a log line may open with, read with charCodeAt (docs/logs.md lists them):
// ISO 8601 / RFC 3339, Redis, syslog, glog, and epoch numbers. Each reader writes what it found into
// `parsed`, the one scratch slot of a parse (an object per line would cost the full merge dearly).
import {itemAt} from '../item-at.js';
import {guessYear, localMinute, utcMinute} from './clock.js';

/** What the last parse found: epoch ms (NaN if none) and a lower-case level (null if none). */
export const parsed = {time: Number.NaN, level: null as string | null};

/** Plausible epoch-ms range for numeric JSON times (1973..2100): anything else is not a timestamp. */
const MIN_EPOCH_MS = 1e11;
const MAX_EPOCH_MS = 4.2e12;

const MONTHS: Record<string, number> = {Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12};

export function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
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
export function isoAt(s: string, i: number): number {
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
		parsed.time = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
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
			parsed.time = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms - offset;
			return end;
		}
	}

	if (z === 32 && s.startsWith('UTC', j + 1)) {
		parsed.time = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms;
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
			parsed.time = utcMinute(y, mo, d, h, mi) + sec * 1000 + ms - offset;
			return colon ? j + 7 : j + 6;
		}
	}

	parsed.time = localMinute(y, mo, d, h, mi) + sec * 1000 + ms;
	j = fracEnd;
	return j;
}

/** Redis: `12345:M 26 Nov 2026 03:47:41.123 * Ready` (local time); level from the mark. */
export function redisAt(s: string, i: number): number {
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
	parsed.level = mark === 46 ? 'debug' : mark === 45 ? 'debug' : mark === 42 ? 'notice' : mark === 35 ? 'warn' : null;
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
	parsed.time = localMinute(y, mo, d, h, mi) + sec * 1000 + ms;
	return fracEnd;
}

/** syslog: `Nov 26 03:47:41 host prog[pid]: …` (local time, year guessed). */
export function syslogAt(s: string, i: number): number {
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
export function glogAt(s: string, i: number): number {
	const letter = s.charCodeAt(i);
	const mo = d2(s, i + 1);
	const d = d2(s, i + 3);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || s.charCodeAt(i + 5) !== 32) {
		return -1;
	}

	const end = clockAt(s, i + 6, guessYear(mo, d), mo, d);
	if (end >= 0) {
		parsed.level = letter === 73 ? 'info' : letter === 87 ? 'warn' : letter === 69 ? 'error' : letter === 70 ? 'fatal' : null;
	}

	return end;
}

/** Epoch seconds, ms, µs or ns to ms, or NaN when out of the plausible range. */
export function epochToMs(value: number): number {
	const ms = value > 1e17 ? value / 1e6 : value > 1e14 ? value / 1e3 : value > 1e11 ? value : value * 1000;
	return ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : Number.NaN;
}
