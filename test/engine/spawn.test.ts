// A user component's options reach its process (engine/spawn.ts), through the built CLI: env, cwd,
// PORT, shell: true, stop_signal, an http probe.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {fixture, freePort, makeHome, show, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
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
