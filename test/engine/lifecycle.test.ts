// Lifecycle through the built CLI with real processes (docs/lifecycle.md#cleanup-before-every-start, docs/lifecycle.md#status, issue 2): start, restart,
// stop, crash recovery, a stubborn process group, a failing component, and a real Debian daemon.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {
	fixture, freePort, isAlive, groupMembers, makeHome, parseStopped, printedMs, procStat,
	readPidFile, redisPing, show, statusJson, waitFor, which,
} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
/** Generous bound for one CLI call on a loaded 2-core machine; the budgets live in bench/. */
const TEST_TIMEOUT_MS = 90_000;
/** Upper bound for a SIGTERM-obeying stop in tests: well under the 5 s stop_timeout, so "stopped" is not "killed". */
const SIGTERM_SLACK_MS = 3000;

/** docs/lifecycle.md#stop: the runners stop before the server they poll, and their lines say so in that order. */
function assertStopOrder(stdout: string, what: string): void {
	const at = (name: string) => stdout.split('\n').findIndex((line) => line.startsWith(`${name} stopped in `));
	for (const runner of ['workflow-runner', 'agent-runner']) {
		assert.ok(at(runner) >= 0 && at(runner) < at('stigmer-server'), `${what}: ${runner} stopped before stigmer-server:\n${stdout}`);
	}
}

test('start, start again, stop: one process per component, fresh pids, nothing left', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);

	const {result: first, started} = await home.start();
	assert.deepEqual([...started.keys()].sort(), BUILTINS, `one ✓ line per enabled component:\n${show(first)}`);
	assert.deepEqual(home.processes(), Object.fromEntries(BUILTINS.map((n) => [n, [started.get(n)!.pid]])), 'exactly the printed pids run, one per component');
	for (const name of BUILTINS) {
		const record = readPidFile(home.pidFile(name));
		assert.equal(record?.['pid'], started.get(name)!.pid, `data/${name}.pid records the running pid`);
		assert.equal(record?.['component'], name);
		assert.equal(record?.['home'], home.dir);
		assert.equal(fs.statSync(home.pidFile(name)).mode & 0o777, 0o600, 'PID files are 0600');
		assert.ok(fs.existsSync(home.logFile(name, 'stdout')) && fs.existsSync(home.logFile(name, 'stderr')), `${name} has .log and .err`);
	}

	assert.equal(fs.statSync(home.dataDir).mode & 0o777, 0o700, 'data/ is 0700');

	const healthy = await statusJson(home);
	assert.equal(healthy.result.code, 0, show(healthy.result));
	assert.equal(healthy.report.healthy, true);
	assert.equal(healthy.report.home, home.dir);
	for (const name of BUILTINS) {
		const c = healthy.byName.get(name)!;
		assert.equal(c.state, 'running', name);
		assert.equal(c.ready, true, name);
		assert.equal(c.pid, started.get(name)!.pid, name);
	}

	assert.equal(healthy.byName.get('stigmer-server')!.port, home.port);
	assert.equal(healthy.byName.get('temporal')?.state, 'disabled');

	const table = await home.cli(['server', 'status']);
	assert.equal(table.code, 0, show(table));
	for (const name of BUILTINS) {
		assert.match(table.stdout, new RegExp(`^${name} +running +${started.get(name)?.pid} `, 'm'), `status table shows ${name} running with its pid`);
	}

	const {result: second, started: restarted} = await home.start();
	assert.deepEqual([...restarted.keys()].sort(), BUILTINS, show(second));
	for (const name of BUILTINS) {
		const before = started.get(name)!.pid;
		const after = restarted.get(name)!.pid;
		assert.notEqual(after, before, `${name} got a fresh pid`);
		assert.equal(isAlive(before), false, `${name}'s old pid ${before} is gone`);
	}

	assert.deepEqual(home.processes(), Object.fromEntries(BUILTINS.map((n) => [n, [restarted.get(n)!.pid]])), 'exactly one process per component after the second start');
	assertStopOrder(second.stdout, 'the stop phase of start');

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	const stopped = parseStopped(stop.stdout);
	assertStopOrder(stop.stdout, 'server stop');
	for (const name of BUILTINS) {
		assert.equal(stopped.get(name)?.how, 'stopped', `\`${name} stopped in …\`:\n${show(stop)}`);
		// The built-ins exit within 1 s of SIGTERM (docs/config.md); bench/ holds the 1 s budget, and a loaded CI machine gets slack here.
		assert.ok(printedMs(stopped.get(name)!.after) < SIGTERM_SLACK_MS, `${name} obeys SIGTERM, printed ${stopped.get(name)!.after}`);
		assert.equal(isAlive(restarted.get(name)!.pid), false, `${name} is gone`);
		assert.equal(fs.existsSync(home.pidFile(name)), false, `data/${name}.pid is removed`);
	}

	assert.deepEqual(home.processes(), {}, 'nothing of this home is left');

	const down = await statusJson(home);
	assert.equal(down.result.code, 3, show(down.result));
	assert.equal(down.report.healthy, false);
	for (const name of BUILTINS) {
		assert.equal(down.byName.get(name)!.state, 'stopped', name);
		assert.equal(down.byName.get(name)!.pid, null, name);
	}

	const again = await home.cli(['server', 'stop']);
	assert.equal(again.code, 0, `stopping what is not running is not an error:\n${show(again)}`);
});

