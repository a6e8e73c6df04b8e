// `stigmer export systemd|launchd` without a service manager (docs/engines.md): escaping, usage errors, --dry-run
// for both engines (the plist read by a real property-list parser), the version-manager warning, and cleanup that
// never ends a process an engine runs.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {commandLine, environmentLine, quoteArg} from '../../source/engine/systemd/escape.js';
import {CLI, cleanEnv, collect, fixture, isAlive, makeHome, runCli, show, SLEEPER_ONLY, spawnMarked, which} from '../helpers.js';
import {spawn} from 'node:child_process';

test('quoteArg: systemd command-line words keep %, $, quotes, spaces, backslashes and control characters literal', () => {
	const table: Array<[string, string]> = [
		['plain', '"plain"'],
		['100%', '"100%%"'],
		['$HOME', '"$$HOME"'],
		['${X}', '"$${X}"'],
		['it\'s "q"', '"it\'s \\"q\\""'],
		['a b', '"a b"'],
		['back\\slash', '"back\\\\slash"'],
		['line\nbreak', '"line\\nbreak"'],
		['bell\u0007', '"bell\\x07"'],
		[';', '";"'],
		['', '""'],
	];
	for (const [word, quoted] of table) {
		assert.equal(quoteArg(word), quoted, JSON.stringify(word));
	}

	assert.equal(commandLine(['/bin/echo', '50%']), '"/bin/echo" "50%%"');
	assert.equal(environmentLine('K', 'a "b" $c `d` \\e'), 'K="a \\"b\\" \\$c \\`d\\` \\\\e"');
});

/** A home directory of our own whose path holds XML's and systemd's special characters. */
function oddHome(t: test.TestContext): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-odd&<"\'%-')));
	fs.chmodSync(dir, 0o700);
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

test('export systemd: --system needs --user NAME (exit 2, one line); --dry-run prints system units and writes nothing', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const lonely = await home.cli(['export', 'systemd', '--system']);
	assert.equal(lonely.code, 2, show(lonely));
	assert.equal(lonely.stderr.trim().split('\n').length, 1, show(lonely));
	assert.match(lonely.stderr, /--system needs --user NAME/);

	const dry = await home.cli(['export', 'systemd', '--system', '--user', 'nobody', '--dry-run']);
	assert.equal(dry.code, 0, show(dry));
	assert.match(dry.stdout, /^# \/etc\/systemd\/system\/stigmer-[0-9a-f]{8}-sleeper\.service \(mode 644\)$/m);
	assert.match(dry.stdout, /^User=nobody$/m);
	assert.match(dry.stdout, /^WantedBy=multi-user\.target$/m);
	assert.match(dry.stdout, /^Wants=stigmer-[0-9a-f]{8}-sleeper\.service$/m);
	assert.match(dry.stdout, /^STIGMER_ENGINE=\(value not shown\)$/m, 'the environment file is shown by its names only');
	assert.match(dry.stdout, /^KillMode=control-group$/m);
	assert.equal(fs.existsSync(path.join(home.dataDir, 'export-systemd.json')), false, 'a dry run writes no manifest');
	assert.equal(fs.existsSync(path.join(home.dataDir, 'systemd')), false, 'a dry run writes no environment file');
});

test('export systemd maps restart, stop, cwd, depends_on and logs onto systemd keys, saying what is not exact', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {
		db: {command: fixture('sleeper.mjs'), restart: 'always', restart_delay: '2s', max_restarts: 3, min_uptime: '5s', stop_signal: 'SIGINT', stop_timeout: '3s', cwd: '/tmp', ready: {log: 'ready'}},
		app: {command: ['sh', '-c', 'exec sleep 100'], depends_on: ['db'], restart: 'no'},
	}});
	const dry = await home.cli(['export', 'systemd', '--dry-run']);
	assert.equal(dry.code, 0, show(dry));
	const unit = (name: string) => new RegExp(`^# \\S+-${name}\\.service \\(mode 644\\)\\n([\\s\\S]*?)(?=^# /|(?![\\s\\S]))`, 'm').exec(dry.stdout)?.[1] ?? '';
	const db = unit('db');
	for (const line of ['Restart=always', 'RestartSec=2s', 'StartLimitBurst=4', 'StartLimitIntervalSec=28s', 'KillSignal=SIGINT', 'TimeoutStopSec=3s', 'WorkingDirectory=/tmp', 'KillMode=control-group', 'Type=exec', `StandardOutput=append:${home.logFile('db')}`, `StandardError=append:${home.logFile('db', 'stderr')}`]) {
		assert.ok(db.split('\n').includes(line), `db has ${line}:\n${db}`);
	}

	assert.match(db, /^ExecStartPost=".*" "internal-ready" "db"$/m);
	const app = unit('app');
	assert.match(app, /^Requires=stigmer-[0-9a-f]{8}-db\.service$/m, app);
	assert.match(app, /^After=stigmer-[0-9a-f]{8}-db\.service$/m, app);
	assert.match(app, /^ExecStart="\/\S*sh" "-c" "exec sleep 100"$/m, app);
	assert.match(app, /^Restart=no$/m, app);
	assert.match(dry.stderr, /^stigmer: not exact: restart_delay \(db\): /m, show(dry));
	assert.match(dry.stderr, /^stigmer: not exact: max_restarts, min_uptime \(db\): /m, show(dry));
	assert.match(dry.stderr, /^stigmer: not exact: stop_signal \(db\): /m, show(dry));
});

