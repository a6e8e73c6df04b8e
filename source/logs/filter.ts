// `server logs --grep REGEX --level LEVEL` (docs/logs.md): which lines are kept, one rule for every reader
// (the tail, the `-n 0` merge on either thread, follow). The pattern is compiled by linear-regex.ts (RE2
// semantics, smart case); a level keeps that level and above, and the untimed lines under a kept line
// (a stack trace under its error) stay with it.
import {compileLinear, type LinearPattern} from '../linear-regex.js';
import {normalizeLevel} from './levels.js';

/** What to keep, as the user wrote it: plain data, so the `-n 0` reader thread can compile its own copy. */
export type FilterSpec = {grep?: string; level?: string};

/** Severity order of the canonical levels (levels.ts), lowest first; syslog's order, with fatal beside critical and panic beside alert. */
const RANK: Record<string, number> = {trace: 0, debug: 1, info: 2, notice: 3, warn: 4, error: 5, critical: 6, fatal: 6, alert: 7, panic: 7, emerg: 8};

/** Why a --level value was refused (the command words it with the flag). */
export class LevelError extends Error {}

/** The level's rank, or throws LevelError naming the levels we know. */
export function levelRank(word: string): number {
	const level = normalizeLevel(word.trim());
	const rank = level === null ? undefined : RANK[level];
	if (rank === undefined) {
		throw new LevelError(`"${word}" is not a level: pass one of ${Object.keys(RANK).join(', ')}`);
	}

	return rank;
}

/** A literal pattern of printable ASCII (no metacharacter): the merge kernel searches for it itself. */
const LITERAL = /^[\x20-\x7e]{1,256}$/;
const METACHARACTER = /[\\^$.|?*+()[\]{}]/;
/** Escapes that name a character by number (`\x41`, `\101`) and inline flags (`(?-i)`): lower-casing the text would change what they match. */
const CASE_BOUND = /\\(?:x|[0-9])|\(\?/;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** A compiled FilterSpec. `keep` must see each source's lines in file order: it remembers whether the last one was kept. */
export class LineFilter {
	readonly pattern: LinearPattern | null;
	/**
	 * Smart case's case-insensitive pattern compiled case-sensitively, for ASCII lines lower-cased
	 * first: the same answer (ASCII has no other case folds) 8-20 times faster in re2js.
	 */
	private readonly lowered: LinearPattern | null;
	/**
	 * A literal pattern, which the `-n 0` merge kernel finds in pure-ASCII lines itself (SIMD, ASCII case
	 * folded under smart case: exact there, as ASCII has no other case folds); re2js tests a line in
	 * 0.3-5 µs, too slow for hundreds of megabytes.
	 */
	readonly literal: {text: string; fold: boolean} | null;
	private readonly minRank: number;
	private lastKept = new Map<string, boolean>();

	constructor(readonly spec: FilterSpec) {
		this.pattern = spec.grep === undefined ? null : compileLinear(spec.grep, {smartCase: true});
		this.literal = spec.grep !== undefined && LITERAL.test(spec.grep) && !METACHARACTER.test(spec.grep) ? {text: spec.grep, fold: !/[A-Z]/.test(spec.grep)} : null;
		this.minRank = spec.level === undefined ? -1 : levelRank(spec.level);
		const insensitive = spec.grep !== undefined && !/\p{Lu}/u.test(spec.grep) && !CASE_BOUND.test(spec.grep);
		this.lowered = insensitive ? compileLinear(spec.grep ?? '') : null;
	}

	/** Does the text match `--grep` (true without one)? */
	matches(text: string): boolean {
		if (this.pattern === null) {
			return true;
		}

		return this.lowered !== null && ASCII_ONLY.test(text) ? this.lowered.test(text.toLowerCase()) : this.pattern.test(text);
	}

	/** True when `--level` was given. */
	get byLevel(): boolean {
		return this.minRank >= 0;
	}

	/** True when the filter keeps every line. */
	get none(): boolean {
		return this.pattern === null && this.minRank < 0;
	}

	/** Does a line's level pass `--level` (untimed lines under a kept line pass with it: `inherited`, `previousKept`)? */
	levelPasses(level: string | null, inherited: boolean, previousKept: boolean): boolean {
		if (this.minRank < 0) {
			return true;
		}

		if (level === null) {
			return inherited && previousKept;
		}

		return (RANK[level] ?? -1) >= this.minRank;
	}

	/** Keep this line? Lines of one source (`key`) must come in file order. */
	keep(key: string, line: {text: string; level: string | null; inherited: boolean}): boolean {
		const kept = this.levelPasses(line.level, line.inherited, this.lastKept.get(key) ?? false) && this.matches(line.text);
		if (this.minRank >= 0) {
			this.lastKept.set(key, kept);
		}

		return kept;
	}
}
