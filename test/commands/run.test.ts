// `stigmer server run` (docs/engines.md, "server run"): the stack in the foreground through the built CLI: the ✓ lines
// of start, the merged logs from the run's start, a signal stops it as `server stop` does, a takeover makes it leave.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {CLI, cleanEnv, fixture, isAlive, live, makeHome, parseStarted, processesByComponent, show, spawnCli, waitFor, type CliResult} from '../helpers.js';

/** A run's exit, collected (with output) once it has ended. */
async function ended(child: ReturnType<typeof spawnCli>, output: ReturnType<typeof live>, timeoutMs = 30_000): Promise<CliResult> {
	const began = performance.now();
	const [code, signal] = await waitFor(() => (child.exitCode !== null || child.signalCode !== null ? [child.exitCode, child.signalCode] as const : undefined), 'the run to exit', timeoutMs);
	return {code, signal, stdout: output.stdout(), stderr: output.stderr(), ms: performance.now() - began};
}

test('run: ready lines, then only the lines written from the run on; SIGTERM stops the stack as stop does, exit 0', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	fs.mkdirSync(home.dataDir + '/logs', {recursive: true, mode: 0o700});
	fs.writeFileSync(home.logFile('sleeper'), '2026-01-01T00:00:00.000Z an old line of an earlier run\n', {mode: 0o600});
	const child = spawnCli(home.dir, ['server', 'run']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	await waitFor(() => output.stdout().includes('sleeper ready pid='), 'the sleeper\'s first log line on stdout');
	const started = parseStarted(output.stdout());
	const pid = started.get('sleeper')?.pid;
	assert.ok(pid !== undefined && isAlive(pid), `a ✓ line with a live pid, as start prints it:\n${output.stdout()}`);
	assert.ok(output.stdout().indexOf('✓ sleeper') < output.stdout().indexOf('sleeper ready'), 'the ✓ line comes before the logs');
	assert.match(output.stdout(), /^\d\d:\d\d:\d\d\.\d{3} sleeper\[stdout\] .*sleeper ready pid=/m, 'lines as server logs prints them');
	assert.doesNotMatch(output.stdout(), /an old line/, 'no tail of an earlier run');
	assert.match(output.stderr(), /Streaming logs from all components/);

	// Written while it runs: shown while it runs.
	const status = await home.cli(['server', 'status', '--json']);
	assert.equal(status.code, 0, show(status));

	child.kill('SIGTERM');
	const result = await ended(child, output);
	assert.equal(result.code, 0, show(result));
	assert.match(result.stdout, /^sleeper stopped in \d+ms$/m, `stop's own line:\n${result.stdout}`);
	assert.match(result.stdout, /sleeper received SIGTERM, exiting/, 'the component\'s last lines are streamed too');
	assert.equal(isAlive(pid), false, 'the component is gone');
	assert.equal(fs.existsSync(home.pidFile('sleeper')), false, 'its PID file removed, as stop does');
	assert.deepEqual(home.processes(), {}, 'nothing of the home runs');
});

test('run: a start of the same home takes the stack over; the run says so in one line, exits 0 and stops nothing', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	const child = spawnCli(home.dir, ['server', 'run']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	await waitFor(() => output.stdout().includes('sleeper ready pid='), 'the run to be streaming');
	const {started} = await home.start();
	const result = await ended(child, output);
	assert.equal(result.code, 0, show(result));
	const lines = result.stderr.trim().split('\n');
	assert.match(lines.at(-1) ?? '', /^stigmer: the stack was taken over by pid \d+ \(server start\); leaving it running$/, show(result));
	assert.doesNotMatch(result.stdout, /stopped in/, 'the run stopped nothing');
	const pid = started.get('sleeper')?.pid;
	assert.ok(pid !== undefined && isAlive(pid), 'the new start\'s component still runs');
	assert.equal((await home.cli(['server', 'status'])).code, 0, 'status: healthy');
	await home.cli(['server', 'stop']);
});

