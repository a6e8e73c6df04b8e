// Engine pieces the black-box lifecycle suites do not reach: PID-file parsing, rotation and retention,
// the lock's takeover, bin/ overrides, temporal detection, probes, migration, single-component actions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {parsePidFile} from '../../source/engine/pidfile.js';
import {rotateLogs, rotationStamp} from '../../source/engine/rotate.js';
import {parseDuration} from '../../source/units.js';
import {homeAt} from '../../source/paths.js';
import {CLI, fixture, freePort, isAlive, itemAt, makeHome, parseStarted, printedMs, show, SLEEPER_ONLY, statusJson} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;

test('PID file contents: records, legacy numbers, and garbage that is never signalled', () => {
	const record = {pid: 4121, pgid: 4121, startTime: '123', bootId: 'b', component: 'x', home: '/h', argv: ['a'], version: '0.1.0'};
	const cases: Array<[string, string]> = [
		[JSON.stringify(record), 'record'],
		['4121\n', 'legacy'],
		['abc', 'invalid'],
		['', 'invalid'],
		['   \n', 'invalid'],
		['-5', 'invalid'],
		['1', 'invalid'],
		['0', 'invalid'],
		['99999999', 'invalid'],
		['{"pid": "12"}', 'invalid'],
		['{"pid": 12, "pgid": 12}', 'invalid'],
		['4121.5', 'invalid'],
	];
	for (const [text, kind] of cases) {
		assert.equal(parsePidFile(text).kind, kind, `${JSON.stringify(text)} is ${kind}`);
	}
});

test('durations of docs/lifecycle.md#durations-and-exit-codes', () => {
	const cases: Array<[string | number, number | undefined]> = [
		['250ms', 250], ['5s', 5000], ['1.5s', 1500], ['2m', 120_000], ['1h', 3_600_000], ['3', 3000], [2, 2000],
		['5 sec', undefined], ['-1s', undefined], ['', undefined], ['1d', undefined],
	];
	for (const [input, ms] of cases) {
		assert.equal(parseDuration(input), ms, String(input));
	}
});

test('rotation: non-empty logs get a UTC stamp (-1 when taken), empty ones stay, legacy daemon logs move, old rotations go', (t) => {
	const home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'stigmer-rotate-'));
	t.after(() => fs.rmSync(home, {recursive: true, force: true}));
	const logs = path.join(home, 'data', 'logs');
	fs.mkdirSync(logs, {recursive: true});
	const now = new Date('2026-11-26T03:47:41.123Z');
	const stamp = rotationStamp(now);
	assert.equal(stamp, '20261126T034741Z');
	const write = (name: string, text: string) => fs.writeFileSync(path.join(logs, name), text);
	write('a.log', 'line\n');
	write('a.err', '');
	write(`a.log.${stamp}`, 'taken\n');
	write('daemon.log', 'legacy out\n');
	write('daemon.err', 'legacy err\n');
	write('a.log.20261118T000000Z', 'eight days old\n');
	write('a.err.20261120T000000Z-2', 'six days old\n');
	write('notes.txt', 'not ours\n');

	rotateLogs(homeAt(home), ['a'], now);
	const after = fs.readdirSync(logs).sort();
	assert.deepEqual(after, [
		'a.err',
		'a.err.20261120T000000Z-2',
		`a.log.${stamp}`,
		`a.log.${stamp}-1`,
		'notes.txt',
		`stigmer-server.err.${stamp}`,
		`stigmer-server.log.${stamp}`,
	]);
	assert.equal(fs.readFileSync(path.join(logs, `a.log.${stamp}-1`), 'utf8'), 'line\n', 'content kept, not truncated');
	assert.equal(fs.readFileSync(path.join(logs, `stigmer-server.log.${stamp}`), 'utf8'), 'legacy out\n');
});

test('a lock left by a dead holder is taken over at once; the start proceeds', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.mkdirSync(home.dataDir, {recursive: true});
	// A pid that existed and is gone: a child we started and reaped.
	const {spawnSync} = await import('node:child_process');
	const dead = spawnSync('true').pid!;
	fs.writeFileSync(path.join(home.dataDir, 'lock'), JSON.stringify({pid: dead, startTime: '1'}));
	const {started} = await home.start();
	assert.ok(started.has('sleeper'));
	assert.equal(fs.existsSync(path.join(home.dataDir, 'lock')), false, 'the lock is released after the start');
});