test('export systemd: defaults read as an operator writes them (whole seconds) and draw no `not exact` line', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {plain: {command: fixture('sleeper.mjs')}, odd: {command: fixture('sleeper.mjs'), restart_delay: '1500ms', restart: 'no'}}});
	const dry = await home.cli(['export', 'systemd', '--dry-run']);
	assert.equal(dry.code, 0, show(dry));
	for (const line of ['RestartSec=1s', 'TimeoutStopSec=5s', 'StartLimitIntervalSec=66s', 'TimeoutStartSec=40s', 'RestartSec=1500ms']) {
		assert.ok(dry.stdout.split('\n').includes(line), `${line}:\n${dry.stdout}`);
	}

	assert.doesNotMatch(dry.stdout, /=\d+000ms$/m, dry.stdout);
	assert.doesNotMatch(dry.stderr, /not exact/, show(dry));
	// Every line a parser sees is a comment, a section or KEY=VALUE: the file names are `#` comments inside each file.
	for (const line of dry.stdout.split('\n').filter((l) => l !== '')) {
		assert.match(line, /^(#.*|\[[A-Za-z]+\]|[A-Za-z_][A-Za-z0-9_]*=.*)$/, line);
	}
});

test('export systemd --out DIR never hands the home to systemd: server start/status/stop stay stigmer\'s; --remove says only what it did', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-units-'));
	t.after(() => fs.rmSync(out, {recursive: true, force: true}));
	const enabling = await home.cli(['export', 'systemd', '--out', out, '--enable']);
	assert.equal(enabling.code, 2, show(enabling));
	assert.match(enabling.stderr, /--enable needs the units where systemd reads them/, show(enabling));
	const wrote = await home.cli(['export', 'systemd', '--out', out]);
	assert.equal(wrote.code, 0, show(wrote));
	assert.doesNotMatch(wrote.stderr, /daemon-reload/, show(wrote));
	assert.match(wrote.stdout, /^not installed: systemd does not read /m, show(wrote));
	const started = await home.cli(['server', 'start']);
	assert.equal(started.code, 0, show(started));
	const status = await home.cli(['server', 'status']);
	assert.equal(status.code, 0, show(status));
	assert.doesNotMatch(status.stderr, /cannot be reached/, show(status));
	const stopped = await home.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	const removed = await home.cli(['export', 'systemd', '--remove']);
	assert.equal(removed.code, 0, show(removed));
	assert.doesNotMatch(removed.stdout, /stopped and disabled/, show(removed));
	assert.match(removed.stdout, /^removed 3 files$/m, show(removed));
});

test('an export systemd could not be told of (daemon-reload failed: exit 1) leaves the home stigmer\'s', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const config = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-xdg-'));
	t.after(() => fs.rmSync(config, {recursive: true, force: true}));
	// The manager's own unit directory ($XDG_CONFIG_HOME/systemd/user), but no bus to reach the manager through.
	const env = {XDG_CONFIG_HOME: config, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', XDG_RUNTIME_DIR: '/nonexistent'};
	const failed = await home.cli(['export', 'systemd'], {env});
	assert.equal(failed.code, 1, show(failed));
	assert.match(failed.stderr, /^stigmer: systemctl daemon-reload failed: /m, show(failed));
	assert.doesNotMatch(failed.stdout, /not installed/, show(failed));
	for (const args of [['server', 'start'], ['server', 'status'], ['server', 'stop']]) {
		const result = await home.cli(args, {env});
		assert.equal(result.code, 0, show(result));
		assert.doesNotMatch(result.stderr, /cannot be reached|exported to systemd/, show(result));
	}

	const again = await home.cli(['export', 'systemd'], {env});
	assert.equal(again.code, 1, `a re-export tries the reload again:\n${show(again)}`);
	assert.match(again.stderr, /daemon-reload failed/, show(again));
	// Without a manager nothing says the units stopped: --remove refuses (docs/decisions.md); --force removes them.
	assert.equal((await home.cli(['export', 'systemd', '--remove', '--force'], {env})).code, 1, 'the reload after removing fails too');
	assert.deepEqual(fs.readdirSync(path.join(config, 'systemd', 'user')), []);
});