test('run: `start NAME` of one of its components (the dashboard\'s r) is no takeover; the run stops the new one too', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {
		sleeper: {command: fixture('sleeper.mjs')},
		other: {command: fixture('sleeper.mjs')},
	}});
	const child = spawnCli(home.dir, ['server', 'run']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	await waitFor(() => output.stdout().includes('✓ other') && output.stdout().includes('✓ sleeper'), 'the run is up');
	const {started} = await home.start(['other']);
	const pid = started.get('other')?.pid;
	assert.ok(pid !== undefined);
	// Longer than a few watch periods (250 ms): a run that took this for a takeover would have left.
	await new Promise((resolve) => {
		setTimeout(resolve, 1200);
	});
	assert.equal(child.exitCode, null, `the run goes on:\n${output.stderr()}`);
	child.kill('SIGTERM');
	const result = await ended(child, output);
	assert.equal(result.code, 0, show(result));
	assert.match(result.stdout, /^other stopped in \d+ms$/m);
	assert.equal(isAlive(pid), false, 'the restarted component was stopped by the run');
	assert.deepEqual(home.processes(), {});
});

test('run NAME: the dependencies its start brings are the run\'s too: their logs streamed, all stopped by SIGTERM', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {
		base: {command: fixture('sleeper.mjs')},
		app: {command: fixture('sleeper.mjs'), depends_on: ['base']},
	}});
	const child = spawnCli(home.dir, ['server', 'run', 'app']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	await waitFor(() => /app\[stdout\] .*sleeper ready pid=/.test(output.stdout()) && /base\[stdout\] .*sleeper ready pid=/.test(output.stdout()), 'both components\' first log lines on stdout').catch((error: unknown) => {
		assert.fail(`${String(error)}\n${output.stdout()}\n${output.stderr()}`);
	});
	assert.match(output.stdout(), /starting base first/, output.stdout());
	assert.match(output.stderr(), /Streaming logs from app, base|Streaming logs from base, app/, output.stderr());
	child.kill('SIGTERM');
	const result = await ended(child, output);
	assert.equal(result.code, 0, show(result));
	assert.match(result.stdout, /^app stopped in \d+ms$/m, result.stdout);
	assert.match(result.stdout, /^base stopped in \d+ms$/m, result.stdout);
	assert.deepEqual(home.processes(), {}, 'nothing of the home runs');
});

test('run: a second run takes over from the first; a stop from elsewhere ends the second, exit 0', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	const first = spawnCli(home.dir, ['server', 'run']);
	const firstOut = live(first);
	const second = spawnCli(home.dir, ['server', 'run']);
	const secondOut = live(second);
	t.after(() => {
		first.kill('SIGKILL');
		second.kill('SIGKILL');
	});
	// The two runs queue on the home's lock; whichever started second takes over from the other.
	const leaver = await waitFor(() => [[first, firstOut], [second, secondOut]].find(([c]) => (c as typeof first).exitCode !== null), 'one run to leave', 30_000);
	const [left, leftOut] = leaver as [typeof first, typeof firstOut];
	const [stays, staysOut] = left === first ? [second, secondOut] : [first, firstOut];
	assert.equal(left.exitCode, 0, show({code: left.exitCode, signal: null, stdout: leftOut.stdout(), stderr: leftOut.stderr(), ms: 0}));
	assert.match(leftOut.stderr(), /taken over by pid \d+ \(server run\)/);
	await waitFor(() => staysOut.stdout().includes('✓ sleeper'), 'the other run is up');
	const stopped = await home.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	const result = await ended(stays, staysOut);
	assert.equal(result.code, 0, show(result));
	assert.match(result.stderr, /every component of this run has ended/);
});

