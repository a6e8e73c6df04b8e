// Dependencies as docker compose users expect them (docs/lifecycle.md): `start NAME` starts what NAME needs that is not
// running, and says so; `stop NAME` stops only NAME and names what depends on it. Through the CLI and the dashboard keys.
import assert from 'node:assert/strict';
import test from 'node:test';
import {CLI, Tmux, tmuxAvailable} from '../helpers/dash.js';
import {isAlive, makeHome, show, statusJson, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 120_000;

test('start workflow-runner with the server stopped starts the server first and says so; stop stigmer-server names its running dependents', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {started: first} = await home.start();
	const agent = first.get('agent-runner')!.pid;
	const down = await home.cli(['server', 'stop', 'stigmer-server', 'workflow-runner']);
	assert.equal(down.code, 0, show(down));
	assert.ok(isAlive(agent), 'agent-runner, not named, left running');

	const {result, started} = await home.start(['workflow-runner']);
	const lines = result.stdout.split('\n');
	const said = lines.indexOf('starting stigmer-server first (workflow-runner depends on it)');
	assert.ok(said >= 0, `says why the server starts:\n${show(result)}`);
	assert.ok(said < lines.findIndex((l) => l.includes('✓ stigmer-server')), `said before the server's ✓:\n${show(result)}`);
	assert.deepEqual([...started.keys()].sort(), ['stigmer-server', 'workflow-runner'], show(result));
	assert.ok(isAlive(agent), 'agent-runner left alone by the start');
	assert.doesNotMatch(result.stdout, /agent-runner/, `agent-runner is neither stopped nor started:\n${show(result)}`);
	// agent-runner, left running, polls the restarted server again on its next long-poll: ready within a moment.
	let status = await statusJson(home);
	await waitFor(async () => {
		status = await statusJson(home);
		return status.result.code === 0;
	}, `every component running and ready:\n${show(status.result)}`, 15_000);

	const stopped = await home.cli(['server', 'stop', 'stigmer-server']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.match(stopped.stdout, /^stigmer-server stopped in /m, show(stopped));
	assert.match(stopped.stdout, /^workflow-runner, agent-runner depend on stigmer-server and were left running$/m, show(stopped));
	const after = await statusJson(home);
	assert.equal(after.byName.get('stigmer-server')!.state, 'stopped', show(after.result));
	assert.equal(after.byName.get('workflow-runner')!.pid, started.get('workflow-runner')!.pid, 'workflow-runner left running');
	assert.equal(after.byName.get('agent-runner')!.pid, agent, 'agent-runner left running');

	// A dependency that runs is not restarted by a start of its dependent.
	const again = await home.start(['agent-runner']);
	assert.match(again.result.stdout, /^starting stigmer-server first \(agent-runner depends on it\)$/m, show(again.result));
	const server = (await statusJson(home)).byName.get('stigmer-server')!.pid;
	const once = await home.start(['agent-runner']);
	assert.doesNotMatch(once.result.stdout, /first/, show(once.result));
	assert.equal((await statusJson(home)).byName.get('stigmer-server')!.pid, server, 'the running server was not restarted');
});

test('the dashboard\'s r and s keys: the same dependency handling, worded in the status line', {timeout: TEST_TIMEOUT_MS, skip: tmuxAvailable() ? false : 'tmux is not installed'}, async (t) => {
	const home = await makeHome(t);
	await home.start();
	const down = await home.cli(['server', 'stop', 'stigmer-server', 'workflow-runner']);
	assert.equal(down.code, 0, show(down));
	const tmux = new Tmux();
	t.after(() => {
		tmux.kill();
	});
	tmux.start(`STIGMER_HOME='${home.dir}' '${process.execPath}' '${CLI}' dash`, 200, 45);
	await tmux.shows('▶ temporal', 'the dashboard, temporal selected');
	tmux.keys('j', 'j');
	await tmux.shows('▶ workflow-runner', 'workflow-runner selected');
	tmux.keys('r');
	await tmux.shows(/started stigmer-server first \(workflow-runner depends on it\)/, 'the status line names the dependency started first', 60_000);
	const status = await statusJson(home);
	assert.equal(status.byName.get('stigmer-server')!.state, 'running', show(status.result));
	assert.equal(status.byName.get('workflow-runner')!.state, 'running', show(status.result));
	const runner = status.byName.get('workflow-runner')!.pid!;

	tmux.keys('k');
	await tmux.shows('▶ stigmer-server', 'stigmer-server selected');
	tmux.keys('s');
	await tmux.shows(/workflow-runner, agent-runner depend on stigmer-server and were left running/, 'the status line names the dependents left running', 30_000);
	await waitFor(async () => (await statusJson(home)).byName.get('stigmer-server')!.state === 'stopped' || undefined, 'stigmer-server stopped');
	assert.ok(isAlive(runner), 'workflow-runner left running by the s key');
});
