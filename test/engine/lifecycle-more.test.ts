// More of SPEC 2–4 through the built CLI: single-component start/stop, two homes side by side, a
// symlinked home, log rotation and legacy logs, bin/ replacements, temporal detection, status
// fields, a readiness timeout, and --help/--version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {
	CLI, fixture, freePort, isAlive, itemAt, makeHome, parseCleaned, parseStopped, procStat, readPidFile, ROOT, runCli,
	show, spawnMarked, statusJson, waitFor,
} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;
const DAY_MS = 24 * 3_600_000;

/** The rotation stamp of SPEC 4.7 for a time. */
function stamp(ms: number): string {
	return new Date(ms).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

test('start COMPONENT restarts only that one; stop COMPONENT stops only that one; status fields', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started: pids} = await home.start();

	const status = await statusJson(home);
	for (const name of BUILTINS) {
		const c = status.byName.get(name)!;
		assert.equal(c.enabled, true);
		// SPEC 4.8: the supervisor is the component's parent and leads its group; pid is the component's own.
		assert.equal(c.pgid, c.supervisorPid, `${name}'s group is its supervisor's`);
		assert.equal(procStat(c.pid!)?.ppid, c.supervisorPid, `${name}'s parent is its supervisor`);
		assert.equal(c.restarts, 0);
		assert.equal(c.lastExit, null);
		assert.equal(c.nextRestartAt, null);
		const startedAt = Date.parse((c as unknown as {startedAt: string}).startedAt);
		assert.ok(Math.abs(Date.now() - startedAt) < 120_000, `${name}.startedAt is a recent ISO time`);
		const usage = c as unknown as {uptimeMs: number; cpuPercent: number; rssBytes: number};
		assert.ok(usage.uptimeMs >= 0 && usage.uptimeMs < 120_000, `${name}.uptimeMs ${usage.uptimeMs}`);
		assert.ok(typeof usage.cpuPercent === 'number' && usage.cpuPercent >= 0, `${name}.cpuPercent ${usage.cpuPercent}`);
		assert.ok(usage.rssBytes > 1_000_000, `${name}.rssBytes ${usage.rssBytes}`);
		assert.deepEqual(c.logs, {stdout: home.logFile(name, 'stdout'), stderr: home.logFile(name, 'stderr')});
		assert.deepEqual(c.orphans, []);
		assert.equal(c.reason, null);
	}

	const {result: one, started: restarted} = await home.start(['workflow-runner']);
	assert.deepEqual([...restarted.keys()], ['workflow-runner'], `only workflow-runner restarts:\n${show(one)}`);
	assert.notEqual(restarted.get('workflow-runner')!.pid, pids.get('workflow-runner')!.pid);
	assert.equal(isAlive(pids.get('workflow-runner')!.pid), false);
	for (const name of ['stigmer-server', 'agent-runner']) {
		assert.deepEqual(home.processes()[name], [pids.get(name)!.pid], `${name} was left running as it was`);
	}

	const stopOne = await home.cli(['server', 'stop', 'agent-runner']);
	assert.equal(stopOne.code, 0, show(stopOne));
	assert.deepEqual([...parseStopped(stopOne.stdout).keys()], ['agent-runner'], show(stopOne));
	assert.equal(isAlive(pids.get('agent-runner')!.pid), false);
	const partial = await statusJson(home);
	assert.equal(partial.result.code, 3, `one enabled component is stopped:\n${show(partial.result)}`);
	assert.equal(partial.byName.get('agent-runner')!.state, 'stopped');
	assert.equal(partial.byName.get('stigmer-server')!.state, 'running');
	assert.equal(partial.byName.get('workflow-runner')!.state, 'running');

	// Started alone while a dependency is down: the dependency is started first (docs/lifecycle.md), the rest left alone.
	const stopServer = await home.cli(['server', 'stop', 'stigmer-server', 'workflow-runner']);
	assert.equal(stopServer.code, 0, show(stopServer));
	const alone = await home.start(['agent-runner']);
	assert.match(alone.result.stdout, /^starting stigmer-server first \(agent-runner depends on it\)$/m, show(alone.result));
	assert.deepEqual([...alone.started.keys()].sort(), ['agent-runner', 'stigmer-server'], show(alone.result));
	assert.equal(home.processes()['workflow-runner'], undefined, 'workflow-runner, not named, stays stopped');
});

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

