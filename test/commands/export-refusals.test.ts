// What `stigmer export systemd|launchd` refuses to write (docs/engines.md): a newline in the home, a cwd, `--user` or an
// env name would start a unit line of the writer's choosing; a broken config.yaml is never exported as the last valid one;
// a failed daemon-reload is retried, and --remove deletes no file under units that may still run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {makeHome, runCli, show, SLEEPER_ONLY, type CliResult} from '../helpers.js';

/** A home of our own whose path holds a newline followed by a unit line. */
function newlineHome(t: test.TestContext): string {
	const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-nl-')));
	t.after(() => fs.rmSync(base, {recursive: true, force: true}));
	const dir = path.join(base, 'x\nExecStartPre=touch pwned');
	fs.mkdirSync(dir, {mode: 0o700});
	return dir;
}

/** Exit 2, one line on stderr, nothing on stdout. */
function refused(result: CliResult, pattern: RegExp): void {
	assert.equal(result.code, 2, show(result));
	assert.equal(result.stderr.trim().split('\n').length, 1, show(result));
	assert.match(result.stderr, pattern, show(result));
	assert.doesNotMatch(result.stdout, /^ExecStartPre=touch/m, show(result));
}

test('export systemd and launchd refuse a home holding a newline (exit 2, one line); nothing is written', async (t) => {
	const home = newlineHome(t);
	refused(await runCli(home, ['export', 'systemd', '--dry-run']), /STIGMER_HOME ".*\\nExecStartPre.*" holds a control character/);
	const launchd = await runCli(home, ['export', 'launchd', '--dry-run']); // Its dry run names the file it would write first.
	assert.equal(launchd.code, 2, show(launchd));
	assert.match(launchd.stderr.trim().split('\n').at(-1) ?? '', /^stigmer: STIGMER_HOME ".*\\nExecStartPre.*" holds a control character/, show(launchd));
	assert.doesNotMatch(launchd.stdout, /ExecStartPre/, show(launchd));
	refused(await runCli(home, ['export', 'systemd', '--out', path.join(home, 'units')]), /holds a control character/);
	assert.equal(fs.existsSync(path.join(home, 'units')), false, 'no unit was written');
});

test('export systemd refuses a cwd holding a newline and a --user that is not an account name', async (t) => {
	const home = await makeHome(t, {components: {sleeper: {command: ['sleep', '100'], cwd: 'a\nUser=root'}}});
	fs.mkdirSync(path.join(home.dir, 'a\nUser=root'));
	refused(await home.cli(['export', 'systemd', '--dry-run']), /components\.sleeper\.cwd ".*\\nUser=root" holds a control character/);

	const plain = await makeHome(t, SLEEPER_ONLY);
	for (const user of ['root\nExecStartPre=/bin/touch /tmp/pwned', 'a b', '-x', 'Root']) {
		refused(await plain.cli(['export', 'systemd', '--system', '--user', user, '--dry-run']), /^stigmer: --user ".*" is not an account name/);
	}

	for (const user of ['nobody', '_svc-1', '1000']) {
		const ok = await plain.cli(['export', 'systemd', '--system', '--user', user, '--dry-run']);
		assert.equal(ok.code, 0, show(ok));
		assert.match(ok.stdout, new RegExp(`^User=${user}$`, 'm'));
	}
});

test('env names must be variable names: config check, start and export systemd refuse others at file:line:col', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.writeFileSync(home.configFile, 'version: 1\ncomponents:\n  sleeper:\n    command: [sleep, "100"]\n    env:\n      "X\\nSTIGMER_HOME": evil\n');
	for (const args of [['config', 'check'], ['server', 'start'], ['export', 'systemd', '--dry-run']]) {
		const result = await home.cli(args);
		assert.equal(result.code, 2, `${args.join(' ')}: ${show(result)}`);
		assert.match(result.stdout + result.stderr, /config\.yaml:6:\d+: components\.sleeper\.env: "X\\nSTIGMER_HOME": expected an environment variable name/, `${args.join(' ')}: ${show(result)}`);
		assert.doesNotMatch(result.stdout, /STIGMER_HOME=/, show(result));
	}

	fs.writeFileSync(home.configFile, 'version: 1\ncomponents:\n  sleeper:\n    command: [sleep, "100"]\n    env:\n      A B: c\n');
	const spaced = await home.cli(['config', 'check']);
	assert.equal(spaced.code, 2, show(spaced));
	assert.match(spaced.stdout + spaced.stderr, /config\.yaml:6:7: components\.sleeper\.env: "A B": expected an environment variable name/, show(spaced));
});

test('export systemd with a broken config.yaml exits 2 naming it, and exports neither the last valid config nor the defaults', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const check = await home.cli(['config', 'check']); // A valid load first: the last valid config is remembered.
	assert.equal(check.code, 0, show(check));
	fs.writeFileSync(home.configFile, 'version: 1\ncomponents:\n  sleeper:\n    restart: sometimes\n');
	const result = await home.cli(['export', 'systemd', '--dry-run']);
	assert.equal(result.code, 2, show(result));
	assert.match(result.stderr, /config\.yaml:4:\d+: components\.sleeper\.restart/, show(result));
	assert.equal(result.stdout, '', show(result));
});

test('export systemd retries a failed daemon-reload instead of saying up to date; --remove refuses while systemd cannot say its units stopped', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-units-'));
	const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-nobus-'));
	t.after(() => [out, runtime].forEach((dir) => fs.rmSync(dir, {recursive: true, force: true})));
	// Units where systemd reads them (a private XDG_CONFIG_HOME), but no user manager reachable: every systemctl --user call fails.
	const env = {XDG_CONFIG_HOME: out, XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: `unix:path=${runtime}/bus`};
	const units = path.join(out, 'systemd', 'user');
	const first = await home.cli(['export', 'systemd'], {env});
	assert.equal(first.code, 1, show(first));
	assert.match(first.stderr, /^stigmer: systemctl daemon-reload failed: /m, show(first));
	const again = await home.cli(['export', 'systemd'], {env});
	assert.match(again.stdout, /^up to date: /m, show(again));
	assert.equal(again.code, 1, `the reload is tried again, and its failure said: ${show(again)}`);
	assert.match(again.stderr, /^stigmer: systemctl daemon-reload failed: /m, show(again));

	const written = fs.readdirSync(units).sort();
	const refusedRemove = await home.cli(['export', 'systemd', '--remove'], {env});
	assert.equal(refusedRemove.code, 1, show(refusedRemove));
	assert.match(refusedRemove.stderr, /^stigmer: could not stop and disable stigmer-[0-9a-f]{8}\.target \(.+\): its units may still run, so nothing was removed; stop them, or pass --force$/m, show(refusedRemove));
	assert.deepEqual(fs.readdirSync(units).sort(), written, 'nothing was removed');
	const forced = await home.cli(['export', 'systemd', '--remove', '--force'], {env});
	assert.match(forced.stdout, /removed 3 files/, show(forced));
	assert.deepEqual(fs.readdirSync(units), []);
});
