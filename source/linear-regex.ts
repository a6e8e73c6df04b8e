// Every pattern a user writes (a `ready: {log}` probe, `server logs --grep`, the dashboard's search) is
// compiled here, by re2js: RE2's linear-time engine in plain JavaScript. It cannot backtrack, so no
// pattern can hang the event loop (`^(a+)+$` against 41 `a` and a `!` takes ~10 ms instead of hours).
// Why re2js: no native build (re2 needs node-gyp), no WebAssembly to ship and start (re2-wasm), and
// V8's own linear engine needs a runtime flag (`--enable-experimental-regexp-engine`) on Node 20.
import {createRequire} from 'node:module';
import type {RE2JS as Re2js} from 're2js';

// re2js loads on the first pattern compiled: importing it costs ~12 ms, and `status` and `dash --once` compile none
// unless config.yaml has a `ready: {log}` probe (their start-up budgets: bench/lifecycle.bench.mjs, bench/dash.bench.mjs).
const require = createRequire(import.meta.url);
let engine: typeof Re2js | undefined;
const re2js = (): typeof Re2js => (engine ??= (require('re2js') as {RE2JS: typeof Re2js}).RE2JS);

/** A compiled pattern: `test` answers whether it matches anywhere in a line. */
export type LinearPattern = {
	readonly source: string;
	test(text: string): boolean;
};

/** The fragments re2js refuses that only a backtracking engine could match: backreferences (`\\1`, `\\k`, `(?P=`) and lookaround. */
const NOT_LINEAR = /^(?:\\[1-9k]|\(\?[=!]|\(\?<[=!]|\(\?P)/;

/** Why a pattern was refused, in words fit for `file:line:col: key: …` or `--grep: …`. */
export class PatternError extends Error {}

export type PatternOptions = {
	/** Case-insensitive unless the pattern has an upper-case letter (as `less` and ripgrep's smart case). */
	smartCase?: boolean;
};

/** Compile `source` with RE2 semantics (no backreferences, no lookaround); throws PatternError naming the problem. */
export function compileLinear(source: string, options: PatternOptions = {}): LinearPattern {
	const insensitive = options.smartCase === true && !/\p{Lu}/u.test(source);
	const RE2JS = re2js();
	let compiled: Re2js;
	try {
		compiled = RE2JS.compile(source, insensitive ? RE2JS.CASE_INSENSITIVE : 0);
	} catch (error) {
		// re2js spells case-insensitivity as a `(?i)` prefix, which would show in the quoted fragment.
		const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '').replace('`(?i)', '`') : String(error);
		const fragment = /`(.*)`$/.exec(message)?.[1] ?? '';
		throw new PatternError(NOT_LINEAR.test(fragment) ? `not a linear-time pattern (RE2 syntax: no backreferences or lookaround): ${message}` : `bad pattern: ${message}`);
	}

	return {
		source,
		test: (text) => compiled.matcher(text).find(),
	};
}
