// The built CLI, re-executed for the built-in components.
import {fileURLToPath} from 'node:url';

/** Absolute path of the built cli.js. */
export function cliPath(): string {
	// Found from this file's own location, which sits next to cli.ts and so moves with it: a module elsewhere would silently break when moved.
	return fileURLToPath(new URL('cli.js', import.meta.url));
}