test('a recorded export whose systemctl cannot be reached leaves status/start/stop working, with one warning line', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	// As an export before these fields were recorded (or one systemd loaded elsewhere): installed, loaded, not --enable'd.
	fs.mkdirSync(home.dataDir, {recursive: true});
	fs.writeFileSync(path.join(home.dataDir, 'export-systemd.json'), JSON.stringify({target: 'stigmer-00000000.target', scope: 'user', unitDir: '/nonexistent', files: []}), {mode: 0o600});
	const env = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', XDG_RUNTIME_DIR: '/nonexistent'};
	for (const args of [['server', 'start'], ['server', 'status'], ['server', 'stop']]) {
		const result = await home.cli(args, {env});
		assert.equal(result.code, 0, show(result));
		const warnings = result.stderr.split('\n').filter((l) => l.includes('cannot be reached'));
		assert.equal(warnings.length, 1, show(result));
		assert.match(warnings[0] ?? '', /^stigmer: warning: stigmer-00000000\.target is exported, but systemctl --user cannot be reached/);
	}

	// The warning is the commands' to print (the engine returns it as facts): stderr, never inside the JSON document (docs/json.md).
	const json = await home.cli(['server', 'status', '--json'], {env});
	assert.match(json.stderr, /^stigmer: warning: stigmer-00000000\.target is exported, but systemctl --user cannot be reached/m, show(json));
	const report = JSON.parse(json.stdout) as Record<string, unknown>;
	assert.deepEqual(Object.keys(report), ['home', 'healthy', 'components'], show(json));
});

test('export systemd --remove refuses a unit changed by hand with the right hint', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-units-'));
	t.after(() => fs.rmSync(out, {recursive: true, force: true}));
	assert.equal((await home.cli(['export', 'systemd', '--out', out])).code, 0);
	const unit = fs.readdirSync(out).find((f) => f.endsWith('.target')) ?? '';
	fs.appendFileSync(path.join(out, unit), '# mine\n');
	const refused = await home.cli(['export', 'systemd', '--remove']);
	assert.equal(refused.code, 1, show(refused));
	assert.match(refused.stderr, /changed by hand .*; run --remove --force to delete it anyway$/m, show(refused));
	assert.doesNotMatch(refused.stderr, /replace/, show(refused));
	assert.equal((await home.cli(['export', 'systemd', '--remove', '--force'])).code, 0);
});

test('export systemd: env_file values go into the 0600 EnvironmentFile= (before env, which wins) and are never printed', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.writeFileSync(path.join(home.dir, 'secrets.env'), 'TOKEN="s3cr3t\nline two"\nSHARED=from-file\n', {mode: 0o600});
	home.writeConfig({builtins: false, components: {sleeper: {command: fixture('sleeper.mjs'), env_file: 'secrets.env', env: {SHARED: 'from-env'}}}});
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-units-'));
	t.after(() => fs.rmSync(out, {recursive: true, force: true}));
	const dry = await home.cli(['export', 'systemd', '--dry-run', '--out', out]);
	assert.equal(dry.code, 0, show(dry));
	assert.ok(!dry.stdout.includes('s3cr3t') && !dry.stdout.includes('line two') && !dry.stderr.includes('s3cr3t'), show(dry));
	assert.match(dry.stdout, /^TOKEN=\(value not shown\)$/m, show(dry));
	const wrote = await home.cli(['export', 'systemd', '--out', out]);
	assert.ok(!wrote.stdout.includes('s3cr3t') && !wrote.stderr.includes('s3cr3t'), show(wrote));
	const envText = fs.readFileSync(path.join(home.dataDir, 'systemd', 'sleeper.env'), 'utf8');
	assert.match(envText, /^TOKEN="s3cr3t\nline two"$/m);
	assert.match(envText, /^SHARED="from-env"$/m);
	await home.cli(['export', 'systemd', '--remove']);
});

test('export systemd --out DIR writes there, then is up to date; --remove deletes exactly what it wrote', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-units-'));
	t.after(() => fs.rmSync(out, {recursive: true, force: true}));
	fs.writeFileSync(path.join(out, 'mine.service'), '[Service]\nExecStart=/bin/true\n');
	const first = await home.cli(['export', 'systemd', '--out', out]);
	// Units in a scratch directory are not systemd's: no daemon-reload is tried (none could succeed here), exit 0.
	assert.equal(first.code, 0, show(first));
	assert.match(first.stdout, /^wrote 3 files for stigmer-[0-9a-f]{8}\.target:$/m, show(first));
	assert.deepEqual(fs.readdirSync(out).sort().filter((f) => f !== 'mine.service').length, 2);
	const again = await home.cli(['export', 'systemd', '--out', out]);
	assert.equal(again.code, 0, show(again));
	assert.match(again.stdout, /^up to date: /m, show(again));
	await home.cli(['export', 'systemd', '--remove']);
	assert.deepEqual(fs.readdirSync(out), ['mine.service'], 'only what stigmer wrote is removed');
	assert.equal(fs.existsSync(path.join(home.dataDir, 'export-systemd.json')), false);
});