test('logs: rotation at start with 7-day retention, legacy daemon.log renamed, user data untouched, private modes', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const logs = path.join(home.dataDir, 'logs');
	fs.mkdirSync(logs, {recursive: true, mode: 0o700});
	fs.writeFileSync(path.join(logs, 'daemon.log'), '2026-01-01T00:00:00Z legacy server line\n', {mode: 0o600});
	const old = path.join(logs, `workflow-runner.log.${stamp(Date.now() - 8 * DAY_MS)}`);
	const recent = path.join(logs, `workflow-runner.log.${stamp(Date.now() - 2 * DAY_MS)}`);
	fs.writeFileSync(old, 'old\n', {mode: 0o600});
	fs.writeFileSync(recent, 'recent\n', {mode: 0o600});
	const userData = [path.join(home.dir, 'stigmer.db', 'data.db'), path.join(home.dir, 'temporal-data', 'temporal.db')];
	for (const file of userData) {
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, 'user data\n');
	}

	await home.start();
	assert.equal(fs.existsSync(path.join(logs, 'daemon.log')), false, 'legacy daemon.log is renamed');
	const renamed = fs.readdirSync(logs).filter((f) => /^stigmer-server\.log\.\d{8}T\d{6}Z(-\d+)?$/.test(f));
	assert.equal(renamed.length, 1, `daemon.log became a rotated stigmer-server log: ${fs.readdirSync(logs).join(', ')}`);
	assert.equal(fs.readFileSync(path.join(logs, itemAt(renamed, 0)), 'utf8'), '2026-01-01T00:00:00Z legacy server line\n');
	assert.equal(fs.existsSync(old), false, 'a rotated log older than 7 days is deleted');
	assert.equal(fs.existsSync(recent), true, 'a rotated log of 2 days ago is kept');

	await waitFor(() => fs.statSync(home.logFile('workflow-runner')).size > 0, 'workflow-runner to log something');
	const firstSession = fs.readFileSync(home.logFile('workflow-runner'), 'utf8');
	await home.start();
	const rotated = fs.readdirSync(logs).filter((f) => /^workflow-runner\.log\.\d{8}T\d{6}Z(-\d+)?$/.test(f) && path.join(logs, f) !== recent);
	assert.equal(rotated.length, 1, `the first session's log was rotated: ${fs.readdirSync(logs).join(', ')}`);
	assert.ok(fs.readFileSync(path.join(logs, itemAt(rotated, 0)), 'utf8').startsWith(firstSession), 'with its lines');

	for (const file of fs.readdirSync(logs)) {
		assert.equal(fs.statSync(path.join(logs, file)).mode & 0o077, 0, `${file} is private`);
	}

	assert.equal(fs.statSync(logs).mode & 0o777, 0o700, 'data/logs is 0700');
	await home.cli(['server', 'stop']);
	for (const file of userData) {
		assert.equal(fs.readFileSync(file, 'utf8'), 'user data\n', `${file} is untouched`);
	}
});