test('kill -9 of a component and its supervisor, then start: crashed in status, then exactly one of each, healthy', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started: before} = await home.start();
	const server = before.get('stigmer-server')!.pid;
	const supervisor = Number(readPidFile(home.pidFile('stigmer-server'))?.['supervisorPid']);
	assert.equal(procStat(server)?.ppid, supervisor, 'the PID file names the component\'s parent as its supervisor');

	// Supervisor first: nobody is left to record the exit (docs/supervision.md).
	process.kill(supervisor, 'SIGKILL');
	process.kill(server, 'SIGKILL');
	await waitFor(() => !isAlive(server) && !isAlive(supervisor), 'the killed stigmer-server and its supervisor to be gone');

	const crashed = await statusJson(home);
	assert.equal(crashed.result.code, 3, show(crashed.result));
	assert.equal(crashed.byName.get('stigmer-server')!.state, 'crashed', show(crashed.result));
	assert.equal(crashed.report.healthy, false);

	const {result: second, started: after} = await home.start();
	assert.deepEqual([...after.keys()].sort(), BUILTINS, show(second));
	assert.deepEqual(home.processes(), Object.fromEntries(BUILTINS.map((n) => [n, [after.get(n)!.pid]])), 'exactly one of each');
	for (const name of BUILTINS) {
		assert.equal(isAlive(before.get(name)!.pid), false, `the runners of the crashed stack are ended too (${name})`);
	}

	const healthy = await statusJson(home);
	assert.equal(healthy.result.code, 0, show(healthy.result));
	assert.equal(healthy.report.healthy, true);
});

test('a component that ignores SIGTERM and has children: stop kills the whole group after stop_timeout', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {stubborn: {command: fixture('ignores-sigterm-with-children.mjs'), ready: {log: 'ready'}, stop_timeout: '1s'}},
	});
	const {result: start, started} = await home.start();
	const leader = started.get('stubborn')?.pid;
	assert.ok(leader, show(start));
	const children = await waitFor(() => /children (\d+) (\d+)/.exec(fs.readFileSync(home.logFile('stubborn'), 'utf8'))?.slice(1).map(Number), 'the fixture to log its children');
	// The supervisor leads the group (docs/supervision.md): it, the component and both children.
	const supervisor = Number(readPidFile(home.pidFile('stubborn'))?.['supervisorPid']);
	await waitFor(() => children.every((pid) => procStat(pid)?.pgid === supervisor), 'both children in the supervisor\'s process group');
	// The supervisor may fork a moment (a subshell, `date`) while it settles: wait (bounded) for exactly these four.
	const expected = JSON.stringify([supervisor, leader, ...children].sort((a, b) => a - b));
	await waitFor(() => JSON.stringify(groupMembers(supervisor).sort((a, b) => a - b)) === expected, `the group is exactly ${expected}: ${JSON.stringify(groupMembers(supervisor))}`, 5000);

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	const outcome = parseStopped(stop.stdout).get('stubborn');
	assert.equal(outcome?.how, 'killed', `\`stubborn killed after 1s (SIGKILL)\`:\n${show(stop)}`);
	assert.ok(printedMs(outcome.after) >= 1000 && printedMs(outcome.after) < 3000, `killed after about stop_timeout, printed ${outcome.after}`);
	assert.ok(stop.ms >= 1000, 'stop waited stop_timeout before SIGKILL');
	for (const pid of [supervisor, leader, ...children]) {
		assert.equal(isAlive(pid), false, `pid ${pid} of the group is gone`);
	}

	assert.deepEqual(groupMembers(supervisor), []);
	assert.deepEqual(home.processes(), {});
	assert.equal(fs.existsSync(home.pidFile('stubborn')), false, 'PID file removed once the group is gone');
});

