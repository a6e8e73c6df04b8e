// Structured (JSON) log lines made readable (docs/logs.md): zerolog, zap (Temporal), pino, logrus
// and bunyan objects shown as `LEVEL message key=value…`, the way a person reads a log. Display only:
// the time key goes to the time column (parse.ts reads the same keys), nothing else is dropped, and
// the caller passes the result through sanitize.ts (JSON can decode `\u001b` into a real escape).
import {NUMERIC_LEVELS, normalizeLevel} from './levels.js';
import {parseLine} from './parse.js';

/** Keys that hold the line's time (parse.ts's JSON_TIME_KEYS, in its order). */
const TIME_KEYS = ['time', 'ts', 'timestamp', '@timestamp'] as const;
/** Keys that hold the level (parse.ts's JSON_LEVEL_KEYS). */
const LEVEL_KEYS = ['level', 'lvl', 'severity', 'levelname', 'log.level'] as const;
/** Keys that hold the message: zerolog `message`, zap/pino/logrus `msg`, ECS `message`. */
const MESSAGE_KEYS = ['message', 'msg', '@message'] as const;
/** Keys shown right after the message: a cut line still shows why it failed. */
const ERROR_KEYS = ['error', 'err'] as const;
/** Width of the level column: `ERROR`, `DEBUG`, `FATAL` fit; shorter levels are padded so messages line up. */
const LEVEL_WIDTH = 5;
/** A value printed bare in key=value: no space, quote, equals sign or control character; anything else is quoted as JSON. */
const BARE = /^[^\s"=\u0000-\u001F\u007F-\u009F]+$/;

/** A JSON object line: first and last non-blank characters are braces (cheap; checked before parsing anything). */
export function looksStructured(text: string): boolean {
	let i = 0;
	while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) {
		i++;
	}

	let j = text.length - 1;
	while (j > i && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) {
		j--;
	}

	return text.charCodeAt(i) === 123 && text.charCodeAt(j) === 125;
}

/** The object a structured line holds, or undefined when it is not a JSON object. */
export function parseStructured(text: string): Record<string, unknown> | undefined {
	if (!looksStructured(text)) {
		return undefined;
	}

	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** `value` as the right side of key=value. */
function valueText(value: unknown): string {
	if (typeof value === 'string') {
		return BARE.test(value) ? value : JSON.stringify(value);
	}

	return value === undefined ? '' : JSON.stringify(value) ?? String(value);
}

/** The first of `keys` the object has, with its value. */
function firstKey(object: Record<string, unknown>, keys: readonly string[], accept: (value: unknown) => boolean): string | undefined {
	return keys.find((key) => Object.hasOwn(object, key) && accept(object[key]));
}

/** A level value (`"warning"`, `30`, `"INFO"`) as the column shows it: `WARN `, `INFO `. */
function levelText(value: unknown): string {
	const word = typeof value === 'number' ? (NUMERIC_LEVELS[value] ?? String(value)) : (normalizeLevel(String(value)) ?? String(value));
	return word.toUpperCase().padEnd(LEVEL_WIDTH);
}

/**
 * The readable form of a line: a JSON object becomes `LEVEL message error=… key=value…` (its time
 * key left out when the time column shows it); any other line comes back unchanged. Not yet safe for
 * a terminal: pass the result through `safeText`.
 */
export function readableLine(text: string): string {
	const object = parseStructured(text);
	if (object === undefined) {
		return text;
	}

	const skip = new Set<string>();
	const timeKey = firstKey(object, TIME_KEYS, (v) => typeof v === 'string' || typeof v === 'number');
	// Only a time the time column really shows is left out: `"time":"yesterday"` stays in the text.
	if (timeKey !== undefined && parseLine(text).time !== null) {
		skip.add(timeKey);
	}

	const parts: string[] = [];
	const levelKey = firstKey(object, LEVEL_KEYS, (v) => typeof v === 'string' || typeof v === 'number');
	if (levelKey !== undefined) {
		skip.add(levelKey);
		parts.push(levelText(object[levelKey]));
	}

	const messageKey = firstKey(object, MESSAGE_KEYS, (v) => typeof v === 'string');
	if (messageKey !== undefined) {
		skip.add(messageKey);
		parts.push(String(object[messageKey]));
	}

	const pairs = (keys: readonly string[]) => {
		for (const key of keys) {
			if (!skip.has(key) && Object.hasOwn(object, key)) {
				skip.add(key);
				parts.push(`${key}=${valueText(object[key])}`);
			}
		}
	};

	pairs(ERROR_KEYS);
	pairs(Object.keys(object));
	return parts.join(' ').replace(/ +$/, '');
}

/** A line for reading whole: a JSON object pretty-printed (two-space indent), any other line as it is. Not yet safe: pass each row through `safeText`. */
export function prettyLine(text: string): string {
	const object = parseStructured(text);
	return object === undefined ? text : JSON.stringify(object, null, 2);
}
