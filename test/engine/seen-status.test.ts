// What a newcomer saw in `server start` and `status` on the default stack: the runners' address, why a runner
// waits after its server stopped, and the live line's wording.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import test from 'node:test';
import {CLI, cleanEnv, freePort, makeHome, show, statusJson, stripAnsi, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 120_000;

test('only a component with a port of its own has an address: the runners ask the server, they answer nowhere', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {result, started} = await home.start();
	const server = `http://127.0.0.1:${home.port}`;
	assert.equal(started.get('stigmer-server')?.address, server, show(result));
	for (const runner of ['workflow-runner', 'agent-runner']) {
		assert.equal(started.get(runner)?.address, null, `no address on the ✓ line of ${runner}:\n${show(result)}`);
	}

	const {byName, result: status} = await statusJson(home);
	assert.equal(byName.get('stigmer-server')?.address, server, show(status));
	for (const runner of ['workflow-runner', 'agent-runner']) {
		assert.deepEqual([byName.get(runner)?.port, byName.get(runner)?.address], [null, null], `${runner} in --json:\n${show(status)}`);
	}

	const table = await home.cli(['server', 'status']);
	const runnerRow = table.stdout.split('\n').find((l) => l.startsWith('workflow-runner')) ?? '';
	assert.doesNotMatch(runnerRow, /http:/, `the ADDRESS column of a runner:\n${table.stdout}`);

	// A user component probed at its own URL (no `port` key) keeps that URL as its address.
	const port = await freePort();
	const stranger = await makeHome(t, {builtins: false, components: {web: {command: [process.execPath, '-e', 'require("http").createServer((q, s) => s.end("ok")).listen(Number(process.env.WEB_PORT))'], env: {WEB_PORT: String(port)}, ready: {http: `http://127.0.0.1:${port}/`}}}});
	const web = await stranger.start();
	assert.equal(web.started.get('web')?.address, `http://127.0.0.1:${port}`, show(web.result));
});

test('after `server stop stigmer-server` the runners say what they wait for, in status and --json', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	await home.start();
	const stop = await home.cli(['server', 'stop', 'stigmer-server']);
	assert.equal(stop.code, 0, show(stop));
	const {byName} = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('workflow-runner')?.state === 'starting' ? s : undefined;
	}, 'workflow-runner to be alive but not ready');
	for (const runner of ['workflow-runner', 'agent-runner']) {
		assert.equal(byName.get(runner)?.reason, 'waiting for stigmer-server (not running)', JSON.stringify(byName.get(runner)));
	}

	const table = await home.cli(['server', 'status']);
	assert.match(table.stdout, /^workflow-runner: starting \(waiting for stigmer-server \(not running\)\)$/m, show(table));
});

test('the live line names an http probe once: `waiting for http://…`', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	if (spawnSync('script', ['--version'], {stdio: 'ignore'}).status !== 0) {
		t.skip('script(1) from util-linux is not installed');
		return;
	}

	const home = await makeHome(t);
	const command = [process.execPath, CLI, 'server', 'start'].map((a) => `'${a}'`).join(' ');
	const tty = spawnSync('script', ['-qfec', command, '/dev/null'], {env: cleanEnv({STIGMER_HOME: home.dir, COLUMNS: '160'}), encoding: 'utf8', timeout: 60_000});
	assert.equal(tty.status, 0, `${tty.stdout}\n${tty.stderr}`);
	const plain = stripAnsi(tty.stdout);
	assert.match(plain, /waiting for http:\/\/127\.0\.0\.1:\d+\//, `a live line naming the URL:\n${JSON.stringify(plain)}`);
	assert.doesNotMatch(plain, /waiting for http http/, JSON.stringify(plain));
});
