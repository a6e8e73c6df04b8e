// How much argv and environment the kernel lets a program start with (execve's E2BIG), computed as the kernel does.
import {createRequire} from 'node:module';

// node:child_process loads only when getconf is asked (rarely): `status` and `dash --once` load this module with the
// config and would pay ~2.5 ms of their start-up budgets for it (bench/lifecycle.bench.mjs, bench/dash.bench.mjs).
const require = createRequire(import.meta.url);

/** Linux's MAX_ARG_STRLEN (32 pages): one argument or `NAME=value` longer than this is refused whatever ARG_MAX says. */
const LINUX_MAX_ARG_STRLEN = 32 * 4096;
/** Below this total no system refuses an exec (Linux allows at least 128 KiB, macOS 256 KiB): getconf is not even asked. */
const SURELY_FITS_BYTES = 64 * 1024;
/** When `getconf ARG_MAX` cannot be read: POSIX's smallest is 4096, but every system stigmer runs on has ≥ 128 KiB. */
const FALLBACK_ARG_MAX = 128 * 1024;
/** Bytes of one pointer of the argv/envp arrays, which count against ARG_MAX too. */
const POINTER_BYTES = 8;

let argMax: number | undefined;

/** Why the kernel would refuse to exec `argv` with `env` (and `extraBytes` more of either) (too long a string, or too much in all), or undefined when it fits. */
export function execTooLarge(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, extraBytes = 0): {what: 'string' | 'total'; bytes: number; limit: number; culprit: string} | undefined {
	const strings = [...argv, ...Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`]))];
	let total = extraBytes;
	let largest = '';
	for (const text of strings) {
		const bytes = Buffer.byteLength(text) + 1; // With its NUL.
		total += bytes + POINTER_BYTES;
		if (bytes > Buffer.byteLength(largest) + 1) {
			largest = text;
		}

		if (process.platform === 'linux' && bytes > LINUX_MAX_ARG_STRLEN) {
			return {what: 'string', bytes, limit: LINUX_MAX_ARG_STRLEN, culprit: text};
		}
	}

	if (total <= SURELY_FITS_BYTES) {
		return undefined;
	}

	const limit = systemArgMax();
	return total > limit ? {what: 'total', bytes: total, limit, culprit: largest} : undefined;
}

/** `getconf ARG_MAX` (on Linux a quarter of the stack limit), read once. */
function systemArgMax(): number {
	if (argMax === undefined) {
		try {
			const {execFileSync} = require('node:child_process') as typeof import('node:child_process');
			argMax = Number.parseInt(execFileSync('getconf', ['ARG_MAX'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}), 10);
		} catch {}

		if (argMax === undefined || !Number.isFinite(argMax) || argMax <= 0) {
			argMax = FALLBACK_ARG_MAX;
		}
	}

	return argMax;
}