test('bin/<component> replaces the built-in command; bin/temporal enables temporal', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const temporalPort = await freePort();
	home.writeConfig({components: {temporal: {enabled: true, port: temporalPort}}});
	const bin = path.join(home.dir, 'bin');
	fs.mkdirSync(bin, {mode: 0o700});
	fs.writeFileSync(path.join(bin, 'workflow-runner'), `#!/bin/sh\necho "started from bin/workflow-runner" >&2\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} internal-workflow-runner\n`, {mode: 0o755});
	fs.writeFileSync(path.join(bin, 'temporal'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'test', 'fixtures', 'fake-temporal.mjs'))} "$@"\n`, {mode: 0o755});

	const {result: start, started} = await home.start();
	assert.deepEqual([...started.keys()].sort(), [...BUILTINS, 'temporal'].sort(), show(start));
	// SPEC 3's dependency order: the server starts once temporal is ready, and stops before it.
	const order = [...started.keys()];
	assert.ok(order.indexOf('temporal') < order.indexOf('stigmer-server'), `temporal ready before the server starts:\n${show(start)}`);
	assert.match(fs.readFileSync(home.logFile('workflow-runner', 'stderr'), 'utf8'), /started from bin\/workflow-runner/);
	const argv = readPidFile(home.pidFile('temporal'))?.['argv'] as string[] | undefined;
	assert.equal(argv?.[0], path.join(bin, 'temporal'), `temporal runs bin/temporal: ${JSON.stringify(argv)}`);
	assert.ok(argv.includes('start-dev') && argv.includes(String(temporalPort)), `with start-dev and its port: ${JSON.stringify(argv)}`);
	const status = await statusJson(home);
	assert.equal(status.result.code, 0, show(status.result));
	assert.equal(status.byName.get('temporal')!.state, 'running');

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.equal(parseStopped(stop.stdout).get('temporal')?.how, 'stopped', show(stop));
	const stopOrder = [...parseStopped(stop.stdout).keys()];
	assert.ok(stopOrder.indexOf('stigmer-server') < stopOrder.indexOf('temporal'), `the server stops before temporal:\n${show(stop)}`);
	assert.deepEqual(home.processes(), {});
});

test('no temporal binary: temporal is disabled with the reason, and the stack runs without it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {components: {temporal: null}});
	const pathWithoutTemporal = (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => !fs.existsSync(path.join(dir, 'temporal'))).join(path.delimiter);
	const env = {PATH: pathWithoutTemporal};
	const {started} = await home.start([], {env});
	assert.equal(started.has('temporal'), false);
	const status = await home.cli(['server', 'status', '--json'], {env});
	assert.equal(status.code, 0, `every enabled component runs:\n${show(status)}`);
	const temporal = (JSON.parse(status.stdout) as {components: Array<{name: string; state: string; enabled: boolean; reason: string}>}).components.find((c) => c.name === 'temporal')!;
	assert.equal(temporal.state, 'disabled');
	assert.equal(temporal.enabled, false);
	assert.match(temporal.reason, /temporal binary not found/);
	const table = await home.cli(['server', 'status'], {env});
	assert.match(table.stdout, /temporal.*disabled \(temporal binary not found\)/);
});

test('a component not ready within ready_timeout: start exits 1 naming it and its log', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const never = await freePort();
	const home = await makeHome(t, {
		builtins: false,
		components: {
			deaf: {command: fixture('sleeper.mjs'), ready: {tcp: never}, ready_timeout: '1s'},
			after: {command: fixture('sleeper.mjs'), ready: {after: '10ms'}, depends_on: ['deaf']},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	assert.match(start.stderr, /deaf/);
	assert.match(start.stderr, /not ready within 1s/);
	assert.ok(start.stderr.includes(`${home.dir}/data/logs/deaf.`), `names deaf's log:\n${show(start)}`);
	assert.ok(start.ms >= 1000, 'it waited ready_timeout');
	assert.equal(home.processes()['after'], undefined, 'its dependent stays unstarted');
});

test('--help on every command exits 0; --version prints the package version', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	for (const verb of [['server', 'start'], ['server', 'stop'], ['server', 'status'], ['server', 'logs'], ['dash']]) {
		const help = await home.cli([...verb, '--help']);
		assert.equal(help.code, 0, `${verb.join(' ')} --help:\n${show(help)}`);
		assert.match(help.stdout, new RegExp(`Usage: stigmer ${verb.join(' ')}\\b`), `${verb.join(' ')} --help prints its usage`);
	}

	const version = await home.cli(['--version']);
	assert.equal(version.code, 0, show(version));
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string};
	assert.equal(version.stdout.trim(), pkg.version);
	assert.deepEqual(home.processes(), {}, 'help starts nothing');
});

test('user component options: env, cwd, PORT, shell: true, stop_signal, an http probe', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const port = await freePort();
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-cwd-'));
	t.after(() => fs.rmSync(cwd, {recursive: true, force: true}));
	const [node, sleeper] = fixture('sleeper.mjs');
	home.writeConfig({
		components: {
			'workflow-runner': {enabled: false},
			'agent-runner': {enabled: false},
			plain: {command: [node, sleeper], env: {FOO: 'bar baz'}, cwd, port, ready: {http: `http://127.0.0.1:${home.port}/healthz`}, depends_on: ['stigmer-server'], stop_signal: 'SIGINT'},
			shelled: {command: `echo "from a shell: $0" && exec ${JSON.stringify(node)} ${JSON.stringify(sleeper)}`, shell: true, ready: {log: 'sleeper ready'}},
		},
	});
	const {result: start, started} = await home.start();
	assert.ok(started.has('plain') && started.has('shelled'), show(start));

	const plainLog = await waitFor(() => /sleeper env (.*)$/m.exec(fs.readFileSync(home.logFile('plain'), 'utf8'))?.[1], 'plain to log its environment');
	assert.equal(plainLog, `PORT=${port} FOO=bar baz STIGMER_COMPONENT=plain cwd=${fs.realpathSync(cwd)}`);
	assert.match(fs.readFileSync(home.logFile('shelled'), 'utf8'), /from a shell: sh/, 'a string command runs through sh -c');
	assert.deepEqual(home.processes()['shelled'], [started.get('shelled')!.pid], 'exec kept one process, the recorded one');

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.match(fs.readFileSync(home.logFile('plain'), 'utf8'), /received SIGINT/, 'stop sends stop_signal');
	assert.match(fs.readFileSync(home.logFile('shelled'), 'utf8'), /received SIGTERM/, 'SIGTERM by default');
	assert.deepEqual(home.processes(), {});
});
