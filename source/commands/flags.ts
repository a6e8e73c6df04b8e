// One meow setup for every verb: --help/-h, unknown flags exit 2 with usage and a guess (docs/lifecycle.md#durations-and-exit-codes, docs/cli.md).
import type {AnyFlags, Result} from 'meow';
import {UsageError} from '../errors.js';

export type Parsed<F extends AnyFlags> = Pick<Result<F>, 'input' | 'flags'>;

const HELP_BRAND = Symbol.for('stigmer.HelpRequested');

/** Flags of `stigmer` itself (help, did-you-mean, completion). */
export const TOP_FLAGS = ['--help', '-h', '--version', '-v'];

/** Thrown by parseFlags for `--help` / `-h`: the entry prints `text` on stdout and exits 0, before the verb does anything. */
export class HelpRequested extends Error {
	/** `x instanceof HelpRequested` holds across the CLI's two builds, as StigmerError's does. */
	static override [Symbol.hasInstance](value: unknown): boolean {
		return typeof value === 'object' && value !== null && HELP_BRAND in value;
	}

	readonly [HELP_BRAND] = true;

	/** `flags` is the verb's flag table, for shell completion. */
	constructor(readonly text: string, readonly flags: AnyFlags = {}) {
		super('help requested');
		this.name = 'HelpRequested';
	}
}

/** A verb's help text as printed: the tab-indented template literal, dedented to two spaces. */
export function formatHelp(help: string): string {
	return help.replace(/^\n/, '').replaceAll(/^\t/gm, '  ');
}

/** The spellings a user would type for these flags: `--name`, `--no-name` for booleans that default on, `-x`. */
function flagSpellings(flags: AnyFlags): string[] {
	return Object.entries(flags).flatMap(([name, spec]) => [
		`--${kebab(name)}`,
		...(spec.type === 'boolean' && spec.default === true ? [`--no-${kebab(name)}`] : []),
		...(spec.shortFlag ? [`-${spec.shortFlag}`] : []),
		...(spec.aliases ?? []).map((alias) => `--${alias}`),
	]);
}

/** True when argv asks for help (`--help` or `-h` before any `--`). */
function wantsHelp(argv: string[]): boolean {
	const end = argv.indexOf('--');
	return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Parse a verb's argv; `--help`/`-h` throw HelpRequested (stdout, exit 0), unknown flags a UsageError with a guess (exit 2).
 * Plain spellings of known flags are parsed here without meow: importing it costs about as much as
 * `node -e 0`, more than `status` or `logs -n 50` may spend in all (issues 2, 3). Anything else goes to meow.
 */
export async function parseFlags<F extends AnyFlags>(argv: string[], help: string, flags: F): Promise<Parsed<F>> {
	if (wantsHelp(argv)) {
		throw new HelpRequested(formatHelp(help), flags);
	}

	const fast = parseSimple(argv, flags);
	if (fast !== undefined) {
		return fast;
	}

	const {default: meow} = await import('meow');
	// meow renames the process after its package, which overwrites the kernel's copy of argv (`ps` would show a bare name):
	// a title that ignores writes keeps the command line, however the flags were spelled (stigmer never sets it itself).
	const title = process.title;
	Object.defineProperty(process, 'title', {get: () => title, set: () => undefined, enumerable: true, configurable: true});
	const result = meow(help, {
		importMeta: import.meta,
		pkg: {}, // No package.json lookup: nothing of it is used (no --version or description from meow).
		argv,
		flags,
		description: false,
		allowUnknownFlags: true,
		autoVersion: false,
		booleanDefault: undefined,
	});
	const known = new Set(Object.entries(flags).flatMap(([name, spec]) => [name, kebab(name), spec.shortFlag, ...(spec.aliases ?? [])].filter(Boolean)));
	const unknown = Object.keys(result.unnormalizedFlags).filter((name) => !known.has(name) && !known.has(camel(name)));
	if (unknown.length > 0) {
		const shown = [...new Set(unknown.map((name) => asTyped(name, argv)))];
		const {unknownFlag} = await import('../suggest.js'); // Only on this error path: `status` starts without it.
		throw new UsageError(`${unknownFlag(shown, [...documented(flags, help), '--help', '-h'], commandOf(help))}\n${formatHelp(help)}`);
	}

	return result;
}

/** How the user typed the flag meow reports as `name` (meow reads `--no-colr` as `colr`, `--foo-bar` as `fooBar`). */
function asTyped(name: string, argv: string[]): string {
	if (name.length === 1) {
		return `-${name}`;
	}

	const end = argv.indexOf('--');
	const words = new Set((end < 0 ? argv : argv.slice(0, end)).map((arg) => arg.split('=', 1)[0]));
	return [`--${name}`, `--${kebab(name)}`, `--no-${name}`, `--no-${kebab(name)}`].find((word) => words.has(word)) ?? `--${name}`;
}

/** `stigmer server logs` from a help text's `Usage: stigmer server logs [options]` line. */
function commandOf(help: string): string {
	return /Usage: (stigmer(?: [a-z][a-z-]*(?=\s|$))*)/m.exec(help)?.[1] ?? 'stigmer';
}

/** The spellings of `flags` that the verb's help shows: a guess or a completion names `--no-color`, never the default `--color` it leaves out. */
export function documented(flags: AnyFlags, help: string): string[] {
	return flagSpellings(flags).filter((spelling) => new RegExp(`(?:^|[\\s,/([])${spelling}(?![\\w-])`, 'm').test(help));
}

function kebab(camelCase: string): string {
	return camelCase.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The meow result for argv made only of known flags in their plain spellings (`--flag`, `--no-flag`,
 * `-x`, `--name value`, `--name=value`, `-x value`, repeated multiples) and positional words; else undefined.
 */
function parseSimple<F extends AnyFlags>(argv: string[], flags: F): Parsed<F> | undefined {
	const values: Record<string, unknown> = {};
	const byShort = new Map<string, string>();
	for (const [name, spec] of Object.entries(flags)) {
		if (spec.default !== undefined || spec.type === 'boolean') {
			values[name] = spec.default;
		}

		if (spec.shortFlag) {
			byShort.set(spec.shortFlag, name);
		}
	}

	const input: string[] = [];
	// One iterator: a flag that takes a value consumes the next argument from it.
	const args = argv.values();
	for (const arg of args) {
		if (!arg.startsWith('-') || arg === '-') {
			input.push(arg);
			continue;
		}

		const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
		const word = eq > 0 ? arg.slice(0, eq) : arg;
		const negated = word.startsWith('--no-') && eq < 0;
		const name = word.startsWith('--') ? camel(word.slice(negated ? 5 : 2)) : word.length === 2 ? byShort.get(word.charAt(1)) : undefined;
		const spec = name === undefined ? undefined : flags[name];
		if (spec === undefined || name === undefined) {
			return undefined;
		}

		if (spec.type === 'boolean') {
			if (eq > 0) {
				return undefined;
			}

			values[name] = !negated;
			continue;
		}

		const value = eq > 0 ? arg.slice(eq + 1) : args.next().value;
		if (negated || value === undefined || (spec.type === 'number' && !Number.isFinite(Number(value)))) {
			return undefined; // meow reports these its own way.
		}

		const typed = spec.type === 'number' ? Number(value) : value;
		values[name] = spec.isMultiple ? [...((values[name] as unknown[] | undefined) ?? []), typed] : typed;
	}

	return {input, flags: values as Parsed<F>['flags']};
}

function camel(kebab: string): string {
	return kebab.replaceAll(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