test('export launchd --dry-run prints a property list a real parser reads: server run, RunAtLoad, KeepAlive, the home', async (t) => {
	const python = which('python3');
	if (python === undefined) {
		t.skip('python3 is not installed (its plistlib is the independent parser)');
		return;
	}

	const home = oddHome(t);
	const dry = await runCli(home, ['export', 'launchd', '--dry-run']);
	assert.equal(dry.code, 0, show(dry));
	const parsed = spawnSync(python, ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], {input: dry.stdout, encoding: 'utf8'});
	assert.equal(parsed.status, 0, parsed.stderr);
	assert.ok(dry.stdout.startsWith('<?xml '), dry.stdout.slice(0, 80));
	assert.match(dry.stderr, /^stigmer: would write \/.*\/Library\/LaunchAgents\/dev\.stigmer\.stigmer-[0-9a-f]{8}\.plist$/m, show(dry));
	const plist = JSON.parse(parsed.stdout) as {Label: string; ProgramArguments: string[]; RunAtLoad: boolean; KeepAlive: unknown; EnvironmentVariables: Record<string, string>; WorkingDirectory: string};
	assert.match(plist.Label, /^dev\.stigmer\.stigmer-[0-9a-f]{8}$/);
	assert.deepEqual(plist.ProgramArguments.slice(-2), ['server', 'run']);
	assert.equal(plist.ProgramArguments[1], fs.realpathSync(CLI));
	assert.equal(plist.RunAtLoad, true);
	assert.deepEqual(plist.KeepAlive, {SuccessfulExit: false});
	assert.equal(plist.EnvironmentVariables['STIGMER_HOME'], home);
	assert.equal(plist.WorkingDirectory, home);
});

test('export launchd without --dry-run off macOS exits 2 with one line', {skip: process.platform === 'darwin' ? 'this is macOS' : false}, async (t) => {
	const home = oddHome(t);
	for (const args of [['export', 'launchd'], ['export', 'launchd', '--enable'], ['export', 'launchd', '--remove']]) {
		const result = await runCli(home, args);
		assert.equal(result.code, 2, show(result));
		assert.equal(result.stderr.trim().split('\n').length, 1, show(result));
		assert.match(result.stderr, /macOS LaunchAgent/);
	}
});

test('export systemd warns when node lives under a version manager whose path changes on upgrade', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-vm-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const node = path.join(dir, '.nvm', 'versions', 'node', 'v20', 'bin', 'node');
	fs.mkdirSync(path.dirname(node), {recursive: true});
	try {
		fs.linkSync(fs.realpathSync(process.execPath), node); // A hard link: its real path is under .nvm.
	} catch (error: unknown) {
		t.skip(`cannot hard-link node into a temp directory: ${(error as Error).message}`);
		return;
	}

	const home = await makeHome(t, SLEEPER_ONLY);
	const child = spawn(node, [CLI, 'export', 'systemd', '--dry-run'], {env: cleanEnv({STIGMER_HOME: home.dir}), stdio: ['ignore', 'pipe', 'pipe']});
	const result = await collect(child, 'export systemd --dry-run under .nvm');
	assert.equal(result.code, 0, show(result));
	assert.match(result.stderr, /^stigmer: warning: node is .*\/\.nvm\/.*, under nvm, whose path changes when node is upgraded/m, show(result));
	assert.ok(result.stdout.includes(`ExecStart="${node}"`) || result.stdout.includes(`"${node}"`), 'the unit runs that node by its path');
});

test('cleanup never ends a process that carries STIGMER_ENGINE: the engine owns it', async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const engineRun = spawnMarked(home, 'sleeper', fixture('sleeper.mjs'), {STIGMER_ENGINE: 'systemd'});
	const plainOrphan = spawnMarked(home, 'sleeper', fixture('sleeper.mjs'));
	const {result} = await home.start();
	assert.ok(isAlive(engineRun.pid ?? 0), `the engine's process lives on:\n${show(result)}`);
	assert.ok(!result.stdout.includes(String(engineRun.pid)), 'it is not reported as cleaned up');
	assert.match(result.stdout, new RegExp(`cleaned up 1 orphaned sleeper process \\(pid ${plainOrphan.pid}\\)`), show(result));
	const stopped = await home.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.ok(isAlive(engineRun.pid ?? 0), 'stop leaves it too');
});
