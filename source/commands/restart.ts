import {EXIT} from '../errors.js';

/** `server restart` was removed (docs/lifecycle.md#start): say what to use instead, exit 2. */
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('stigmer: `server restart` no longer exists: `stigmer server start` restarts a running stack (it cleans up, stops what runs, and starts fresh).\n');
	return EXIT.usage;
}
