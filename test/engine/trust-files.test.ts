// The home as a trust boundary, and faults that must end in one line (docs/lifecycle.md#the-home, docs/lifecycle.md#durations-and-exit-codes; issue 9).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, {type TestContext} from 'node:test';
import {CLI, fixture, isAlive, itemAt, makeHome, readPidFile, ROOT, runCli, show, SLEEPER_ONLY, waitFor, type CliResult} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;
/** docs/lifecycle.md#start: a lock whose holder is gone is taken over within a second (the old code waited 2 s for an empty one). */
const TAKEOVER_BUDGET_MS = 1000;

/** One line on stderr and no stack trace: what docs/lifecycle.md#durations-and-exit-codes promises for errors the user can cause. */
function oneLine(result: CliResult): void {
	assert.doesNotMatch(result.stderr, /\n\s+at |Error:|ENOSPC:|EISDIR:/, `no stack trace:\n${show(result)}`);
	assert.equal(result.stderr.trim().split('\n').length, 1, `one line:\n${show(result)}`);
}

test('a dangling symlink where a log belongs is named and never written through; a 0666 .err is tightened', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const outside = path.join(os.tmpdir(), `stigmer-outside-${process.pid}-${Date.now()}`);
	t.after(() => fs.rmSync(outside, {force: true}));
	fs.mkdirSync(path.dirname(home.logFile('sleeper')), {recursive: true, mode: 0o700});
	fs.symlinkSync(outside, home.logFile('sleeper'));
	const refused = await home.cli(['server', 'start']);
	assert.equal(refused.code, 1, show(refused));
	oneLine(refused);
	assert.match(refused.stderr, /sleeper\.log is a symbolic link, where stigmer keeps a regular file; remove it/);
	assert.equal(fs.existsSync(outside), false, 'the symlink target was not created');
	assert.deepEqual(home.processes()['sleeper'] ?? [], [], 'nothing was started');

	fs.rmSync(home.logFile('sleeper'));
	fs.writeFileSync(home.logFile('sleeper', 'stderr'), '');
	fs.chmodSync(home.logFile('sleeper', 'stderr'), 0o666);
	await home.start();
	assert.equal(fs.statSync(home.logFile('sleeper', 'stderr')).mode & 0o777, 0o600, 'the .err is 0600 now');
});

test('a home or data/ writable by others, or owned by another user, is refused with the fix; nothing of its config runs', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const marker = path.join(home.dir, 'ran');
	home.writeConfig({builtins: false, components: {evil: {command: ['touch', marker]}}});
	fs.chmodSync(home.dir, 0o777);
	const open = await home.cli(['server', 'start']);
	assert.equal(open.code, 2, show(open));
	oneLine(open);
	assert.match(open.stderr, new RegExp(`writable by others \\(mode 777\\).*chmod 700 ${home.dir}`));
	fs.chmodSync(home.dir, 0o700);
	fs.mkdirSync(home.dataDir, {mode: 0o700});
	fs.chmodSync(home.dataDir, 0o777);
	const data = await home.cli(['server', 'status']);
	assert.equal(data.code, 2, show(data));
	assert.match(data.stderr, new RegExp(`chmod 700 ${home.dataDir}`));
	fs.chmodSync(home.dataDir, 0o700);

	if (process.getuid?.() !== 0) {
		t.diagnostic('skipped the other-owner case: needs root to chown');
	} else {
		fs.chownSync(home.dir, 65_534, 65_534);
		const foreign = await home.cli(['server', 'start']);
		assert.equal(foreign.code, 2, show(foreign));
		oneLine(foreign);
		assert.match(foreign.stderr, /owned by uid 65534, not by you/);
		fs.chownSync(home.dir, 0, 0);
	}

	assert.equal(fs.existsSync(marker), false, 'the config\'s command never ran');
});

