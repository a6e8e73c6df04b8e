// Supervision that never ends silently nor tells the wrong story (docs/supervision.md, issue 18): signals sent to a
// supervisor alone, a start interrupted by Ctrl-C, a restart that cannot be carried out, a forged pgid, the leftovers'
// state, the supervisor's line in ps, and the run spans it writes for undated log lines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {isAlive, makeHome, readPidFile, show, spawnCli, statusJson, waitFor, type TestHome} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
/** A supervisor's line in ps must stay readable (issue 18: it was 465 characters). */
const PS_LINE_MAX = 200;

function supervisorOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['supervisorPid']);
}

function componentOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['pid']);
}

function errText(home: TestHome, name: string): string {
	try {
		return fs.readFileSync(home.logFile(name, 'stderr'), 'utf8');
	} catch {
		return '';
	}
}

const sleeper = (extra: Record<string, unknown> = {}) => ({command: ['sleep', '300'], ready: {after: '100ms'}, restart_delay: '100ms', ...extra});

test('SIGHUP to a supervisor is ignored; SIGTERM (or SIGINT) to it alone stops its component, recorded as stopped, and it exits', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {termed: sleeper(), inted: sleeper()}});
	await home.start();
	const supervisor = supervisorOf(home, 'termed');
	const component = componentOf(home, 'termed');
	const argv = fs.readFileSync(`/proc/${supervisor}/cmdline`, 'utf8').split('\0').filter(Boolean);
	assert.deepEqual(argv.slice(1), ['-s', 'stigmer-supervisor', 'termed', home.dir], 'ps names it, its component and home, nothing else');
	assert.ok(argv.join(' ').length < PS_LINE_MAX, argv.join(' '));

	process.kill(supervisor, 'SIGHUP');
	await new Promise((resolve) => {
		setTimeout(resolve, 300);
	});
	assert.ok(isAlive(supervisor) && isAlive(component), 'SIGHUP changed nothing');
	process.kill(supervisor, 'SIGTERM');
	await waitFor(() => !isAlive(supervisor) && !isAlive(component), 'the component and its supervisor to end');
	process.kill(supervisorOf(home, 'inted'), 'SIGINT');
	const status = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('inted')!.state === 'stopped' ? s : undefined;
	}, 'inted to stop');
	const termed = status.byName.get('termed')!;
	assert.deepEqual([termed.state, termed.reason, termed.pid, termed.supervisorPid], ['stopped', 'supervisor received SIGTERM', null, null], show(status.result));
	assert.equal(status.byName.get('inted')!.reason, 'supervisor received SIGINT');
	assert.match(errText(home, 'termed'), /stigmer: termed stopped: its supervisor received SIGTERM\n$/);
	assert.equal(fs.existsSync(home.pidFile('termed')), false, 'its PID file is gone with it');
	assert.deepEqual(home.processes(), {});
});

test('a start interrupted by Ctrl-C leaves supervisors that apply the restart policy', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {early: {command: ['sh', '-c', 'sleep 1.5; exit 3'], ready: {after: '20s'}, ready_timeout: '60s', restart_delay: '100ms'}},
	});
	const cli = spawnCli(home.dir, ['server', 'start']);
	const exited = new Promise((resolve) => {
		cli.once('exit', resolve);
	});
	await waitFor(() => (componentOf(home, 'early') > 0 ? true : undefined), 'early to be spawned');
	cli.kill('SIGINT');
	await exited;
	const restarted = await waitFor(async () => {
		const s = await statusJson(home);
		const c = s.byName.get('early')!;
		return c.restarts >= 1 ? c : undefined;
	}, 'early to be restarted per on-failure', 15_000);
	assert.equal(restarted.lastExit?.code, 3);
	assert.match(errText(home, 'early'), /early exited with code 3 after [\d.]+m?s; restarting in 100ms \(restart 1 of 5\)/);
	assert.doesNotMatch(errText(home, 'early'), /while starting/);
	await home.cli(['server', 'stop']);
});

