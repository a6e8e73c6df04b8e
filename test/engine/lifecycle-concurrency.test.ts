// The home lock (docs/lifecycle.md#start step 1, issue 2): concurrent starts queue, and a start killed with
// SIGKILL half-way leaves nothing the next start cannot recover from.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {fixture, makeHome, parseStarted, show, spawnCli, statusJson, waitFor} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 120_000;
const CONCURRENT_STARTS = 5;
/** The slow component's readiness delay: a window in which the CLI is surely mid-start. */
const SLOW_READY = '3s';
/** A dead lock holder is taken over within a second (docs/lifecycle.md#start), so the recovering start takes about SLOW_READY plus a normal start, never a stale-lock timeout. */
const RECOVERY_BOUND_MS = 10_000;
/** Lock takeover (≤ 1 s) plus a stop of four components, with slack for a loaded 2-core machine. */
const LOCK_TAKEOVER_BOUND_MS = 5000;

test('five concurrent `server start`: all exit 0, exactly one process per component', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const results = await Promise.all(Array.from({length: CONCURRENT_STARTS}, async () => home.cli(['server', 'start'], {timeoutMs: 100_000})));
	for (const [i, result] of results.entries()) {
		assert.equal(result.code, 0, `start #${i + 1}:\n${show(result)}${home.logs()}`);
		assert.deepEqual([...parseStarted(result.stdout).keys()].sort(), BUILTINS, `start #${i + 1} started the whole stack:\n${show(result)}`);
	}

	const running = home.processes();
	assert.deepEqual(Object.keys(running).sort(), BUILTINS);
	for (const name of BUILTINS) {
		assert.equal(running[name]?.length, 1, `exactly one ${name}: ${running[name]?.join(', ')}`);
	}

	const winner = results.find((r) => BUILTINS.every((n) => parseStarted(r.stdout).get(n)?.pid === running[n]?.[0]));
	assert.ok(winner, 'the running processes are those one of the starts printed (the last to hold the lock)');
	const status = await statusJson(home);
	assert.equal(status.result.code, 0, show(status.result));
	assert.equal(status.report.healthy, true);
});

test('the CLI killed with SIGKILL in the middle of a start: the next start recovers', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		components: {slow: {command: fixture('sleeper.mjs'), ready: {after: SLOW_READY}, depends_on: ['stigmer-server']}},
	});
	const all = [...BUILTINS, 'slow'].sort();

	const doomed = spawnCli(home.dir, ['server', 'start']);
	const exited = new Promise((resolve) => doomed.on('close', resolve));
	let output = '';
	doomed.stdout!.on('data', (d: Buffer) => (output += d.toString()));
	doomed.stderr!.on('data', (d: Buffer) => (output += d.toString()));
	await waitFor(() => fs.existsSync(home.pidFile('slow')), `the first start to spawn the slow component (output so far: ${output})`, 30_000);
	doomed.kill('SIGKILL');
	await exited;
	assert.equal(parseStarted(output).has('slow'), false, 'the CLI died before slow was ready');
	const leftovers = home.processes();
	assert.ok(leftovers['stigmer-server']?.length, 'the killed start left its components behind, for the next start to clean up');

	const {result: start} = await home.start();
	assert.ok(start.ms < RECOVERY_BOUND_MS, `recovered in ${Math.round(start.ms)}ms: a dead lock holder is taken over at once`);
	const started = parseStarted(start.stdout);
	assert.deepEqual([...started.keys()].sort(), all, show(start));
	assert.deepEqual(home.processes(), Object.fromEntries(all.map((n) => [n, [started.get(n)!.pid]])), 'exactly one of each, the ones just started');
	const status = await statusJson(home);
	assert.equal(status.result.code, 0, show(status.result));

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.deepEqual(home.processes(), {});
});

test('a SIGKILLed start\'s lock is taken over at once: stop runs promptly and ends what it had started', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		components: {slow: {command: fixture('sleeper.mjs'), ready: {after: '20s'}, depends_on: ['stigmer-server']}},
	});
	const doomed = spawnCli(home.dir, ['server', 'start']);
	const exited = new Promise((resolve) => doomed.on('close', resolve));
	await waitFor(() => fs.existsSync(home.pidFile('slow')), 'the start to spawn the slow component', 30_000);
	doomed.kill('SIGKILL');
	await exited;
	assert.ok(home.processes()['slow']?.length, 'the slow component runs, its start abandoned');

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.ok(stop.ms < LOCK_TAKEOVER_BOUND_MS, `stop took ${Math.round(stop.ms)}ms: the dead holder's lock was not waited out`);
	assert.deepEqual(home.processes(), {}, 'everything the killed start began is stopped');
	for (const name of [...BUILTINS, 'slow']) {
		assert.equal(fs.existsSync(home.pidFile(name)), false, `data/${name}.pid removed`);
	}
});

test('concurrent starts and stops queue on the lock: each exits 0 and the end state is whole', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const verbs = ['start', 'stop', 'start', 'stop', 'start'];
	const results = await Promise.all(verbs.map(async (verb) => home.cli(['server', verb], {timeoutMs: 100_000})));
	for (const [i, result] of results.entries()) {
		assert.equal(result.code, 0, `server ${verbs[i]} #${i + 1}:\n${show(result)}${home.logs()}`);
	}

	const running = home.processes();
	const status = await statusJson(home);
	if (Object.keys(running).length === 0) {
		assert.equal(status.result.code, 3, 'all stopped');
		for (const name of BUILTINS) {
			assert.equal(fs.existsSync(home.pidFile(name)), false);
		}
	} else {
		assert.deepEqual(Object.keys(running).sort(), BUILTINS, 'all or nothing runs');
		for (const name of BUILTINS) {
			assert.equal(running[name]?.length, 1, `exactly one ${name}`);
		}

		assert.equal(status.result.code, 0, show(status.result));
	}
});
