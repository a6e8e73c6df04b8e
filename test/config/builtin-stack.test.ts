// The built-in stack table (config/builtins.ts) through the built CLI: bin/<component> replaces a
// built-in command, and temporal runs only when its binary is found.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {CLI, freePort, makeHome, parseStopped, readPidFile, ROOT, show, statusJson} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;
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
	// docs/config.md's dependency order: the server starts once temporal is ready, and stops before it.
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
