// Readiness you can trust (docs/config.md, docs/lifecycle.md#start, issue 9): a port held by another process is never a ✓, a
// component that dies is never ready, a log probe follows any amount of output, `exec` probes, progress
// as it happens, and every failure reported with what waits for it.
import assert from 'node:assert/strict';
import {spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {CLI, cleanEnv, fixture, freePort, isAlive, live, makeHome, parseStarted, show, spawnCli, spawnStranger, statusJson, stripAnsi, waitFor, type TestHome} from '../helpers.js';

const TEST_TIMEOUT_MS = 120_000;

/** A plain TCP listener that is nobody's component: `node -e` with the port, printing `listening` once bound. */
function listenerArgv(port: number): string[] {
	return [process.execPath, '-e', `require('net').createServer(s => s.end()).listen(${port}, '127.0.0.1', () => console.log('listening'))`];
}

/** Whether something accepts TCP on 127.0.0.1:port right now. */
async function accepts(port: number): Promise<boolean> {
	const net = await import('node:net');
	return new Promise((resolve) => {
		const socket = net.connect({host: '127.0.0.1', port});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => {
			resolve(false);
		});
	});
}

/** A running CLI whose output is read as it comes. */
type Watched = {child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null>};

function watch(child: ChildProcess): Watched {
	const output = live(child);
	const exited = new Promise<number | null>((resolve) => {
		child.on('close', (code) => {
			resolve(code);
		});
	});
	return {child, stdout: () => stripAnsi(output.stdout()), stderr: () => stripAnsi(output.stderr()), exited};
}

/** A script file in its own temp dir (removed after the test). */
function script(t: test.TestContext, name: string, text: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-script-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, name);
	fs.writeFileSync(file, text, {mode: 0o755});
	return file;
}

/** The pollers registered at a server. */
async function pollers(port: number): Promise<Array<{queue: string; pid: number}>> {
	return (await (await fetch(`http://127.0.0.1:${port}/v1/pollers`)).json()) as Array<{queue: string; pid: number}>;
}

test('a second home on the port of a running first home: no ✓, exit 1 naming the holder, the first stack untouched', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const first = await makeHome(t);
	const {result: started} = await first.start();
	const before = first.processes();
	const serverPid = parseStarted(started.stdout).get('stigmer-server')!.pid;

	const second = await makeHome(t);
	second.writeConfig({components: {'stigmer-server': {port: first.port}}});
	const clash = await second.cli(['server', 'start']);
	assert.equal(clash.code, 1, show(clash));
	assert.doesNotMatch(clash.stdout, /✓/, `no ✓ that another process earned:\n${show(clash)}`);
	assert.ok(
		clash.stderr.includes(`stigmer-server: port ${first.port} is in use by pid ${serverPid} (stigmer-server of ${first.dir})`),
		`names the port, the holder and its home:\n${show(clash)}`,
	);
	assert.match(clash.stderr, /not started \(waiting for stigmer-server\): workflow-runner, agent-runner/);
	assert.deepEqual(second.processes(), {}, 'nothing of the second home runs');
	assert.equal(fs.existsSync(second.pidFile('stigmer-server')), false);

	// A runner started alone brings its server first, which cannot start: the runner is not spawned either, so it never
	// polls the first home's server.
	const runner = await second.cli(['server', 'start', 'workflow-runner']);
	assert.equal(runner.code, 1, show(runner));
	assert.ok(
		runner.stderr.includes(`stigmer-server: port ${first.port} is in use by pid ${serverPid} (stigmer-server of ${first.dir})`)
		&& runner.stderr.includes('not started (waiting for stigmer-server): workflow-runner'),
		`a runner of the second home does not poll the first home's server:\n${show(runner)}`,
	);
	assert.deepEqual(second.processes(), {}, 'nothing of the second home runs');

	assert.deepEqual(first.processes(), before, 'the first home\'s processes are the same ones');
	const registered = await pollers(first.port);
	const firstPids = new Set(Object.values(before).flat());
	assert.ok(registered.length > 0 && registered.every((p) => firstPids.has(p.pid)), `only the first home's runners poll its server: ${JSON.stringify(registered)}`);
	const status = await statusJson(first);
	assert.equal(status.report.healthy, true, show(status.result));
});

