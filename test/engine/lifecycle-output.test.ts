// What start and stop say about what they stopped (docs/lifecycle.md#stop, docs/lifecycle.md#durations-and-exit-codes), through the built CLI and through the engine calls
// the dashboard makes: each stop line as it happens, in the order things stopped (reverse dependency order), and a
// start that fails after stopping something says what it stopped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {start, stop} from '../../source/engine/index.js';
import {homeAt} from '../../source/paths.js';
import {describeStart, describeStop} from '../../source/ui/status-message.js';
import {fixture, live, makeHome, show, spawnCli, waitFor, type TestHome} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
/** The stubborn component's grace before SIGKILL: long enough that the other stop lines come well before its own. */
const STUBBORN_STOP_TIMEOUT = '4s';

/** `db` is ready while `flag` exists (gone, a restart fails within 1s); `app` waits for it. */
function dbAndApp(home: TestHome): string {
	const flag = path.join(home.dir, 'dbflag');
	home.writeConfig({
		builtins: false,
		components: {
			db: {command: fixture('sleeper.mjs'), ready: {exec: ['test', '-f', flag]}, ready_timeout: '1s'},
			app: {command: fixture('sleeper.mjs'), ready: {after: '100ms'}, depends_on: ['db']},
		},
	});
	fs.writeFileSync(flag, '');
	return flag;
}

/** Index of the first stdout line matching `pattern`, or -1. */
function lineIndex(stdout: string, pattern: RegExp): number {
	return stdout.split('\n').findIndex((line) => pattern.test(line));
}

test('a restart that fails says what it stopped, in the order it stopped them', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const flag = dbAndApp(home);
	await home.start();

	fs.rmSync(flag);
	const again = await home.cli(['server', 'start']);
	assert.equal(again.code, 1, show(again));
	assert.match(again.stderr, /^stopped app, db before restarting them$/m, `the failure names what the restart stopped:\n${show(again)}`);
	assert.match(again.stderr, /^✗ db: not ready within 1s/m, show(again));
	assert.match(again.stderr, /^ {2}not started \(waiting for db\): app$/m, show(again));
	const app = lineIndex(again.stdout, /^app stopped in \S+$/);
	const db = lineIndex(again.stdout, /^db stopped in \S+$/);
	assert.ok(app >= 0 && db > app, `the stop phase prints app (the dependent) before db:\n${show(again)}`);
	assert.deepEqual(home.processes(), {}, 'nothing runs after the failed restart');
});

test('stop prints each line as it happens, dependents first: a stubborn one does not hold back the others', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			base: {command: fixture('sleeper.mjs'), ready: {after: '100ms'}},
			quick: {command: fixture('sleeper.mjs'), ready: {after: '100ms'}, depends_on: ['base']},
			stubborn: {command: fixture('ignores-sigterm-with-children.mjs'), ready: {log: 'ready'}, stop_timeout: STUBBORN_STOP_TIMEOUT},
		},
	});
	await home.start();

	const child = spawnCli(home.dir, ['server', 'stop']);
	t.after(() => child.kill('SIGKILL'));
	const exited = new Promise<number | null>((resolve) => {
		child.on('close', resolve);
	});
	const output = live(child);
	await waitFor(() => /^base stopped in /m.test(output.stdout()), 'base\'s stop line', 15_000);
	assert.equal(child.exitCode, null, `stop still waits for stubborn when base's line is out:\n${output.stdout()}`);
	assert.doesNotMatch(output.stdout(), /stubborn/, 'stubborn has not been killed yet');
	const quick = lineIndex(output.stdout(), /^quick stopped in /);
	const base = lineIndex(output.stdout(), /^base stopped in /);
	assert.ok(quick >= 0 && base > quick, `quick (the dependent) stops before base:\n${output.stdout()}`);

	assert.equal(await exited, 0, output.stderr());
	assert.match(output.stdout(), /^stubborn killed after \S+ \(SIGKILL\)$/m, output.stdout());
	assert.deepEqual(home.processes(), {});
});

test('the dashboard\'s status line (the same engine calls): stops in the order they happened; a failed restart says what it stopped', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const flag = dbAndApp(home);
	const engineHome = homeAt(home.dir);
	const first = await start(engineHome, {verb: 'dash'});
	assert.deepEqual(first.failures, [], home.logs());

	fs.rmSync(flag);
	const failed = describeStart(await start(engineHome, {verb: 'dash'}));
	assert.equal(failed.tone, 'error');
	assert.match(failed.text, /^✗ db: not ready within 1s.*; not started: app; stopped app, db before restarting them$/, failed.text);

	fs.writeFileSync(flag, '');
	assert.deepEqual((await start(engineHome, {verb: 'dash'})).failures, [], home.logs());
	const stopped = describeStop(await stop(engineHome, {verb: 'dash'}));
	assert.match(stopped.text, /^■ app stopped in \S+, db stopped in \S+$/, stopped.text);
	assert.deepEqual(home.processes(), {});
});