test('bin/<component> replaces a built-in; temporal is enabled when a binary is found', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {components: {temporal: null}});
	const temporalPort = await freePort();
	home.writeConfigText(`version: 1\ncomponents:\n  stigmer-server: {port: ${home.port}}\n  temporal: {port: ${temporalPort}}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n`);
	const disabled = await statusJson(home);
	assert.equal(disabled.byName.get('temporal')?.state, 'disabled', 'no temporal binary on the test PATH');
	assert.equal(disabled.byName.get('temporal')?.reason, 'temporal binary not found');

	// A stand-in temporal: listens on the --port it is given, like `temporal server start-dev`.
	const bin = path.join(home.dir, 'bin');
	fs.mkdirSync(bin);
	fs.writeFileSync(path.join(bin, 'temporal'), `#!/usr/bin/env node\nconst port = Number(process.argv[process.argv.indexOf('--port') + 1]);\nrequire('node:net').createServer().listen(port, '127.0.0.1', () => console.log(JSON.stringify({level: 'info', ts: Date.now() / 1000, msg: 'temporal up', argv: process.argv.slice(2)})));\nprocess.on('SIGTERM', () => process.exit(0));\n`, {mode: 0o755});
	// A stand-in stigmer-server: the built-in, re-executed through a wrapper that marks its log.
	fs.writeFileSync(path.join(bin, 'stigmer-server'), '#!/bin/sh\necho "wrapper ran" >&2\nexec "$STIGMER_NODE" "$STIGMER_CLI" internal-server\n', {mode: 0o755});
	const {result: started} = await home.start([], {env: {STIGMER_CLI: CLI, STIGMER_NODE: process.execPath}});
	assert.deepEqual([...parseStarted(started.stdout).keys()].sort(), ['stigmer-server', 'temporal']);
	const report = await statusJson(home);
	assert.equal(report.byName.get('temporal')?.state, 'running');
	assert.equal(report.byName.get('temporal')?.port, temporalPort);
	const temporalLog = fs.readFileSync(home.logFile('temporal'), 'utf8');
	assert.match(temporalLog, /start-dev/, 'temporal runs as `server start-dev`');
	assert.match(temporalLog, new RegExp(`temporal-data/temporal\\.db`), 'with its database under the home');
	assert.ok(fs.statSync(path.join(home.dir, 'temporal-data')).isDirectory(), 'its database folder is created for it');
	assert.match(fs.readFileSync(home.logFile('stigmer-server', 'stderr'), 'utf8'), /wrapper ran/, 'bin/stigmer-server ran instead of the built-in');
});

test('probes: log, after and http on user components; a probe that never passes fails the start and ends the component', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const port = await freePort();
	const home = await makeHome(t, {builtins: false, components: {
		'by-log': {command: fixture('sleeper.mjs'), ready: {log: 'sleeper ready'}},
		'by-after': {command: fixture('sleeper.mjs'), ready: {after: '300ms'}},
		'by-http': {command: ['node', '-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], ready: {http: `http://127.0.0.1:${port}/`}, depends_on: ['by-log']},
	}});
	const {started} = await home.start();
	assert.deepEqual([...started.keys()].sort(), ['by-after', 'by-http', 'by-log']);
	// Any printed duration ends in 's' ('300ms' too): compare the time itself.
	const afterReady = started.get('by-after')?.ready ?? '';
	assert.ok(printedMs(afterReady) >= 300, `after: 300ms waits 300ms (${afterReady})`);

	const never = await freePort();
	home.writeConfig({builtins: false, components: {never: {command: fixture('sleeper.mjs'), ready: {tcp: never}, ready_timeout: '1s'}}});
	const failed = await home.cli(['server', 'start', 'never']);
	assert.equal(failed.code, 1, show(failed));
	assert.match(failed.stderr, /never: not ready within 1s \(waited for: TCP 127\.0\.0\.1:\d+ accepts\)/);
	assert.match(failed.stderr, /log: .*never\.err/);
	assert.deepEqual(home.processes()['never'] ?? [], [], 'the component that never became ready was ended');
	assert.equal(fs.existsSync(home.pidFile('never')), false);
});

test('start and stop of one component leave the others alone', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started: before} = await home.start();

	const {started: again} = await home.start(['workflow-runner']);
	assert.deepEqual([...again.keys()], ['workflow-runner']);
	assert.notEqual(again.get('workflow-runner')!.pid, before.get('workflow-runner')!.pid, 'a fresh workflow-runner');
	assert.equal(isAlive(before.get('workflow-runner')!.pid), false, 'the old one is gone');
	const processes = home.processes();
	assert.deepEqual(processes['stigmer-server'], [before.get('stigmer-server')!.pid], 'stigmer-server untouched');
	assert.deepEqual(processes['agent-runner'], [before.get('agent-runner')!.pid], 'agent-runner untouched');

	const stopped = await home.cli(['server', 'stop', 'agent-runner']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.match(stopped.stdout, /^agent-runner stopped in \d+(ms|\.\d+s|s)$/m);
	const report = await statusJson(home);
	assert.equal(report.result.code, 3, 'not healthy with agent-runner stopped');
	assert.equal(report.byName.get('agent-runner')?.state, 'stopped');
	assert.equal(report.byName.get('stigmer-server')?.state, 'running');
	assert.equal(report.byName.get('workflow-runner')?.state, 'running', 'workflow-runner still running');
});

test('a config without version is read as is by status, and migrated in place with a backup by stop (under the lock)', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const old = `components:\n  temporal: {enabled: false}\n  stigmer-server: {enabled: false, port: ${home.port}}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n`;
	home.writeConfigText(old);
	const status = await home.cli(['server', 'status']);
	assert.equal(status.code, 0, show(status));
	assert.equal(fs.readFileSync(home.configFile, 'utf8'), old, 'status (read-only) does not rewrite the config');
	const result = await home.cli(['server', 'stop']);
	assert.equal(result.code, 0, show(result));
	assert.match(fs.readFileSync(home.configFile, 'utf8'), /^version: 1\n/);
	const backups = fs.readdirSync(home.dir).filter((f) => f.startsWith('config.yaml.bak.'));
	assert.equal(backups.length, 1, 'one backup');
	assert.equal(fs.readFileSync(path.join(home.dir, itemAt(backups, 0)), 'utf8'), old, 'the backup holds the old text');
});
