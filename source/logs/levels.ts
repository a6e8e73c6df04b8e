// Level words (docs/logs.md `level`: lower-case or null): every spelling we meet, mapped to one canonical name.

/** Canonical level names, keyed by every spelling we meet (lower-case). */
const LEVELS: Record<string, string> = {
	trace: 'trace', trc: 'trace',
	debug: 'debug', dbg: 'debug', verbose: 'debug',
	info: 'info', inf: 'info', information: 'info', informational: 'info',
	notice: 'notice',
	warn: 'warn', warning: 'warn', wrn: 'warn',
	error: 'error', err: 'error', eror: 'error',
	fatal: 'fatal', ftl: 'fatal',
	critical: 'critical', crit: 'critical',
	panic: 'panic', alert: 'alert', emerg: 'emerg', emergency: 'emerg',
};
/** Levels shown as errors (red) and kept by the dashboard's "errors only". */
const ERROR_LEVELS = new Set(['error', 'fatal', 'critical', 'panic', 'alert', 'emerg']);
/** pino/bunyan numeric levels. */
export const NUMERIC_LEVELS: Record<number, string> = {10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal'};

/** Every spelling we meet (lower-case) with its canonical level, for the merge kernel's own table. */
export function levelSpellings(): Array<[string, string]> {
	return Object.entries(LEVELS);
}

/** A level word in canonical lower-case, or null when it is not one. */
export function normalizeLevel(word: string): string | null {
	return LEVELS[word.toLowerCase()] ?? null;
}

/** True for error, fatal, critical, panic, alert, emerg. */
export function isErrorLevel(level: string | null): boolean {
	return level !== null && ERROR_LEVELS.has(level);
}

/** Level words by a hash of their lower-case letters: a line's word is looked up without slicing it out (parsed for every line). */
const LEVEL_BY_HASH = new Map<number, Array<[string, string]>>();
for (const [word, level] of Object.entries(LEVELS)) {
	const hash = wordHash(word, 0, word.length);
	LEVEL_BY_HASH.set(hash, [...(LEVEL_BY_HASH.get(hash) ?? []), [word, level]]);
}

/** Hash of s[i, j) folded to lower case (ASCII letters only). */
function wordHash(s: string, i: number, j: number): number {
	let h = 0;
	for (let k = i; k < j; k++) {
		h = (Math.imul(h, 31) + (s.charCodeAt(k) | 0x20)) | 0;
	}

	return h;
}

/** Longest level word we know ("informational"). */
export const MAX_LEVEL_WORD = 13;

/** A level word at i that ends at a delimiter, canonical, or null. */
export function levelWordAt(s: string, i: number): string | null {
	let j = i;
	let h = 0;
	let c = s.charCodeAt(j);
	while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
		h = (Math.imul(h, 31) + (c | 0x20)) | 0;
		c = s.charCodeAt(++j);
		if (j - i > MAX_LEVEL_WORD) {
			return null;
		}
	}

	if (j === i || !(Number.isNaN(c) || c === 32 || c === 93 || c === 58 || c === 124 || c === 41 || c === 9 || c === 44 || c === 34 || c === 10 || c === 13)) {
		return null;
	}

	const candidates = LEVEL_BY_HASH.get(h);
	if (candidates === undefined) {
		return null;
	}

	for (const [word, level] of candidates) {
		if (word.length === j - i && equalsFolded(s, i, word)) {
			return level;
		}
	}

	return null;
}

/** s[i, i + word.length) equals the lower-case word, ignoring case. */
function equalsFolded(s: string, i: number, word: string): boolean {
	for (let k = 0; k < word.length; k++) {
		if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) {
			return false;
		}
	}

	return true;
}
