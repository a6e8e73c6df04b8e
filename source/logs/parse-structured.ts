// Structured lines: JSON (zerolog, logrus, pino, zap/Temporal, bunyan, ECS) and logfmt, read in place
// for their time and level without parsing the object (docs/logs.md).
import {levelWordAt, MAX_LEVEL_WORD, NUMERIC_LEVELS} from './levels.js';
import {epochToMs, isDigit, isoAt, parsed} from './parse-times.js';

/** How far into a logfmt line the time key may appear. */
const LOGFMT_PREFIX = 200;
const JSON_TIME_KEYS = ['"time"', '"ts"', '"timestamp"', '"@timestamp"'] as const;
const JSON_LEVEL_KEYS = ['"level"', '"lvl"', '"severity"', '"levelname"', '"log.level"'] as const;

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

		parsed.time = epochToMs(Number(s.slice(value, k)));
		if (Number.isNaN(parsed.time)) {
			return false;
		}
	}

	parsed.level = levelWordAt(s, word);
	return true;
}

/** zerolog/logrus/pino/zap(Temporal)/bunyan/ECS JSON lines in s[start, end). */
export function jsonLine(s: string, start: number, end: number): void {
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
					parsed.time = epochToMs(n);
				}
			}
		} else if (isDigit(c)) {
			let j = v;
			while (j < end && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 46 || s.charCodeAt(j) === 101 || s.charCodeAt(j) === 43)) {
				j++;
			}

			parsed.time = epochToMs(Number(s.slice(v, j)));
		}

		if (!Number.isNaN(parsed.time)) {
			break;
		}
	}

	for (const key of JSON_LEVEL_KEYS) {
		const v = valueOf(s, key, start, end);
		if (v < 0) {
			continue;
		}

		if (s.charCodeAt(v) === 34) {
			parsed.level = levelWordAt(s, v + 1);
		} else {
			parsed.level = NUMERIC_LEVELS[(s.charCodeAt(v) - 48) * 10 + (s.charCodeAt(v + 1) - 48)] ?? null;
		}

		break;
	}
}

/** logfmt / logrus text: `time="2026-11-26T03:47:41Z" level=info msg=…`, `level=info ts=2026-…`. */
export function logfmt(s: string): boolean {
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

			parsed.level = levelWordAt(s, v);
			break;
		}
	}

	return true;
}