test('a directory or a FIFO where a PID or state file belongs: start refuses before touching anything, stop and status neither crash nor hang', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	await home.start();
	const pid = readPidFile(home.pidFile('sleeper'))!['pid'] as number;
	fs.rmSync(home.pidFile('sleeper'));
	fs.mkdirSync(home.pidFile('sleeper'));
	const start = await home.cli(['server', 'start'], {timeoutMs: 15_000});
	assert.equal(start.code, 1, show(start));
	oneLine(start);
	assert.match(start.stderr, /sleeper\.pid is a directory/);
	assert.ok(isAlive(pid), 'start refused before stopping anything');

	fs.rmdirSync(home.pidFile('sleeper'));
	spawnSync('mkfifo', [home.pidFile('sleeper')]);
	const stateFile = path.join(home.dataDir, 'sleeper.state');
	fs.rmSync(stateFile, {force: true});
	spawnSync('mkfifo', [stateFile]);
	try {
		const status = await home.cli(['server', 'status', '--json'], {timeoutMs: 10_000});
		assert.equal(status.code, 3, show(status));
		const sleeper = (JSON.parse(status.stdout) as {components: Array<{name: string; state: string; reason: string}>}).components.find((c) => c.name === 'sleeper')!;
		assert.match(sleeper.reason, /is a FIFO/);
		const stop = await home.cli(['server', 'stop'], {timeoutMs: 15_000});
		assert.equal(stop.code, 0, show(stop));
		assert.match(stop.stdout, /cleaned up 2 orphaned sleeper processes/, 'the unrecorded sleeper and its supervisor are found by their marker and stopped');
		assert.equal(isAlive(pid), false);
		assert.ok(fs.statSync(home.pidFile('sleeper')).isFIFO(), 'the FIFO is left for the user, never written through');
	} finally {
		fs.rmSync(stateFile, {force: true});
		fs.rmSync(home.pidFile('sleeper'), {force: true}); // The helpers' own cleanup reads PID files plainly.
	}
});

