// A log line's own timestamp and level (docs/logs.md). Pure and allocation-light: the full merge calls this
// for every line of hundreds of megabytes, so the common formats are read with charCodeAt, not regexes.
// Only ASCII is inspected, so it works the same on a UTF-8 string and on a latin1-decoded line (the kernel's declined lines).
import {stripVTControlCharacters} from 'node:util';
import {levelWordAt} from './levels.js';
import {jsonLine, logfmt} from './parse-structured.js';
import {glogAt, isDigit, isoAt, parsed, redisAt, syslogAt} from './parse-times.js';

export {isErrorLevel, normalizeLevel} from './levels.js';

/** What a line says about itself. */
export type Parsed = {time: number | null; level: string | null};

/** How many characters from the start a timestamp may begin at (after a level or a bracket). */
const SEARCH_PREFIX = 48;
const ISO_ANYWHERE = /\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d/;
/** What may come before a timestamp near the start: one token (a level, `[worker-1]`, `app |`), not a sentence. */
const PREFIX_NOISE = /[\s[\]()|:,-]+/g;

/** Parse a line's own timestamp (epoch ms, sub-ms kept, or null) and level (lower-case or null). */
export function parseLine(text: string): Parsed {
	parseInto(text);
	return {time: Number.isNaN(parsed.time) ? null : parsed.time, level: parsed.level};
}

/**
 * Parse into the scratch slots read by `lastTime`/`lastLevel`. Read through escape sequences:
 * `\e[90m2026-…Z\e[0m \e[31mERROR\e[0m boom` is an error at that time (docs/logs.md).
 */
export function parseInto(s: string): void {
	if (s.includes('\u001B') || s.includes('\u009B')) {
		s = stripVTControlCharacters(s);
	}

	parsed.time = Number.NaN;
	parsed.level = null;
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
		if (!Number.isNaN(parsed.time)) {
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
				parsed.level = level;
			} else {
				levelAfter(s, pidAfter(s, end));
			}
		}
	}
}

/** The time found by the last `parseInto`, NaN if none. */
export function lastTime(): number {
	return parsed.time;
}

/** The level found by the last `parseInto`. */
export function lastLevel(): string | null {
	return parsed.level;
}

function isUpper(c: number): boolean {
	return c >= 65 && c <= 90;
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
	parsed.level = levelWordAt(s, skipNoise(s, end));
}