test('a component that exits at once: start exits 1 with its stderr and log path, dependents unstarted', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			crasher: {command: fixture('crasher.mjs'), ready: {after: '2s'}},
			dependent: {command: fixture('sleeper.mjs'), ready: {after: '100ms'}, depends_on: ['crasher']},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	assert.match(start.stderr, /ERROR crasher: cannot open \/nonexistent\/db/, 'the component\'s last stderr lines');
	assert.ok(start.stderr.includes(`${home.dir}/data/logs/crasher.`), `the path of its log:\n${show(start)}`);
	assert.equal(start.stderr.includes('Error:') && start.stderr.includes('    at '), false, 'no stack trace');
	assert.equal(home.processes()['dependent'], undefined, 'its dependent was not started');
	assert.equal(fs.existsSync(home.pidFile('dependent')), false);
});

test('a real Debian daemon (redis-server) as a user component: ready by TCP, stopped cleanly', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const redis = which('redis-server');
	if (redis === undefined) {
		t.skip('redis-server is not installed (apt-get install redis-server; .ci/run installs it)');
		return;
	}

	const home = await makeHome(t);
	const port = await freePort();
	home.writeConfig({
		components: {
			'workflow-runner': {enabled: false},
			'agent-runner': {enabled: false},
			redis: {command: [redis, '--port', String(port), '--save', '', '--appendonly', 'no'], port, ready: {tcp: port}, depends_on: ['stigmer-server'], stop_timeout: '5s'},
		},
	});
	const {result: start, started} = await home.start();
	const pid = started.get('redis')?.pid;
	assert.ok(pid, `\`✓ redis  pid N  ready in …\`:\n${show(start)}`);
	assert.equal(await redisPing(port), '+PONG', 'redis answers on its port once start returns');

	const status = await statusJson(home);
	assert.equal(status.result.code, 0, show(status.result));
	assert.equal(status.byName.get('redis')?.state, 'running');
	assert.equal(status.byName.get('redis')?.port, port);
	assert.equal(status.byName.get('redis')?.pid, pid);
	// Where each component answers: on its ✓ line, in --json and in the table.
	const serverPort = status.byName.get('stigmer-server')?.port;
	assert.equal(started.get('stigmer-server')?.address, `http://127.0.0.1:${serverPort}`, show(start));
	assert.equal(started.get('redis')?.address, `127.0.0.1:${port}`, show(start));
	assert.equal(status.byName.get('stigmer-server')?.address, `http://127.0.0.1:${serverPort}`);
	assert.equal(status.byName.get('redis')?.address, `127.0.0.1:${port}`);
	const table = await home.cli(['server', 'status', '--no-color']);
	assert.match(table.stdout, /^COMPONENT +STATE +PID +UPTIME +CPU +MEMORY +READY +ADDRESS /m, show(table));
	assert.match(table.stdout, new RegExp(`^redis +running +${pid} .* yes +127\\.0\\.0\\.1:${port} `, 'm'), show(table));

	const {result: again, started: restarted} = await home.start();
	const fresh = restarted.get('redis')?.pid;
	assert.ok(fresh && fresh !== pid, `start restarts redis with a fresh pid:\n${show(again)}`);
	assert.equal(isAlive(pid), false, 'the first redis-server is gone (found by its PID file and group, whatever its title)');
	assert.equal(await redisPing(port), '+PONG');

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.equal(parseStopped(stop.stdout).get('redis')?.how, 'stopped', `redis obeys SIGTERM:\n${show(stop)}`);
	assert.equal(isAlive(fresh), false, 'redis-server is gone');
	assert.equal(fs.existsSync(home.pidFile('redis')), false);
	await assert.rejects(redisPing(port), 'nothing listens on the port any more');
});