test('bad input is one line with exit 2 before anything is touched: cwd a file, NUL bytes, a blank command, an alias bomb, huge numbers', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	await home.start();
	const pid = readPidFile(home.pidFile('sleeper'))!['pid'] as number;
	const base = `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server: {enabled: false}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n`;
	const sleeper = JSON.stringify(fixture('sleeper.mjs'));
	const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({length: 8}, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array.from({length: 9}, () => `*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
	const cases: Array<[string, string, RegExp]> = [
		['cwd is a file', `${base}  sleeper:\n    command: ${sleeper}\n    cwd: ${home.configFile}\n`, /components\.sleeper\.cwd: .* is not a directory/],
		['NUL in command', `${base}  sleeper:\n    command: [sleep, "1\\0"]\n`, /components\.sleeper\.command: an argument contains a NUL byte/],
		['NUL in env', `${base}  sleeper:\n    command: ${sleeper}\n    env: {FOO: "a\\0b"}\n`, /components\.sleeper\.env: "FOO" cannot be passed/],
		['blank command', `${base}  sleeper:\n    command: "   "\n`, /components\.sleeper\.command: no program to run/],
		['alias bomb', `${bomb}\n${base}`, /invalid YAML: .*alias/i],
		['huge port', `${base}  sleeper:\n    command: ${sleeper}\n    port: 99999999999999999999\n`, /components\.sleeper\.port: expected a port number 1-65535 \(got 100000000000000000000\)/],
		['huge stop_timeout', `${base}  sleeper:\n    command: ${sleeper}\n    stop_timeout: 1e400\n`, /components\.sleeper\.stop_timeout: expected a duration like .*at most 24h \(got Infinity\)/],
	];
	for (const [what, text, message] of cases) {
		home.writeConfigText(text);
		const result = await home.cli(['server', 'start'], {timeoutMs: 15_000});
		assert.equal(result.code, 2, `${what}: ${show(result)}`);
		oneLine(result);
		assert.match(result.stderr, message, `${what}: ${show(result)}`);
		assert.ok(isAlive(pid), `${what}: nothing was stopped`);
	}
});

test('an old-stamped directory in data/logs is not a log: rotation skips it and start works', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const stale = path.join(home.dataDir, 'logs', 'sleeper.log.20200101T000000Z');
	fs.mkdirSync(stale, {recursive: true});
	await home.start();
	assert.ok(fs.statSync(stale).isDirectory(), 'left alone');
});

/**
 * A copy of the built CLI that user nobody can run: a clone in a 0700 directory (a `mktemp -d`, /root) is not
 * traversable by it. dist/bin plus the packages it requires when it loads and meow (flags), in a 0755 directory of its
 * own; the others load lazily (following, macOS) and `server logs --no-follow` needs none of them.
 */
function cliNobodyCanRun(t: TestContext): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-cli-copy-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	fs.cpSync(path.dirname(CLI), path.join(dir, 'bin'), {recursive: true});
	const required = fs.readdirSync(path.dirname(CLI)).filter((f) => f.endsWith('.js')).flatMap((f) => [...fs.readFileSync(path.join(path.dirname(CLI), f), 'utf8').matchAll(/require\('([^'.][^']*)'\)/g)].map((m) => m[1] ?? ''));
	for (const name of new Set([...required.filter((n) => !n.startsWith('node:')), 'meow'])) {
		fs.cpSync(path.join(ROOT, 'node_modules', name), path.join(dir, 'node_modules', name), {recursive: true, dereference: true});
	}

	spawnSync('chmod', ['-R', 'a+rX', dir]);
	return path.join(dir, 'bin', path.basename(CLI));
}

test('STIGMER_HOME that is a file, and an unreadable data/logs, are one-line errors', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const file = path.join(fs.realpathSync(os.tmpdir()), `stigmer-home-file-${process.pid}`);
	fs.writeFileSync(file, 'not a directory\n');
	t.after(() => fs.rmSync(file, {force: true}));
	for (const args of [['server', 'start'], ['server', 'stop'], ['server', 'status'], ['server', 'logs', '--no-follow']]) {
		const result = await runCli(file, args);
		assert.equal(result.code, 2, show(result));
		oneLine(result);
		assert.match(result.stderr, /is not a directory; point STIGMER_HOME at a directory/);
	}

	if (process.getuid?.() !== 0) {
		t.diagnostic('skipped the unreadable data/logs case: needs root to switch user');
		return;
	}

	const home = await makeHome(t, SLEEPER_ONLY);
	fs.mkdirSync(path.join(home.dataDir, 'logs'), {recursive: true, mode: 0o700});
	fs.writeFileSync(home.logFile('sleeper'), '2026-11-26T03:47:41.000Z hello\n');
	spawnSync('chown', ['-R', '65534:65534', home.dir]);
	fs.chmodSync(path.join(home.dataDir, 'logs'), 0o000);
	const cli = cliNobodyCanRun(t);
	const logs = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'server', 'logs', '--no-follow'], {env: {PATH: process.env['PATH'], STIGMER_HOME: home.dir, NO_COLOR: '1'}, encoding: 'utf8', timeout: 15_000});
	spawnSync('chown', ['-R', '0:0', home.dir]);
	fs.chmodSync(path.join(home.dataDir, 'logs'), 0o700);
	assert.equal(logs.status, 1, `${logs.stdout}\n${logs.stderr}`);
	assert.match(logs.stderr, /cannot read .*data\/logs: permission denied/, logs.stderr);
	assert.doesNotMatch(logs.stderr, /No logs yet/);
});

test('a lock left empty (a holder killed mid-write, a full disk) is taken over within a second, without spinning', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
	const lock = path.join(home.dataDir, 'lock');
	// What a stop costs here without any lock in the way (a loaded machine starts node slowly).
	const baseline = await home.cli(['server', 'stop'], {timeoutMs: 10_000});
	fs.writeFileSync(lock, '');
	const fresh = await home.cli(['server', 'stop'], {timeoutMs: 10_000});
	assert.equal(fresh.code, 0, show(fresh));
	assert.ok(fresh.ms < baseline.ms + TAKEOVER_BUDGET_MS, `a fresh empty lock is taken over within a second (took ${Math.round(fresh.ms)}ms, ${Math.round(baseline.ms)}ms without a lock)`);
	fs.writeFileSync(lock, '');
	const old = new Date(Date.now() - 60_000);
	fs.utimesSync(lock, old, old);
	const stale = await home.cli(['server', 'stop'], {timeoutMs: 10_000});
	assert.equal(stale.code, 0, show(stale));
	assert.ok(stale.ms < baseline.ms + TAKEOVER_BUDGET_MS, `an old empty lock is taken over at once (took ${Math.round(stale.ms)}ms)`);
	assert.equal(fs.existsSync(lock), false);
});

/** Run `script` as root in a mount namespace of its own (for a tmpfs); undefined when that is impossible here. */
function inMountNamespace(script: string, env: Record<string, string>): {stdout: string; stderr: string; status: number | null} | undefined {
	const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {env: {...process.env, ...env, NO_COLOR: '1'}, encoding: 'utf8', timeout: 60_000});
	return result.error ? undefined : {stdout: result.stdout, stderr: result.stderr, status: result.status};
}

/** Why a tmpfs cannot be mounted in a mount namespace of our own here, or undefined when it can. */
function canMountTmpfs(): string | undefined {
	if (process.getuid?.() !== 0) {
		return 'needs root for a tmpfs in a mount namespace';
	}

	const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'], {encoding: 'utf8', timeout: 10_000});
	return probe.status === 0 ? undefined : `cannot mount a tmpfs in a mount namespace here: ${probe.stderr.trim() || probe.error?.message}`;
}

/** The skip reason of the tests that need a tmpfs of their own, or undefined. */
const MOUNTING_TMPFS = canMountTmpfs();

test('a full disk (tmpfs): stop says so in one line and leaves no empty lock; ENOSPC mid-start leaves nothing running without a PID file, no temp file', {timeout: TEST_TIMEOUT_MS, skip: MOUNTING_TMPFS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const config = fs.readFileSync(home.configFile, 'utf8');
	fs.writeFileSync(path.join(home.dir, 'config.src'), config);
	// Inside the namespace: a 512 KiB tmpfs over the home, the config copied in, then the scenario.
	const script = `
set -u
H="$STIGMER_HOME"; SRC="$H/config.src"; cp "$SRC" /tmp/stigmer-src.$$
mount -t tmpfs -o size=512k,mode=0700 tmpfs "$H"
cp /tmp/stigmer-src.$$ "$H/config.yaml"; rm -f /tmp/stigmer-src.$$
run() { "$NODE" "$CLI" "$@" >"$H.out" 2>"$H.err"; code=$?; echo "== $1 $2 exit=$code"; sed 's/^/OUT /' "$H.out"; sed 's/^/ERR /' "$H.err"; rm -f "$H.out" "$H.err"; }
run server start
head -c 10000000 /dev/zero > "$H/fill" 2>/dev/null
run server stop
[ -e "$H/data/lock" ] && echo "LOCK present" || echo "LOCK absent"
rm -f "$H/fill"; run server stop
# Leave exactly one free page: the lock gets it, the PID file's temp file cannot be written.
free=$(stat -f -c '%a' "$H"); bs=$(stat -f -c '%S' "$H")
head -c $(( (free - 1) * bs )) /dev/zero > "$H/fill" 2>/dev/null
run server start
echo "TMP $(ls -A "$H/data" | grep -c '\\.tmp$') $(ls -A "$H/data" | grep '\\.tmp$' | tr '\\n' ' ')"
echo "PIDFILE $( [ -e "$H/data/sleeper.pid" ] && echo present || echo absent)"
rm -f "$H/fill"; run server stop
`;
	const result = inMountNamespace(script, {STIGMER_HOME: home.dir, CLI, NODE: process.execPath});
	if (result === undefined) {
		t.skip('unshare failed to run');
		return;
	}

	const out = result.stdout;
	const section = (title: string, nth = 0) => out.split('== ').filter((s) => s.startsWith(title))[nth] ?? '';
	assert.match(section('server start', 0), /exit=0/, out);
	const fullStop = section('server stop', 0);
	assert.match(fullStop, /exit=1/, out);
	const fullStopErr = fullStop.split('\n').filter((l) => l.startsWith('ERR '));
	assert.equal(fullStopErr.length, 1, `one line:\n${out}`);
	assert.match(itemAt(fullStopErr, 0), /no space left on the device; free some space/, out);
	assert.doesNotMatch(fullStop, /\n\s*ERR\s+at /, out);
	assert.match(out, /LOCK absent/, out);
	assert.match(section('server stop', 1), /exit=0/, out);
	const midStart = section('server start', 1);
	assert.match(midStart, /exit=1/, out);
	assert.doesNotMatch(midStart, /ERR\s+at /, out);
	assert.match(out, /TMP 0/, out);
	assert.match(out, /PIDFILE absent/, out);
	assert.deepEqual(home.processes()['sleeper'] ?? [], [], `no sleeper runs without a PID file:\n${out}`);
});

test('a read-only home: start and stop say so in one line (exit 1) and leave nothing behind', {timeout: TEST_TIMEOUT_MS, skip: MOUNTING_TMPFS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const script = `
set -u
H="$STIGMER_HOME"
mount --bind "$H" "$H" && mount -o remount,bind,ro "$H" || { echo "NOMOUNT"; exit 0; }
for verb in start stop status; do
  "$NODE" "$CLI" server $verb >/dev/null 2>"$TMPDIR_ERR"; echo "== $verb exit=$?"; sed 's/^/ERR /' "$TMPDIR_ERR"
done
`;
	const errFile = path.join(fs.realpathSync(os.tmpdir()), `stigmer-ro-${process.pid}.err`);
	t.after(() => fs.rmSync(errFile, {force: true}));
	const result = inMountNamespace(script, {STIGMER_HOME: home.dir, CLI, NODE: process.execPath, TMPDIR_ERR: errFile});
	if (result === undefined || result.stdout.includes('NOMOUNT')) {
		t.skip('cannot make a read-only bind mount here');
		return;
	}

	const out = result.stdout;
	for (const verb of ['start', 'stop']) {
		const section = out.split('== ').find((s) => s.startsWith(verb)) ?? '';
		assert.match(section, /exit=1/, out);
		const errors = section.split('\n').filter((l) => l.startsWith('ERR '));
		assert.equal(errors.length, 1, `one line:\n${out}`);
		assert.match(itemAt(errors, 0), /cannot create .*data: the file system is read-only \(EROFS\)/, out);
	}

	assert.match(out, /== status exit=3/, `status still reads a read-only home:\n${out}`);
	assert.deepEqual(home.processes()['sleeper'] ?? [], []);
});

test('logs renamed by rotation end 0600: legacy daemon.log/.err, an 0644 .log and older 0644 rotated files; a symlink\'s target is left alone', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const logs = path.dirname(home.logFile('sleeper'));
	fs.mkdirSync(logs, {recursive: true, mode: 0o700});
	const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
	const loose = ['daemon.log', 'daemon.err', 'sleeper.log', `sleeper.log.${hourAgo}`, `stigmer-server.err.${hourAgo}-1`];
	for (const name of loose) {
		fs.writeFileSync(path.join(logs, name), `${new Date().toISOString()} a line that may hold a secret\n`);
		fs.chmodSync(path.join(logs, name), 0o644);
	}

	const outside = path.join(os.tmpdir(), `stigmer-outside-${process.pid}-${Date.now()}`);
	fs.writeFileSync(outside, 'not ours\n', {mode: 0o644});
	fs.chmodSync(outside, 0o644);
	t.after(() => fs.rmSync(outside, {force: true}));
	fs.symlinkSync(outside, path.join(logs, `sleeper.err.${hourAgo}`));

	const started = await home.cli(['server', 'start']);
	assert.equal(started.code, 0, show(started));
	const files = fs.readdirSync(logs).filter((name) => fs.lstatSync(path.join(logs, name)).isFile());
	assert.ok(files.some((name) => name.startsWith('stigmer-server.log.')) && files.some((name) => /^sleeper\.log\.\d{8}T\d{6}Z$/.test(name)), `the legacy and current logs were rotated: ${files.join(' ')}`);
	for (const name of files) {
		assert.equal((fs.statSync(path.join(logs, name)).mode & 0o777).toString(8), '600', `${name} is 0600`);
	}

	assert.equal((fs.statSync(outside).mode & 0o777).toString(8), '644', 'the target of a symlink is never chmodded');
});

test('the supervisor writes its record through a temp file it creates: a symlink planted at the temp name is not followed; a directory at data/C.state is not written into and status names it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {planted: {command: ['sleep', '300'], ready: {after: '100ms'}, restart_delay: '100ms'}, dir: {command: ['sleep', '300'], ready: {after: '100ms'}, restart_delay: '100ms'}}});
	await home.start();
	const target = path.join(home.dir, 'target');
	fs.writeFileSync(target, 'untouched\n');
	const record = (name: string) => readPidFile(home.pidFile(name))!;
	const planted = record('planted');
	fs.symlinkSync(target, path.join(home.dataDir, `.planted.state.${String(planted['supervisorPid'])}.tmp`));
	const stateDir = path.join(home.dataDir, 'dir.state');
	fs.rmSync(stateDir);
	fs.mkdirSync(stateDir);
	process.kill(Number(planted['pid']), 'SIGKILL');
	const dirPid = Number(record('dir')['pid']);
	process.kill(dirPid, 'SIGKILL');
	const status = await waitFor(async () => {
		const result = await home.cli(['server', 'status', '--json']);
		const components = (JSON.parse(result.stdout) as {components: Array<{name: string; state: string; restarts: number; pid: number | null; reason: string | null}>}).components;
		const byName = new Map(components.map((c) => [c.name, c]));
		return byName.get('planted')?.restarts === 1 && byName.get('planted')?.state === 'running' && byName.get('dir')?.state === 'running' && byName.get('dir')?.pid !== dirPid ? byName : undefined;
	}, 'both to be restarted', 15_000);
	assert.equal(fs.readFileSync(target, 'utf8'), 'untouched\n', 'the symlink\'s target was never written');
	assert.deepEqual(fs.readdirSync(stateDir), [], 'nothing was moved into the directory');
	assert.match(status.get('dir')?.reason ?? '', /dir\.state is a directory; its record is ignored/);
	assert.match(fs.readFileSync(home.logFile('dir', 'stderr'), 'utf8'), /cannot record dir's state: .*dir\.state is not a regular file/);
	fs.rmdirSync(stateDir);
	await home.cli(['server', 'stop']);
});

test('a state file of 3 GB (sparse) or with out-of-range numbers: status, status --json and dash --once answer fast and name it, never a RangeError', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
	const stateFile = path.join(home.dataDir, 'sleeper.state');
	const huge = fs.openSync(stateFile, 'w', 0o600);
	fs.ftruncateSync(huge, 3 * 1024 ** 3);
	fs.closeSync(huge);
	const big = await home.cli(['server', 'status', '--json'], {timeoutMs: 10_000});
	assert.equal(big.code, 3, show(big));
	assert.ok(big.ms < 5000, `status took ${Math.round(big.ms)}ms`);
	assert.match(big.stdout, /sleeper\.state is too large to be a record/);
	const record = {state: 'failed', restarts: 1, maxRestarts: 5, policy: 'on-failure', nextRestartAtMs: null, streakMs: null, supervisorPid: null};
	for (const atMs of ['99999999999999999', '1e400']) {
		fs.writeFileSync(stateFile, JSON.stringify(record).replace('}', `,"lastExit":{"code":3,"signal":null,"atMs":${atMs},"uptimeMs":5}}`), {mode: 0o600});
		for (const args of [['server', 'status'], ['server', 'status', '--json'], ['dash', '--once']]) {
			const result = await home.cli(args, {timeoutMs: 15_000});
			assert.equal(result.code, 3, `${atMs} ${args.join(' ')}: ${show(result)}`);
			assert.doesNotMatch(result.stderr, /RangeError|Invalid time value|\n\s+at /, show(result));
			if (args.includes('--json')) {
				assert.match(result.stdout, /sleeper\.state is not a record stigmer can use/, `names the record: ${show(result)}`);
			}
		}
	}
});
