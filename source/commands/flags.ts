// One meow setup for every verb: --help, unknown flags exit 2 with usage (SPEC 7).
import type {AnyFlags, Result} from 'meow';
import {UsageError} from '../errors.js';

export type Parsed<F extends AnyFlags> = Pick<Result<F>, 'input' | 'flags'>;

/**
 * Parse a verb's argv; meow prints --help and exits 0, and refuses unknown flags with exit 2.
 * Plain boolean switches and positional names are parsed here without meow: importing it costs
 * ~100 ms, more than `status` may spend in all (issue 2 budget). Anything else goes to meow.
 */
export async function parseFlags<F extends AnyFlags>(argv: string[], help: string, flags: F): Promise<Parsed<F>> {
	const fast = parseSimple(argv, flags);
	if (fast !== undefined) {
		return fast;
	}

	const {default: meow} = await import('meow');
	const result = meow(help, {
		importMeta: import.meta,
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
		const shown = unknown.map((name) => (name.length === 1 ? `-${name}` : `--${name}`)).join(', ');
		throw new UsageError(`unknown flag ${shown}\n${help.replace(/^\n/, '').replaceAll(/^\t/gm, '  ')}`);
	}

	return result;
}

function kebab(camelCase: string): string {
	return camelCase.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The meow result for argv made only of known boolean `--flag`/`--no-flag` and plain words; else undefined. */
function parseSimple<F extends AnyFlags>(argv: string[], flags: F): Parsed<F> | undefined {
	const values: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(flags)) {
		if (spec.type !== 'boolean') {
			if (spec.default !== undefined || spec.isMultiple) {
				return undefined;
			}

			continue;
		}

		values[name] = spec.default;
	}

	const input: string[] = [];
	for (const arg of argv) {
		if (!arg.startsWith('-')) {
			input.push(arg);
			continue;
		}

		const negated = arg.startsWith('--no-');
		const name = camel(arg.slice(negated ? 5 : 2));
		if (!arg.startsWith('--') || flags[name]?.type !== 'boolean') {
			return undefined;
		}

		values[name] = !negated;
	}

	return {input, flags: values as Parsed<F>['flags']};
}

function camel(kebab: string): string {
	return kebab.replaceAll(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
