// Counts agree with their words in every message a user reads: `1 restart`, `1 orphaned process (pid 5)`, `pid 7 …
// carries` — the pure builders by table, and the supervisor's own line from a real crash loop.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {palette} from '../../source/colors.js';
import {statusTable} from '../../source/commands/status.js';
import {blankStatus} from '../../source/engine/types.js';
import {cleanupLines, startSummary, stopSummary} from '../../source/messages.js';
import {makeHome, show, statusJson, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;

test('message builders: one pid, one process, one orphan, one stranger are singular; two are plural', () => {
	const one = [{component: 'q', pids: [5]}];
	const two = [{component: 'q', pids: [5, 6]}];
	const cases: Array<[string, string]> = [
		[cleanupLines(one).join('\n'), 'cleaned up 1 orphaned q process (pid 5)'],
		[cleanupLines(two).join('\n'), 'cleaned up 2 orphaned q processes (pids 5, 6)'],
		[startSummary({cleaned: one, stopped: [], started: [], failures: [], dependencies: []}), '✓ nothing to start; cleaned up 1 orphaned q (pid 5)'],
		[stopSummary({stopped: [], cleaned: two, dependentsLeft: []}), '■ nothing to stop; cleaned up 2 orphaned q (pids 5, 6)'],
	];
	for (const [actual, expected] of cases) {
		assert.equal(actual, expected);
	}

	const at = '2026-11-26T03:47:41.120Z';
	const table = (orphans: number[], strangers: number[]) => statusTable({home: '/h', healthy: false, components: [blankStatus('q', true, {
		orphans: orphans.map((pid) => ({pid, startedAt: at})),
		strangers: strangers.map((pid) => ({pid, startedAt: at})),
	})]}, palette(false));
	assert.match(table([5], []), /^q: 1 orphaned process \(pid 5\); `stigmer server start` cleans it up$/m);
	assert.match(table([5, 6], []), /^q: 2 orphaned processes \(pids 5, 6\); `stigmer server start` cleans them up$/m);
	assert.match(table([], [7]), /^q: pid 7 in its old process group carries no stigmer marker/m);
	assert.match(table([], [7, 8]), /^q: pids 7, 8 in its old process group carry no stigmer marker/m);
});

test('a crash loop with max_restarts: 1 gives up "after 1 restart", in status and in the supervisor\'s .err line', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {flappy: {command: ['sh', '-c', 'sleep 0.5; exit 3'], ready: {after: '100ms'}, max_restarts: 1, restart_delay: '100ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const failed = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('flappy')!.state === 'failed' ? s : undefined;
	}, 'flappy to give up', 20_000);
	assert.match(failed.byName.get('flappy')!.reason ?? '', /^exit code 3; gave up after 1 restart in \d/, show(failed.result));
	const err = fs.readFileSync(home.logFile('flappy', 'stderr'), 'utf8').trimEnd().split('\n');
	assert.match(err.at(-1) ?? '', /Z stigmer: flappy exited with code 3 after [\d.]+m?s; gave up after 1 restart in \d/, err.join('\n'));
});
