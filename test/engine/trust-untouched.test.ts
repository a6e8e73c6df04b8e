// Nothing is touched before it has to be (docs/config.md): bad config is refused before the home's data/ exists, and `stop` of
// a home never started creates no home, yet still ends that home's marked orphans.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {isAlive, makeHome, parseCleaned, runCli, show, spawnMarked, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;

test('`server start` with a bad config exits 2 naming file:line:col and creates nothing (no data/, no lock); `server stop` goes on after one warning', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	home.writeConfigText('version: 1\ncomponents:\n  x: {bogus: 1}\n');
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 2, show(start));
	assert.match(start.stderr, /config\.yaml:3:7: unknown key "components\.x\.bogus"/, show(start));
	assert.deepEqual(fs.readdirSync(home.dir), ['config.yaml'], 'server start touched nothing');
	// A broken file never locks the user out of stopping (docs/config.md).
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.match(stop.stderr, /^stigmer: warning: [^\n]*config\.yaml:3:7: unknown key "components\.x\.bogus"[^\n]*\n$/, show(stop));
});

test('`server stop` of a home that does not exist creates none; a marked orphan of that home is still ended', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-test-')));
	t.after(() => fs.rmSync(parent, {recursive: true, force: true}));
	const dir = path.join(parent, 'never-started');
	const nothing = await runCli(dir, ['server', 'stop']);
	assert.equal(nothing.code, 0, show(nothing));
	assert.match(nothing.stdout, /^stigmer-server was not running$/m, show(nothing));
	assert.doesNotMatch(nothing.stdout, /temporal/, `a stop of the whole stack says nothing of a disabled component:\n${show(nothing)}`);
	// Named, a disabled component still gets its line (docs/lifecycle.md#stop: one per component).
	const named = await runCli(dir, ['server', 'stop', 'temporal']);
	assert.equal(named.code, 0, show(named));
	assert.equal(named.stdout, 'temporal was not running\n', show(named));
	assert.equal(fs.existsSync(dir), false, 'no home was created to find nothing running');

	// A process of that home whose files were all deleted: found by its marker, ended, reported. (makeHome's own home
	// only lends its cleanup, which kills what it tracked.)
	const home = await makeHome(t);
	const orphan = spawnMarked({...home, dir}, 'ghost', ['sleep', '300']).pid!;
	await waitFor(() => fs.readFileSync(`/proc/${orphan}/environ`, 'utf8').includes(`STIGMER_HOME=${dir}`), 'the orphan to carry the marker');
	const ended = await runCli(dir, ['server', 'stop']);
	assert.equal(ended.code, 0, show(ended));
	assert.deepEqual(parseCleaned(ended.stdout).get('ghost')?.pids, [orphan], show(ended));
	assert.equal(isAlive(orphan), false, 'the orphan was ended');
});
