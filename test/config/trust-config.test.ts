// Config migration under the lock (docs/lifecycle.md#the-home, issue 9), and the dashboard starting what `server start` starts.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {parse} from 'yaml';
import {CLI, makeHome, readPidFile, show, SLEEPER_ONLY, waitFor} from '../helpers.js';
import {Tmux, tmuxAvailable} from '../helpers/dash.js';

const TEST_TIMEOUT_MS = 60_000;

function allDisabled(port: number): string {
	return `components:\n  temporal: {enabled: false}\n  stigmer-server: {enabled: false, port: ${port}}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n`;
}

const backups = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('config.yaml.bak.'));

test('migration keeps comments, handles `version: 0` and a leading `---`, and writes through a symlinked config.yaml', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const cases = [
		`# my stack\nversion: 0 # old\n${allDisabled(home.port)}`,
		`---\n# my stack\n${allDisabled(home.port)}`,
	];
	for (const old of cases) {
		for (const f of backups(home.dir)) {
			fs.rmSync(path.join(home.dir, f));
		}

		home.writeConfigText(old);
		const stop = await home.cli(['server', 'stop']);
		assert.equal(stop.code, 0, show(stop));
		const text = fs.readFileSync(home.configFile, 'utf8');
		assert.equal((parse(text) as {version: number}).version, 1, text);
		assert.match(text, /# my stack/, 'comments are kept');
		const status = await home.cli(['server', 'status']);
		assert.equal(status.code, 0, `the migrated file is valid:\n${text}\n${show(status)}`);
		assert.deepEqual(backups(home.dir).map((f) => fs.readFileSync(path.join(home.dir, f), 'utf8')), [old], 'one backup with the old text');
	}

	// Dotfiles: config.yaml is a symlink into a repository; it stays one, and its target is migrated.
	const dotfiles = path.join(home.dir, 'dotfiles');
	fs.mkdirSync(dotfiles);
	const target = path.join(dotfiles, 'stigmer.yaml');
	fs.writeFileSync(target, allDisabled(home.port));
	fs.rmSync(home.configFile);
	fs.symlinkSync(target, home.configFile);
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.ok(fs.lstatSync(home.configFile).isSymbolicLink(), 'still a symlink');
	assert.match(fs.readFileSync(target, 'utf8'), /^version: 1\n/);
	assert.equal(fs.readdirSync(dotfiles).filter((f) => f.startsWith('stigmer.yaml.bak.')).length, 1, 'the backup sits next to the real file');
});

test('a version-less config that is refused is not rewritten; concurrent status runs read it without migrating or crashing', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const cycle = `components:\n  temporal: {enabled: false}\n  stigmer-server: {enabled: false}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n  a: {command: [sleep, "1"], depends_on: [b]}\n  b: {command: [sleep, "1"], depends_on: [a]}\n`;
	home.writeConfigText(cycle);
	const refused = await home.cli(['server', 'start']);
	assert.equal(refused.code, 2, show(refused));
	assert.match(refused.stderr, /dependency cycle/);
	assert.equal(fs.readFileSync(home.configFile, 'utf8'), cycle, 'not rewritten');
	assert.deepEqual(backups(home.dir), [], 'no backup');

	const old = allDisabled(home.port);
	home.writeConfigText(old);
	const runs = await Promise.all(Array.from({length: 6}, async () => home.cli(['server', 'status'])));
	for (const run of runs) {
		assert.equal(run.code, 0, show(run));
		assert.equal(run.stderr, '', show(run));
	}

	assert.equal(fs.readFileSync(home.configFile, 'utf8'), old, 'status is read-only');
});

test('a component started from a dashboard key gets exactly the environment `server start` gives it (no NODE_ENV, FORCE_COLOR)', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	if (!tmuxAvailable()) {
		t.skip('tmux is not installed');
		return;
	}

	const home = await makeHome(t, SLEEPER_ONLY);
	const environ = () => {
		const pid = readPidFile(home.pidFile('sleeper'))?.['pid'] as number;
		return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((v) => v !== '').sort();
	};

	const env = `env -i PATH='${process.env['PATH']}' HOME='${process.env['HOME'] ?? '/root'}' STIGMER_HOME='${home.dir}' TERM=xterm-256color`;
	const cliStarted = spawnEnv(env, ['server', 'start']);
	assert.equal(cliStarted, 0);
	const fromCliClean = environ();

	const tmux = new Tmux();
	t.after(() => tmux.kill());
	const before = readPidFile(home.pidFile('sleeper'))?.['pid'];
	tmux.start(`${env} '${process.execPath}' '${CLI}' dash --no-color`);
	await tmux.shows('sleeper', 'the sleeper');
	tmux.keys('R');
	await tmux.shows('y to confirm', 'the confirmation prompt');
	tmux.keys('y');
	await waitFor(() => {
		const now = readPidFile(home.pidFile('sleeper'))?.['pid'];
		return now !== undefined && now !== before && tmux.capture().includes('● running');
	}, 'the sleeper restarted from the dashboard', 20_000);
	const fromDash = environ();
	assert.ok(!fromDash.some((v) => v.startsWith('NODE_ENV=') || v.startsWith('FORCE_COLOR=')), fromDash.join('\n'));
	assert.deepEqual(fromDash, fromCliClean, 'the same environment as `server start` run the same way');
});

function spawnEnv(env: string, args: string[]): number | null {
	return spawnSync('sh', ['-c', `${env} '${process.execPath}' '${CLI}' ${args.join(' ')}`], {stdio: 'ignore', timeout: 30_000}).status;
}
