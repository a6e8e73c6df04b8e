// One meow setup for every verb: --help, unknown flags exit 2 with usage (SPEC 7).
import meow, {type AnyFlags, type Result} from 'meow';

/** Parse a verb's argv; meow prints --help and exits 0, and refuses unknown flags with exit 2. */
export function parseFlags<F extends AnyFlags>(argv: string[], help: string, flags: F): Result<F> {
	return meow(help, {
		importMeta: import.meta,
		argv,
		flags,
		allowUnknownFlags: false,
		autoVersion: false,
		booleanDefault: undefined,
	});
}