test('a restart that cannot be carried out (the command gone) leaves the component failed with that reason', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const script = path.join(home.dir, 'run.sh');
	fs.writeFileSync(script, '#!/bin/sh\nexec sleep 300\n', {mode: 0o755});
	home.writeConfig({builtins: false, components: {gone: {command: [script], ready: {after: '100ms'}, restart_delay: '100ms'}}});
	await home.start();
	const first = componentOf(home, 'gone');
	fs.rmSync(script);
	process.kill(first, 'SIGKILL');
	const failed = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('gone')!.state === 'failed' ? s : undefined;
	}, 'gone to fail', 15_000);
	const c = failed.byName.get('gone')!;
	assert.equal(c.reason, 'restart failed: its command cannot be run', show(failed.result));
	assert.equal(c.lastExit?.signal, 'SIGKILL', 'the last record of what happened is kept');
	assert.match(errText(home, 'gone'), /gone could not be started: its command cannot be run; not restarted/);
	assert.deepEqual(home.processes(), {});
});

test('with a forged pgid, a stop is never recorded as a crash: the supervisor knows a stop is under way', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {forged: sleeper()}});
	await home.start();
	const supervisor = supervisorOf(home, 'forged');
	const record = readPidFile(home.pidFile('forged'))!;
	fs.writeFileSync(home.pidFile('forged'), `${JSON.stringify({...record, pgid: Number(record['pid'])})}\n`, {mode: 0o600});
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	await waitFor(() => !isAlive(supervisor) || undefined, 'the supervisor to exit');
	assert.doesNotMatch(errText(home, 'forged'), /killed by SIGTERM|restarting/, `no crash recorded: ${show(stop)}`);
	const c = (await statusJson(home)).byName.get('forged')!;
	assert.deepEqual([c.state, c.restarts, c.lastExit], ['stopped', 0, null]);
});

test('while a supervisor ends an exited component\'s leftovers, status says stopping with why, not starting', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {master: {command: ['sh', '-c', 'sh -c \'trap "" TERM; exec sleep 1234\' & sleep 0.5; exit 2'], ready: {after: '100ms'}, stop_timeout: '4s', restart_delay: '100ms'}},
	});
	await home.start();
	const during = await waitFor(async () => {
		const c = (await statusJson(home)).byName.get('master')!;
		return c.state === 'starting' || c.state === 'stopping' ? c : undefined;
	}, 'master between runs', 10_000);
	assert.equal(during.state, 'stopping', JSON.stringify(during));
	// The first glimpse may precede the supervisor's record ('exited; …'); the record then names the exit.
	const recorded = await waitFor(async () => {
		const c = (await statusJson(home)).byName.get('master')!;
		assert.notEqual(c.state, 'starting', JSON.stringify(c));
		return c.reason === 'exit code 2; ending what is left of its process group' ? c : undefined;
	}, 'the ending recorded with its exit', 3000);
	assert.equal(recorded.state, 'stopping');
	await home.cli(['server', 'stop']);
});

