// A start or stop that names components, through the built CLI: only those are restarted or stopped,
// status reports their fields; a component not ready in time fails the start, naming it and its log.
import assert from 'node:assert/strict';
import test from 'node:test';
import {fixture, freePort, isAlive, makeHome, parseStopped, procStat, show, statusJson} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;
test('start COMPONENT restarts only that one; stop COMPONENT stops only that one; status fields', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started: pids} = await home.start();

	const status = await statusJson(home);
	for (const name of BUILTINS) {
		const c = status.byName.get(name)!;
		assert.equal(c.enabled, true);
		// docs/supervision.md: the supervisor is the component's parent and leads its group; pid is the component's own.
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
