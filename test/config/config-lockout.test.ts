// A broken config.yaml never locks the user out (docs/decisions.md): stop, status, logs and dash run from the last
// valid config after one warning line; start and config check refuse alike, before anything is touched.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {fixture, isAlive, makeHome, show, testConfig, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;
/** A user component and disabled built-ins, with a typo at line 8, column 5 (`prot:`). */
function withTypo(port: number): string {
	return `${testConfig(port, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}})}    prot: 1\n`;
}

/** Exactly one line on stderr: `stigmer: warning: FILE:L:C: …` using the last valid config (or the defaults). */
function assertOneWarning(stderr: string, file: string, defaults: boolean): void {
	const lines = stderr.trimEnd().split('\n');
	assert.equal(lines.length, 1, stderr);
	assert.match(lines[0] ?? '', new RegExp(`^stigmer: warning: ${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: unknown key "components\\.sleeper\\.prot"`));
	assert.match(lines[0] ?? '', defaults ? /using the built-in defaults/ : /using the last valid config\.yaml/);
}

test('a typo in config.yaml: status, dash --once, logs and stop work from the last valid config; start and check refuse (exit 2) and touch nothing', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	const {started} = await home.start();
	const pid = started.get('sleeper')?.pid;
	assert.ok(pid !== undefined);
	home.writeConfigText(withTypo(home.port));
	assert.match(fs.readFileSync(home.configFile, 'utf8'), /^ {4}prot: 1$/m);

	const status = await home.cli(['server', 'status']);
	assert.equal(status.code, 0, show(status));
	assert.match(status.stdout, new RegExp(`sleeper\\s+running\\s+${pid}`));
	assertOneWarning(status.stderr, home.configFile, false);

	const once = await home.cli(['dash', '--once', '--no-color']);
	assert.equal(once.code, 0, show(once));
	assert.match(once.stdout, /sleeper/);
	assertOneWarning(once.stderr, home.configFile, false);

	const logs = await home.cli(['server', 'logs', '--no-follow', '-n', '5']);
	assert.equal(logs.code, 0, show(logs));
	// logs says on stderr what it streams; the warning is its one line about the config.
	assertOneWarning(logs.stderr.split('\n').filter((line) => line.startsWith('stigmer: ')).join('\n'), home.configFile, false);

	for (const args of [['config', 'check'], ['server', 'start']]) {
		const refused = await home.cli(args);
		assert.equal(refused.code, 2, show(refused));
		assert.match(refused.stdout + refused.stderr, /config\.yaml:\d+:5: unknown key "components\.sleeper\.prot"/);
		assert.ok(isAlive(pid), `${args.join(' ')} left the sleeper running`);
	}

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assertOneWarning(stop.stderr, home.configFile, false);
	await waitFor(() => !isAlive(pid), 'the sleeper stopped');
	assert.ok(!fs.existsSync(home.pidFile('sleeper')));
});

test('a broken config.yaml that was never valid: the defaults and the PID files, and the warning says so', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	home.writeConfigText(withTypo(home.port));
	const status = await home.cli(['server', 'status', '--json']);
	assert.equal(status.code === 0 || status.code === 3, true, show(status));
	assert.ok(Array.isArray((JSON.parse(status.stdout) as {components: unknown[]}).components));
	assertOneWarning(status.stderr, home.configFile, true);
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assertOneWarning(stop.stderr, home.configFile, true);
});

test('an empty document (empty file, ---, ~, null, --- !!null) means no settings: check, status, stop and dash alike, no stack trace, the file left as it is', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	for (const text of ['', '---\n', '~\n', 'null\n', '--- !!null\n', '# only a comment\n---\n']) {
		home.writeConfigText(text);
		const check = await home.cli(['config', 'check']);
		assert.equal(check.code, 0, show(check));
		assert.doesNotMatch(check.stdout, /version:/, 'nothing to migrate in a file without settings');
		for (const args of [['server', 'stop'], ['server', 'status', '--json'], ['dash', '--once', '--json']]) {
			const r = await home.cli(args);
			assert.ok(r.code === 0 || r.code === 3, `${JSON.stringify(text)}: ${args.join(' ')}\n${show(r)}`);
			assert.equal(r.stderr, '', `${JSON.stringify(text)}: ${args.join(' ')}\n${show(r)}`);
		}

		assert.equal(fs.readFileSync(home.configFile, 'utf8'), text, 'not rewritten');
	}

	assert.deepEqual(fs.readdirSync(home.dir).filter((f) => f.includes('.bak.')), []);
	// The last valid config is kept privately beside the cache.
	const cache = path.join(home.dataDir, '.config-cache.json');
	assert.equal(fs.statSync(cache).mode & 0o777, 0o600);
});
