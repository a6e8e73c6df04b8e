// Wall-clock fields to epoch ms, cached per minute: Date's constructors cost more than the rest of a line's parse.
import {DAY_MS, MINUTE_MS} from '../units.js';

/** Bound on the local-time cache; cleared when full (logs move forward, so it rarely fills). */
const LOCAL_CACHE_MAX = 4096;
/** Times without a zone that are this far in the future belong to last year (syslog, glog carry no year). */
const FUTURE_SLACK_MS = DAY_MS;

const localCache = new Map<number, number>();
// One-entry caches in front: sorted logs stay in one minute for many lines.
let lastLocalKey = -1;
let lastLocalValue = 0;
let lastUtcKey = -1;
let lastUtcValue = 0;

/** Epoch ms of a UTC minute; Date.UTC only when the minute changes. */
export function utcMinute(y: number, mo: number, d: number, h: number, mi: number): number {
	const key = ((((y * 13) + mo) * 32 + d) * 24 + h) * 60 + mi;
	if (key !== lastUtcKey) {
		lastUtcKey = key;
		lastUtcValue = Date.UTC(y, mo - 1, d, h, mi);
	}

	return lastUtcValue;
}

/** Epoch ms of a local wall-clock minute (TZ respected), cached per minute: Date's local path is slow. */
export function localMinute(y: number, mo: number, d: number, h: number, mi: number): number {
	const key = ((((y * 13) + mo) * 32 + d) * 24 + h) * 60 + mi;
	if (key === lastLocalKey) {
		return lastLocalValue;
	}

	lastLocalKey = key;
	let value = localCache.get(key);
	if (value === undefined) {
		if (localCache.size >= LOCAL_CACHE_MAX) {
			localCache.clear();
		}

		value = new Date(y, mo - 1, d, h, mi, 0, 0).getTime();
		localCache.set(key, value);
	}

	lastLocalValue = value;
	return value;
}

/** How long a guessed year is reused: the answer only changes around New Year. */
const YEAR_GUESS_TTL_MS = MINUTE_MS;
let yearGuessKey = -1;
let yearGuess = 0;
let yearGuessAt = 0;

/** A year for a yearless date (syslog, glog): this year, or last year if that would be in the future. */
export function guessYear(mo: number, d: number): number {
	const nowMs = Date.now();
	const key = mo * 32 + d;
	if (key !== yearGuessKey || nowMs - yearGuessAt > YEAR_GUESS_TTL_MS) {
		const y = new Date(nowMs).getFullYear();
		yearGuess = new Date(y, mo - 1, d).getTime() > nowMs + FUTURE_SLACK_MS ? y - 1 : y;
		yearGuessKey = key;
		yearGuessAt = nowMs;
	}

	return yearGuess;
}