test('the supervisor writes run spans to data/logs/<name>.runs over a crash loop; rotation moves them with the logs', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {loop: {command: ['sh', '-c', 'echo out; echo err >&2; sleep 0.3; exit 3'], ready: {after: '100ms'}, restart_delay: '100ms', max_restarts: 2}},
	});
	await home.start();
	await waitFor(async () => ((await statusJson(home)).byName.get('loop')!.state === 'failed' || undefined), 'loop to give up', 20_000);
	const runsFile = path.join(home.dataDir, 'logs', 'loop.runs');
	assert.equal(fs.statSync(runsFile).mode & 0o777, 0o600);
	const lines = fs.readFileSync(runsFile, 'utf8').trim().split('\n').map((line) => line.split(' '));
	assert.deepEqual(lines.map((l) => l[1]), ['spawn', 'exit', 'spawn', 'exit', 'spawn', 'exit'], lines.join('\n'));
	const logSize = fs.statSync(home.logFile('loop')).size;
	let previous = 0;
	for (const [at, event, out, err] of lines) {
		assert.ok(Number(at) >= previous && Number(at) <= Date.now(), `times in order: ${lines.join(' | ')}`);
		previous = Number(at);
		assert.match(`${out} ${err}`, /^\d+ \d+$/);
		assert.ok(Number(out) <= logSize);
		if (event === 'exit') {
			assert.ok(Number(out) > 0 && Number(err) > 0, 'the run wrote to both before it exited');
		}
	}

	// Each exit's sizes are the next spawn's, until the supervisor's own line lands in .err after the exit line.
	assert.equal(lines[1]![2], lines[2]![2], 'nothing was written to .log between an exit and the next spawn');
	const old = path.join(home.dataDir, 'logs', 'loop.runs.20200101T000000Z');
	fs.writeFileSync(old, '1577836800000 spawn 0 0\n', {mode: 0o600});
	home.writeConfig({builtins: false, components: {loop: sleeper()}});
	await home.start();
	assert.equal(fs.existsSync(old), false, 'rotated run spans older than 7 days are deleted with the logs');
	const rotated = fs.readdirSync(path.join(home.dataDir, 'logs')).filter((name) => name.startsWith('loop.'));
	const stamp = rotated.find((name) => name.startsWith('loop.log.'))?.slice('loop.log.'.length);
	assert.ok(stamp !== undefined && rotated.includes(`loop.runs.${stamp}`) && rotated.includes(`loop.err.${stamp}`), rotated.join(' '));
	await home.cli(['server', 'stop']);
});

test('a date(1) without %N (older macOS prints a literal 3N): the supervisor falls back to whole seconds, never writes garbage', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {coarse: {command: ['sh', '-c', 'sleep 0.3; exit 4'], ready: {after: '100ms'}, restart: 'no'}}});
	const bin = path.join(home.dir, 'bsd-bin');
	fs.mkdirSync(bin);
	const realDate = ['/bin/date', '/usr/bin/date'].find((file) => fs.existsSync(file))!;
	// As macOS's date answers: no %N, so the format's N stays literal after the seconds.
	fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\ncase "$*" in *%3N* | *%N*) echo "$(${realDate} +%s)\${1##*%s%}" ;; *) exec ${realDate} "$@" ;; esac\n`, {mode: 0o755});
	const start = await home.cli(['server', 'start'], {env: {PATH: `${bin}:${process.env['PATH'] ?? ''}`}});
	assert.equal(start.code, 0, show(start));
	const c = await waitFor(async () => {
		const found = (await statusJson(home)).byName.get('coarse')!;
		return found.state === 'failed' ? found : undefined;
	}, 'coarse to be recorded', 15_000);
	assert.match(c.lastExit?.at ?? '', /\.000Z$/, JSON.stringify(c));
	assert.equal((c.lastExit?.uptimeMs ?? 1) % 1000, 0);
	assert.equal(c.lastExit?.code, 4);
	assert.match(errText(home, 'coarse'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z stigmer: coarse exited with code 4 after \d+m?s; not restarted/m);
	const runs = fs.readFileSync(path.join(home.dataDir, 'logs', 'coarse.runs'), 'utf8');
	assert.match(runs, /^\d+000 spawn \d+ \d+\n\d+000 exit \d+ \d+\n$/, runs);
});

test('SIGTERM to a supervisor waiting out a backoff ends it at once: stopped, the last exit kept, nothing restarted', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {waiting: {command: ['sh', '-c', 'sleep 0.5; exit 3'], ready: {after: '100ms'}, restart_delay: '20s'}}});
	await home.start();
	const supervisor = supervisorOf(home, 'waiting');
	await waitFor(async () => ((await statusJson(home)).byName.get('waiting')!.state === 'backoff' || undefined), 'waiting in backoff');
	const sent = Date.now();
	process.kill(supervisor, 'SIGTERM');
	await waitFor(() => !isAlive(supervisor) || undefined, 'the supervisor to exit');
	assert.ok(Date.now() - sent < 5000, `it took ${Date.now() - sent}ms, not the 20 s backoff`);
	const c = (await statusJson(home)).byName.get('waiting')!;
	assert.deepEqual([c.state, c.reason, c.lastExit?.code, c.restarts], ['stopped', 'supervisor received SIGTERM', 3, 1]);
	assert.deepEqual(home.processes(), {});
});