test('a stranger listening on a user component\'s tcp port: the component is not spawned, exit 1 naming the stranger', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const port = await freePort();
	const stranger = spawnStranger(home, listenerArgv(port));
	await waitFor(async () => accepts(port), 'the stranger to listen');
	home.writeConfig({
		builtins: false,
		components: {
			web: {command: fixture('sleeper.mjs'), port, ready: {tcp: port}},
			after: {command: fixture('sleeper.mjs'), ready: {after: '10ms'}, depends_on: ['web']},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	assert.doesNotMatch(start.stdout, /✓ web/, show(start));
	assert.ok(start.stderr.includes(`web: port ${port} is in use by pid ${stranger.pid} (node)`), `names the stranger:\n${show(start)}`);
	assert.match(start.stderr, /not started \(waiting for web\): after/);
	assert.deepEqual(home.processes(), {}, 'neither web nor its dependent was spawned');
	assert.equal(isAlive(stranger.pid!), true, 'the stranger is left alone');
	// Status says why, as for a start that failed after the spawn.
	const web = (await statusJson(home)).byName.get('web');
	assert.equal(web?.state, 'failed');
	assert.equal(web?.reason, `start failed: port ${port} is in use by pid ${stranger.pid} (node)`);
});

test('a probe answered by a process outside the component: not ready, even though the port answers', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-pidout-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const pidFile = path.join(dir, 'listener.pid');
	// The component hands the port to a process of its own session and without its marker: a stranger to it.
	const [node, sleeper] = fixture('sleeper.mjs');
	const listener = listenerArgv(port).map((a) => `'${a.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
	home.writeConfig({
		builtins: false,
		components: {
			handoff: {command: ['sh', '-c', `setsid env -u STIGMER_COMPONENT ${listener} & echo $! > ${pidFile}; exec ${node} ${sleeper}`], port, ready: {tcp: port}, ready_timeout: '10s'},
		},
	});
	const start = await home.cli(['server', 'start']);
	const strangerPid = Number(fs.readFileSync(pidFile, 'utf8').trim());
	home.track(strangerPid);
	assert.equal(start.code, 1, show(start));
	assert.doesNotMatch(start.stdout, /✓ handoff/);
	assert.match(start.stderr, new RegExp(`handoff: port ${port} answered, but it is held by pid \\d+ \\(node\\), not by handoff`), show(start));
	assert.ok(start.ms < 8000, `fails as soon as the answer is proven foreign, not after ready_timeout (${Math.round(start.ms)}ms)`);
});

test('no `ready`: ready once alive for 1 s; a component that exits at once is ✗ with its reason and stderr', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			bad: {command: ['sh', '-c', 'echo missing DATABASE_URL >&2; exit 1']},
			good: {command: fixture('sleeper.mjs')},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	assert.doesNotMatch(start.stdout, /✓ bad/, `never ✓ for a process that died:\n${show(start)}`);
	assert.match(start.stderr, /✗ bad: exited with code 1 before it was ready/, show(start));
	assert.match(start.stderr, /^ {4}missing DATABASE_URL$/m, 'its stderr line');
	const good = parseStarted(start.stdout).get('good');
	assert.ok(good, `the healthy one is ✓:\n${show(start)}`);
	assert.ok(good.ready.endsWith('s') && !good.ready.endsWith('ms'), `ready after about 1 s alive, printed ${good.ready}`);
});

test('ready: {log} follows the files: READY after 300,000 lines is found', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			chatty: {command: ['sh', '-c', 'seq 1 300000; echo READY; exec sleep 300'], ready: {log: '^READY$'}, ready_timeout: '20s'},
		},
	});
	const {result: start, started} = await home.start();
	assert.ok(started.has('chatty'), show(start));
	assert.ok(fs.statSync(home.logFile('chatty')).size > 1024 * 1024, 'more than the 1 MiB an attempt used to read came before READY');
});

test('ready: {exec}: argv without a shell, the component\'s env and cwd, no STIGMER_COMPONENT; ready once it exits 0', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-exec-'));
	t.after(() => fs.rmSync(cwd, {recursive: true, force: true}));
	const check = script(t, 'check.sh', '#!/bin/sh\n[ "$FOO" = "bar baz" ] || { echo "FOO=$FOO" >&2; exit 3; }\n[ -z "$STIGMER_COMPONENT" ] || exit 4\n[ -n "$STIGMER_HOME" ] || exit 5\ntest -f created-by-component\n');
	const home = await makeHome(t, {
		builtins: false,
		components: {
			db: {command: ['sh', '-c', 'sleep 0.5; touch created-by-component; exec sleep 300'], cwd, env: {FOO: 'bar baz'}, ready: {exec: [check]}},
		},
	});
	const {result: start, started} = await home.start();
	const db = started.get('db');
	assert.ok(db, show(start));
	assert.ok(!db.ready.endsWith('ms') || Number.parseInt(db.ready, 10) >= 450, `not before the file existed (${db.ready})`);
	assert.ok(fs.existsSync(path.join(cwd, 'created-by-component')));
	assert.deepEqual(Object.keys(home.processes()), ['db'], 'the probe left nothing marked behind');

	home.writeConfig({builtins: false, components: {db: {command: ['sleep', '300'], ready: {exec: ['/nonexistent/pg_isready']}}}});
	const missing = await home.cli(['server', 'start']);
	assert.equal(missing.code, 1, show(missing));
	assert.match(missing.stderr, /db: its ready.exec command "\/nonexistent\/pg_isready" cannot run \(no such file or command\)/);
	assert.ok(missing.ms < 10_000, 'a probe command that cannot run fails at once, not after ready_timeout');
});

test('ready: {exec} is validated like the other probes: file:line:col, exit 2', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	home.writeConfigText('version: 1\ncomponents:\n  db:\n    command: [sleep, "300"]\n    ready: {exec: pg_isready}\n');
	const result = await home.cli(['server', 'start']);
	assert.equal(result.code, 2, show(result));
	assert.match(result.stderr, /config\.yaml:5:\d+: .*components\.db\.ready/, show(result));
	assert.match(result.stderr, /\{exec: \[COMMAND, ARG\.\.\.\]\}/);
	assert.deepEqual(home.processes(), {});
});

test('progress: a fast component\'s ✓ is printed while a slow one is still awaited', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const flag = path.join(home.dir, 'slow-may-be-ready');
	home.writeConfig({
		builtins: false,
		components: {
			fast: {command: fixture('sleeper.mjs'), ready: {after: '50ms'}},
			slow: {command: fixture('sleeper.mjs'), ready: {exec: ['test', '-f', flag]}},
		},
	});
	const run = watch(spawnCli(home.dir, ['server', 'start']));
	t.after(() => run.child.kill('SIGKILL'));
	await waitFor(() => /^✓ fast +pid \d+ +ready in /m.test(run.stdout()), 'the ✓ of fast while slow is not ready', 20_000);
	assert.doesNotMatch(run.stdout(), /✓ slow/);
	assert.equal(run.child.exitCode, null, 'start is still waiting for slow');
	fs.writeFileSync(flag, '');
	assert.equal(await run.exited, 0, run.stderr());
	const lines = run.stdout().split('\n').filter((l) => l.startsWith('✓'));
	assert.deepEqual(lines.map((l) => l.split(/\s+/)[1]), ['fast', 'slow']);
	const [fast = '', slow = ''] = lines;
	assert.equal(fast.indexOf('pid'), slow.indexOf('pid'), `names padded to the widest:\n${lines.join('\n')}`);
});

test('progress: a live line on a terminal, none in a pipe', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	if (spawnSync('script', ['--version'], {stdio: 'ignore'}).status !== 0) {
		t.skip('script(1) from util-linux is not installed');
		return;
	}

	const home = await makeHome(t, {builtins: false, components: {slowpoke: {command: fixture('sleeper.mjs'), ready: {after: '800ms'}}}});
	const command = [process.execPath, CLI, 'server', 'start'].map((a) => `'${a}'`).join(' ');
	const tty = spawnSync('script', ['-qfec', command, '/dev/null'], {env: cleanEnv({STIGMER_HOME: home.dir, COLUMNS: '100'}), encoding: 'utf8', timeout: 60_000});
	assert.equal(tty.status, 0, `${tty.stdout}\n${tty.stderr}`);
	const plain = stripAnsi(tty.stdout);
	assert.match(plain, /[◐◓◑◒] slowpoke +waiting for 800ms of uptime +\d/, `a live line while it waits:\n${JSON.stringify(plain)}`);
	assert.ok(plain.includes('\r\u001B[2K'), 'the live line is erased');
	assert.match(plain, /\u001B\[2K✓ slowpoke +pid \d+ +ready in /, 'erased before the ✓ line');
	const draws = plain.match(/[◐◓◑◒] slowpoke/g)!.length;
	const readyMs = Number(/ready in (\d+)ms/.exec(plain)?.[1] ?? 1000);
	assert.ok(draws <= readyMs / 100 + 2, `at most 10 draws a second: ${draws} in ${readyMs}ms`);

	const {result: piped} = await home.start();
	assert.doesNotMatch(piped.stdout + piped.stderr, /waiting for|[◐◓◑◒]|\u001B\[2K/, `nothing live in a pipe:\n${show(piped)}`);
});

test('a stop behind a start says whose lock it waits for', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home: TestHome = await makeHome(t, {builtins: false});
	const flag = path.join(home.dir, 'go');
	home.writeConfig({builtins: false, components: {slow: {command: fixture('sleeper.mjs'), ready: {exec: ['test', '-f', flag]}}}});
	const starting = watch(spawnCli(home.dir, ['server', 'start']));
	t.after(() => starting.child.kill('SIGKILL'));
	await waitFor(() => home.processes()['slow'], 'start to be waiting for slow');
	const stopping = watch(spawnCli(home.dir, ['server', 'stop']));
	t.after(() => stopping.child.kill('SIGKILL'));
	await waitFor(() => stopping.stderr().includes(`waiting for pid ${starting.child.pid} (server start) …`), `stop to name the start's pid ${starting.child.pid}`);
	assert.equal(stopping.child.exitCode, null, 'stop is still waiting');
	fs.writeFileSync(flag, '');
	assert.equal(await starting.exited, 0, starting.stderr());
	assert.equal(await stopping.exited, 0, stopping.stderr());
	assert.match(stopping.stdout(), /slow stopped in/);
});

test('two failing components: each reported with its own reason; each unstarted dependent under what it waits for', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			alpha: {command: ['sh', '-c', 'echo alpha broke >&2; exit 3']},
			beta: {command: ['sh', '-c', 'echo beta broke >&2; exit 4']},
			'alpha-child': {command: fixture('sleeper.mjs'), depends_on: ['alpha']},
			'alpha-grandchild': {command: fixture('sleeper.mjs'), depends_on: ['alpha-child']},
			'beta-child': {command: fixture('sleeper.mjs'), depends_on: ['beta']},
			both: {command: fixture('sleeper.mjs'), depends_on: ['alpha', 'beta']},
			fine: {command: fixture('sleeper.mjs'), ready: {after: '10ms'}},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	const blocks = start.stderr.split(/^(?=✗ )/m).filter((b) => b.startsWith('✗'));
	assert.equal(blocks.length, 2, `one report per failure:\n${show(start)}`);
	const [alpha, beta] = blocks;
	assert.match(alpha!, /^✗ alpha: exited with code 3 before it was ready$/m);
	assert.match(alpha!, /^ {4}alpha broke$/m);
	assert.match(alpha!, /^ {2}not started \(waiting for alpha\): alpha-child, alpha-grandchild, both$/m, show(start));
	assert.match(beta!, /^✗ beta: exited with code 4 before it was ready$/m);
	assert.match(beta!, /^ {4}beta broke$/m);
	assert.match(beta!, /^ {2}not started \(waiting for beta\): beta-child, both$/m, show(start));
	assert.ok(parseStarted(start.stdout).has('fine'), 'an independent healthy component still starts');
	assert.deepEqual(Object.keys(home.processes()), ['fine']);
});

test('ready: {exec} that hangs: each try is ended with its children when ready_timeout runs out', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const marker = `${Math.floor(Math.random() * 1e9)}`;
	// Not `exec`: the script's own child is what must not outlive the try.
	const hang = script(t, `hang-${marker}.sh`, `#!/bin/sh\nsleep 60.${marker}\necho never\n`);
	const home = await makeHome(t, {builtins: false, components: {db: {command: ['sleep', '300'], ready: {exec: [hang]}, ready_timeout: '1s'}}});
	const probes = () => fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
		try {
			return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
		} catch {
			return false;
		}
	});
	const run = watch(spawnCli(home.dir, ['server', 'start']));
	t.after(() => run.child.kill('SIGKILL'));
	await waitFor(() => probes().length > 0, 'the probe to run', 20_000);
	const began = Date.now();
	await waitFor(() => probes().length === 0, 'the hung probe and its child to be ended', 10_000);
	const lived = Date.now() - began;
	assert.ok(lived < 3000, `the try ended when the 1 s ready_timeout ran out, not after 5 s (${lived}ms)`);
	assert.equal(await run.exited, 1, run.stderr());
	assert.match(run.stderr(), /db: not ready within 1s \(waited for: .*hang-\d+\.sh exits 0\)/, run.stderr());
});
