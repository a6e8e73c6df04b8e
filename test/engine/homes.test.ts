// Homes through the built CLI: two homes side by side never touch each other; a symlinked home is
// resolved once, and its processes and status carry the resolved path.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {makeHome, parseCleaned, runCli, show, spawnMarked, waitFor} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;
test('two homes side by side: neither start, cleanup nor stop touches the other home', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const a = await makeHome(t);
	const b = await makeHome(t);
	await b.start();
	const orphanOfB = spawnMarked(b, 'workflow-runner', ['sleep', '300']).pid!;
	await waitFor(() => b.processes()['workflow-runner']?.includes(orphanOfB), 'B\'s orphan to carry B\'s marker');
	const before = b.processes();

	const {result: startA} = await a.start();
	assert.equal(parseCleaned(startA.stdout).size, 0, `A has no orphans of its own:\n${show(startA)}`);
	assert.deepEqual(b.processes(), before, 'B is untouched by A\'s start and cleanup');
	const stopA = await a.cli(['server', 'stop']);
	assert.equal(stopA.code, 0, show(stopA));
	assert.deepEqual(a.processes(), {});
	assert.deepEqual(b.processes(), before, 'B is untouched by A\'s stop');

	const {result: again} = await b.start();
	assert.deepEqual(parseCleaned(again.stdout).get('workflow-runner')?.pids, [orphanOfB], 'B\'s own start cleans up B\'s orphan');
});

test('a symlinked STIGMER_HOME: processes carry the resolved path, status names it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-link-')), 'home');
	fs.symlinkSync(home.dir, link);
	t.after(() => fs.rmSync(path.dirname(link), {recursive: true, force: true}));

	const start = await runCli(link, ['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	assert.deepEqual(Object.keys(home.processes()).sort(), BUILTINS, 'the marker carries the resolved home');
	const status = await runCli(link, ['server', 'status', '--json']);
	assert.equal(status.code, 0, show(status));
	assert.equal((JSON.parse(status.stdout) as {home: string}).home, home.dir);
	const stop = await runCli(link, ['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.deepEqual(home.processes(), {});
});
