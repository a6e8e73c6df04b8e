// docs/lifecycle.md#durations-and-exit-codes: standard output that cannot be written (a full disk: /dev/full) is one line on stderr and exit 1, never a stack trace.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import test from 'node:test';
import {CLI, cleanEnv, makeHome, mergeFixturesHome} from '../helpers.js';

const FULL = '/dev/full';
/** A run longer than this is hung (spawnSync kills it). */
const RUN_TIMEOUT_MS = 20_000;

test('every verb writing to a full disk (/dev/full): one line naming ENOSPC, exit 1, no stack trace', {skip: fs.existsSync(FULL) ? false : `${FULL} is missing`}, async (t) => {
	const home = await makeHome(t);
	const logs = mergeFixturesHome('stigmer-full-');
	const runs: Array<[string, string[]]> = [
		[home.dir, ['server', 'status']],
		[home.dir, ['server', 'status', '--json']],
		[home.dir, ['dash', '--once']],
		[home.dir, ['config', 'schema']],
		[home.dir, ['server', 'start', '--help']],
		[logs, ['server', 'logs', '-n', '0', '--no-follow']],
		[logs, ['server', 'logs', '--json', '--no-follow']],
	];
	for (const [dir, args] of runs) {
		const full = fs.openSync(FULL, 'w');
		try {
			const r = spawnSync(process.execPath, [CLI, ...args], {env: cleanEnv({STIGMER_HOME: dir}), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: RUN_TIMEOUT_MS});
			const shown = `stigmer ${args.join(' ')} > ${FULL}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`;
			assert.equal(r.status, 1, shown);
			// The error is the last line (logs says what it streams first), and the only one from stigmer.
			assert.match(r.stderr, /(?:^|\n)stigmer: cannot write to standard output: ENOSPC[^\n]*\n$/, shown);
			assert.equal(r.stderr.match(/^stigmer: /gm)?.length, 1, shown);
			assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${shown}`);
		} finally {
			fs.closeSync(full);
		}
	}
});