test('run: a component that cannot start fails the run as start fails (exit 1); what did start is stopped', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {
		sleeper: {command: fixture('sleeper.mjs')},
		crasher: {command: fixture('crasher.mjs'), ready: {after: '2s'}, restart: 'no'},
	}});
	const child = spawnCli(home.dir, ['server', 'run']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	const result = await ended(child, output);
	assert.equal(result.code, 1, show(result));
	assert.match(result.stderr, /crasher/, 'the failure named, as start names it');
	assert.match(result.stdout, /^sleeper stopped in \d+ms$/m, show(result));
	assert.deepEqual(home.processes(), {}, 'nothing outlives a failed run');
});

test('run: SIGTERM during the start is acted on once the start has ended: said at once, then stopped, exit 0', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs'), ready: {after: '1500ms'}}}});
	const child = spawnCli(home.dir, ['server', 'run']);
	const output = live(child);
	t.after(() => {
		child.kill('SIGKILL');
	});
	await waitFor(() => fs.existsSync(home.pidFile('sleeper')), 'the sleeper spawned, not yet ready');
	child.kill('SIGTERM');
	await waitFor(() => output.stderr().includes('stigmer: stopping once the start has ended'), 'the run to say why nothing stops yet');
	const result = await ended(child, output);
	assert.equal(result.code, 0, show(result));
	assert.match(result.stdout, /✓ sleeper[\s\S]*^sleeper stopped in \d+ms$/m, show(result));
	assert.deepEqual(home.processes(), {});
});

test('run is in the help, with its own --help, and refuses an unknown flag (exit 2)', async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleeper: {command: fixture('sleeper.mjs')}}});
	const help = await home.cli(['server', '--help']);
	assert.match(help.stdout, /stigmer server run\s+Run the stack in the foreground/);
	const own = await home.cli(['server', 'run', '--help']);
	assert.equal(own.code, 0);
	assert.match(own.stdout, /Usage: stigmer server run \[COMPONENT\.\.\.\]/);
	const bad = await home.cli(['server', 'run', '--detach']);
	assert.equal(bad.code, 2, show(bad));
	assert.deepEqual(home.processes(), {}, 'nothing started');
});

test('run: SIGTERM with a stdout nobody reads (a full pipe): the stack is stopped and the run exits anyway, saying its last lines are lost', async (t) => {
	const flood = 'i=0; while [ $i -lt 30000 ]; do echo "flood line $i: padding padding padding padding"; i=$((i+1)); done; exec sleep 300';
	const home = await makeHome(t, {builtins: false, components: {flood: {command: ['sh', '-c', flood]}}});
	const fifo = path.join(home.dir, 'stdout.fifo');
	execFileSync('mkfifo', [fifo]);
	const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); // Held open, never read.
	const writer = fs.openSync(fifo, 'w');
	const child = spawn(process.execPath, [CLI, 'server', 'run'], {cwd: os.tmpdir(), env: cleanEnv({STIGMER_HOME: home.dir}), stdio: ['ignore', writer, 'pipe']});
	fs.closeSync(writer);
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	t.after(() => {
		child.kill('SIGKILL');
		fs.closeSync(reader);
	});
	const pid = await waitFor(() => (fs.existsSync(home.logFile('flood')) && fs.statSync(home.logFile('flood')).size > 1_000_000 ? processesByComponent(home.dir)['flood']?.[0] : undefined), 'the flood written, far past what a pipe holds', 30_000);
	await waitFor(() => stderr.includes('Streaming logs from all components'), 'the run following the logs (past the pipe\'s size by now)', 20_000);
	child.kill('SIGTERM');
	const [code] = await waitFor(() => (child.exitCode !== null || child.signalCode !== null ? [child.exitCode, child.signalCode] as const : undefined), 'the run to exit though nobody reads its stdout', 20_000);
	assert.equal(code, 0, stderr);
	assert.match(stderr, /^stigmer: standard output is not being read; exiting without its last lines$/m, stderr);
	assert.equal(isAlive(pid), false, 'the component was stopped');
	assert.deepEqual(home.processes(), {}, 'nothing of the home runs');
});
