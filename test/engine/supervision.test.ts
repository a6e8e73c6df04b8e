// Supervision without a daemon (docs/supervision.md, issue 8), through the built CLI with real processes: exit records,
// restart policy, crash loops that give up, kill -9, stop during backoff, lost supervisors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {
	fixture, isAlive, itemAt, makeHome, parseCleaned, parseStarted, processesByComponent, procStat, readPidFile, show, statusJson, waitFor,
	type TestHome,
} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
/** docs/supervision.md / issue 8: a SIGKILLed component is back within restart_delay plus this. */
const RESPAWN_BUDGET_MS = 100;
/** An .err line the supervisor writes: RFC 3339 UTC with milliseconds, then `stigmer: `. */
const SUPERVISOR_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stigmer: (.*)$/;

/** A component that runs `ms` then exits with `code`. */
function exitsAfter(ms: number, code: number): string[] {
	return ['sh', '-c', `sleep ${ms / 1000}; exit ${code}`];
}

/** The supervisor's lines in a component's .err, without their time. */
function supervisorLines(home: TestHome, name: string): string[] {
	let text = '';
	try {
		text = fs.readFileSync(home.logFile(name, 'stderr'), 'utf8');
	} catch {}

	return text.split('\n').flatMap((line) => {
		const said = SUPERVISOR_LINE.exec(line)?.[1];
		return said === undefined ? [] : [said];
	});
}

/** The state file, parsed. */
function stateRecord(home: TestHome, name: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(fs.readFileSync(path.join(home.dataDir, `${name}.state`), 'utf8')) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/** Processes of this home that are not components nor supervisors: the CLI itself. */
function cliProcesses(home: TestHome): number[] {
	return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
		try {
			const vars = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
			return vars.includes(`STIGMER_HOME=${home.dir}`) && !vars.some((v) => v.startsWith('STIGMER_COMPONENT=')) && procStat(pid)?.state !== 'Z';
		} catch {
			return false;
		}
	});
}

/** Time since boot in 10 ms ticks, the unit of /proc/<pid>/stat start times. */
function uptimeTicks(): number {
	return Math.round(Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
}

function supervisorOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['supervisorPid']);
}

test('a crash loop gives up: failed, restarts = max_restarts, the exit code, one .err line per exit; start resets it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {flappy: {command: exitsAfter(1000, 3), ready: {after: '100ms'}, max_restarts: 2, restart_delay: '100ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const first = parseStarted(start.stdout).get('flappy')!.pid;
	const supervisor = supervisorOf(home, 'flappy');
	assert.equal(procStat(first)?.ppid, supervisor, 'the supervisor is the component\'s parent');
	assert.equal(fs.readFileSync(`/proc/${first}/environ`, 'utf8').split('\0').some((v) => v.startsWith('STIGMER_SUPERVISOR=')), false, 'the component\'s environment has no STIGMER_SUPERVISOR');
	assert.ok(fs.readFileSync(`/proc/${supervisor}/environ`, 'utf8').split('\0').includes('STIGMER_SUPERVISOR=1'), 'the supervisor carries STIGMER_SUPERVISOR=1');

	const failed = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('flappy')!.state === 'failed' ? s : undefined;
	}, 'flappy to give up', 20_000);
	const c = failed.byName.get('flappy')!;
	assert.equal(failed.result.code, 3, show(failed.result));
	assert.equal(c.restarts, 2, show(failed.result));
	assert.equal(c.lastExit?.code, 3);
	assert.equal(c.lastExit?.signal, null);
	assert.ok(c.lastExit!.uptimeMs >= 250 && c.lastExit!.uptimeMs < 5000, `uptimeMs ${c.lastExit!.uptimeMs}`);
	assert.ok(Math.abs(Date.parse(c.lastExit!.at) - Date.now()) < 30_000, `lastExit.at ${c.lastExit!.at}`);
	assert.match(c.reason ?? '', /^exit code 3; gave up after 2 restarts in \d/, show(failed.result));
	assert.equal(c.pid, null);
	assert.equal(c.nextRestartAt, null);
	assert.equal(c.supervisorPid, null);
	assert.deepEqual(home.processes(), {}, 'nothing of flappy runs');
	assert.equal(isAlive(supervisor), false, 'the supervisor exited');
	assert.equal(fs.existsSync(home.pidFile('flappy')), false, 'no PID file once it gave up');
	assert.equal(fs.statSync(path.join(home.dataDir, 'flappy.state')).mode & 0o777, 0o600, 'the state file is 0600');

	const lines = supervisorLines(home, 'flappy');
	assert.equal(lines.length, 3, lines.join('\n'));
	const [restart1 = '', restart2 = '', gaveUp = ''] = lines;
	assert.match(restart1, /^flappy exited with code 3 after [\d.]+m?s; restarting in 100ms \(restart 1 of 2\)$/);
	assert.match(restart2, /^flappy exited with code 3 after [\d.]+m?s; restarting in 200ms \(restart 2 of 2\)$/);
	assert.match(gaveUp, /^flappy exited with code 3 after [\d.]+m?s; gave up after 2 restarts in \d/);

	const table = await home.cli(['server', 'status']);
	assert.match(table.stdout, /flappy\s+failed/, show(table));
	assert.match(table.stdout, /flappy: failed \(exit code 3; gave up after 2 restarts in/, show(table));

	// `start` resets the count and the last exit (now a long runner, so no new exit muddles the check).
	home.writeConfig({builtins: false, components: {flappy: {command: ['sleep', '300'], ready: {after: '100ms'}}}});
	const again = await home.cli(['server', 'start']);
	assert.equal(again.code, 0, show(again));
	const fresh = (await statusJson(home)).byName.get('flappy')!;
	assert.equal(fresh.restarts, 0);
	assert.equal(fresh.lastExit, null);
	await home.cli(['server', 'stop']);
});

test('exit 0 under on-failure: exited, not restarted; restart: no: failed with its code, not restarted', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			done: {command: exitsAfter(1000, 0), ready: {after: '100ms'}, restart_delay: '100ms'},
			once: {command: exitsAfter(1000, 4), ready: {after: '100ms'}, restart: 'no', restart_delay: '100ms'},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const settled = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('done')!.state === 'exited' && s.byName.get('once')!.state === 'failed' ? s : undefined;
	}, 'done to exit and once to fail', 10_000);
	const done = settled.byName.get('done')!;
	assert.deepEqual([done.restarts, done.lastExit?.code, done.reason], [0, 0, 'exit code 0; not restarted (restart: on-failure)']);
	const once = settled.byName.get('once')!;
	assert.deepEqual([once.restarts, once.lastExit?.code, once.reason], [0, 4, 'exit code 4; not restarted (restart: no)']);
	assert.equal(settled.result.code, 3, 'not healthy');
	assert.match(supervisorLines(home, 'done').join('\n'), /^done exited with code 0 after [\d.]+m?s; not restarted \(restart: on-failure\)$/);
	assert.match(supervisorLines(home, 'once').join('\n'), /^once exited with code 4 after [\d.]+m?s; not restarted \(restart: no\)$/);
	assert.deepEqual(home.processes(), {});
	assert.deepEqual(processesByComponent(home.dir, 'supervisors'), {}, 'no supervisor left');
});

test('restart: always gives up after max_restarts clean exits in a row: exited (it never failed), with the count', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {tick: {command: exitsAfter(300, 0), ready: {after: '100ms'}, restart: 'always', max_restarts: 2, restart_delay: '100ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const tick = await waitFor(async () => {
		const c = (await statusJson(home)).byName.get('tick')!;
		return c.state === 'exited' || c.state === 'failed' ? c : undefined;
	}, 'tick to give up', 15_000);
	assert.equal(tick.state, 'exited', `a clean exit is not a failure (docs/lifecycle.md#status): ${JSON.stringify(tick)}`);
	assert.deepEqual([tick.restarts, tick.lastExit?.code], [2, 0]);
	assert.match(tick.reason ?? '', /^exit code 0; gave up after 2 restarts in [\d.]+m?s$/);
	assert.match(itemAt(supervisorLines(home, 'tick').slice(-1), 0), /^tick exited with code 0 after [\d.]+m?s; gave up after 2 restarts in [\d.]+m?s$/);
	assert.deepEqual(home.processes(), {});
});

test('kill -9 of the component: its supervisor restarts it within restart_delay + 100ms, no stigmer CLI running, SIGKILL recorded', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const delayMs = 500;
	const home = await makeHome(t, {
		builtins: false,
		components: {victim: {command: fixture('sleeper.mjs'), ready: {log: 'sleeper ready'}, restart_delay: `${delayMs}ms`}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const first = parseStarted(start.stdout).get('victim')!.pid;
	const supervisor = supervisorOf(home, 'victim');
	assert.deepEqual(cliProcesses(home), [], 'no stigmer CLI process runs: the supervisor alone restarts');

	// Measured on the kernel's clock (10 ms ticks since boot): the kill, then the new process's start time, so the
	// test's own polling and scheduling on a loaded machine do not count against the supervisor.
	const killedAtTicks = uptimeTicks();
	process.kill(first, 'SIGKILL');
	const second = await waitFor(() => {
		const pid = Number(readPidFile(home.pidFile('victim'))?.['pid']);
		return pid !== first && isAlive(pid) ? pid : undefined;
	}, 'a new victim pid', 10_000);
	const respawnMs = (Number(procStat(second)!.startTime) - killedAtTicks) * 10;
	assert.ok(respawnMs - delayMs <= RESPAWN_BUDGET_MS + 10 /* one tick */, `respawned ${respawnMs}ms after the kill (restart_delay ${delayMs}ms)`);
	assert.ok(respawnMs >= delayMs - 10, `not before restart_delay: ${respawnMs}ms`);
	assert.equal(procStat(second)?.ppid, supervisor, 'the same supervisor runs the new process');
	assert.equal(supervisorOf(home, 'victim'), supervisor);

	const status = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('victim')!.state === 'running' ? s : undefined;
	}, 'victim running again');
	const c = status.byName.get('victim')!;
	assert.equal(c.pid, second, 'pid is the component\'s own process');
	assert.equal(c.supervisorPid, supervisor);
	assert.equal(c.restarts, 1);
	assert.deepEqual([c.lastExit?.code, c.lastExit?.signal], [null, 'SIGKILL']);
	assert.equal(status.result.code, 0, 'healthy again');
	assert.match(supervisorLines(home, 'victim')[0] ?? '', /^victim was killed by SIGKILL after [\d.]+m?s; restarting in 500ms \(restart 1 of 5\)$/);
	assert.doesNotMatch(fs.readFileSync(home.logFile('victim', 'stderr'), 'utf8'), /^Killed$/m, 'the shell\'s job notice stays out of the log');
	assert.deepEqual(home.processes(), {victim: [second]});
});

test('stop during backoff ends the supervisor at once; a component ignoring nothing is never restarted by a stop', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			flappy: {command: exitsAfter(1000, 3), ready: {after: '100ms'}, restart_delay: '20s'},
			calm: {command: fixture('sleeper.mjs'), ready: {log: 'sleeper ready'}, restart_delay: '100ms'},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const supervisor = supervisorOf(home, 'flappy');
	const backoff = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('flappy')!.state === 'backoff' ? s : undefined;
	}, 'flappy in backoff');
	const f = backoff.byName.get('flappy')!;
	assert.equal(f.restarts, 1);
	assert.equal(f.supervisorPid, supervisor);
	assert.equal(f.pid, null);
	const next = Date.parse(f.nextRestartAt ?? '');
	assert.ok(next > Date.now() + 10_000 && next < Date.now() + 21_000, `nextRestartAt ${f.nextRestartAt}`);
	assert.match(f.reason ?? '', /^exit code 3; restart 1 of 5$/);

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.match(stop.stdout, /^flappy stopped \(was waiting to restart\)$/m, show(stop));
	assert.match(stop.stdout, /^calm stopped in /m, show(stop));
	assert.ok(stop.ms < 5000, `stop took ${Math.round(stop.ms)}ms`);
	assert.equal(isAlive(supervisor), false, 'flappy\'s supervisor is gone');
	assert.deepEqual(supervisorLines(home, 'calm'), [], 'a stop is not recorded as an exit');
	const after = await statusJson(home);
	assert.deepEqual(['flappy', 'calm'].map((n) => after.byName.get(n)!.state), ['stopped', 'stopped'], show(after.result));
	assert.equal(after.byName.get('flappy')!.lastExit?.code, 3, 'the last exit is kept after a stop');
	assert.deepEqual(home.processes(), {});
});

test('a lost supervisor (PID file deleted) never restarts anything, and the next start ends it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			lost: {command: fixture('sleeper.mjs'), ready: {log: 'sleeper ready'}, restart_delay: '100ms'},
			crashy: {command: fixture('sleeper.mjs'), ready: {log: 'sleeper ready'}, restart_delay: '100ms'},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const started = parseStarted(start.stdout);

	// 1. PID file gone, then the component crashes: its supervisor records it but does not resurrect it.
	const crashy = started.get('crashy')!.pid;
	const crashySupervisor = supervisorOf(home, 'crashy');
	fs.rmSync(home.pidFile('crashy'));
	process.kill(crashy, 'SIGKILL');
	await waitFor(() => !isAlive(crashySupervisor), 'crashy\'s supervisor to give up');
	assert.equal(home.processes()['crashy'], undefined, 'crashy was not restarted');
	assert.match(supervisorLines(home, 'crashy').at(-1) ?? '', /^crashy not restarted: its PID file was removed$/);

	// 2. PID file gone while it runs: the next start finds supervisor and component by their marker and ends both.
	const lost = started.get('lost')!.pid;
	const lostSupervisor = supervisorOf(home, 'lost');
	fs.rmSync(home.pidFile('lost'));
	const status = await statusJson(home);
	const both = [lostSupervisor, lost].sort((a, b) => a - b);
	assert.deepEqual(status.byName.get('lost')!.orphans.map((o) => o.pid), both, `status names the lost supervisor and component as orphans:\n${show(status.result)}`);
	const again = await home.cli(['server', 'start']);
	assert.equal(again.code, 0, show(again));
	assert.deepEqual(parseCleaned(again.stdout).get('lost')?.pids, both, show(again));
	assert.equal(isAlive(lost), false);
	assert.equal(isAlive(lostSupervisor), false, 'the lost supervisor was ended');
	const fresh = parseStarted(again.stdout);
	assert.deepEqual(home.processes(), {lost: [fresh.get('lost')!.pid], crashy: [fresh.get('crashy')!.pid]});
	assert.deepEqual(supervisorLines(home, 'lost'), [], 'ending it was a stop, not a crash');
});

test('a readiness failure during start is a start failure, not a restart loop', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {early: {command: exitsAfter(200, 1), ready: {after: '2s'}, restart_delay: '100ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 1, show(start));
	assert.match(start.stderr, /early/, show(start));
	assert.match(start.stderr, /exited with code 1/, show(start));
	// A restart could only come from a supervisor: once none of this home is left, none can come.
	await waitFor(() => Object.keys(processesByComponent(home.dir, 'supervisors')).length === 0, 'early\'s supervisor to be gone');
	assert.deepEqual(home.processes(), {}, 'nothing was restarted');
	assert.equal(supervisorLines(home, 'early').some((l) => l.includes('restarting')), false, supervisorLines(home, 'early').join('\n'));
	const c = (await statusJson(home)).byName.get('early')!;
	assert.equal(c.state, 'failed');
	assert.equal(c.restarts, 0);
	assert.equal(c.lastExit?.code, 1);
	assert.match(c.reason ?? '', /^start failed: exited with code 1/);
	assert.equal(stateRecord(home, 'early')?.['state'], 'failed');
});

test('the restart policy keys are validated like every key: file:line:col, the key, exit 2, nothing started', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const cases = [
		{value: 'restart: sometimes', says: /components\.web\.restart: expected no, on-failure or always \(got "sometimes"\)/},
		{value: 'restart_delay: soon', says: /components\.web\.restart_delay: expected a duration/},
		{value: 'max_restarts: -1', says: /components\.web\.max_restarts/},
		{value: 'min_uptime: [10s]', says: /components\.web\.min_uptime/},
	];
	for (const {value, says} of cases) {
		const text = `version: 1\ncomponents:\n  temporal: {enabled: false}\n  stigmer-server: {port: ${home.port}}\n  web:\n    command: [sleep, "300"]\n    ${value}\n`;
		home.writeConfigText(text);
		const result = await home.cli(['server', 'start']);
		assert.equal(result.code, 2, show(result));
		const column = value.indexOf(':') + 2 + 4 + 1;
		assert.ok(result.stderr.includes(`${home.configFile}:7:${column}:`), `names file:line:col of the value:\n${show(result)}`);
		assert.match(result.stderr, says, show(result));
		assert.deepEqual(home.processes(), {}, 'nothing was started');
	}
});

test('leftovers of a dead component get stop_timeout of wall-clock grace, then SIGKILL, before the exit is recorded', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const graceMs = 2000;
	const home = await makeHome(t, {
		builtins: false,
		components: {
			// A worker that ignores SIGTERM outlives its parent, which prints when it exits.
			master: {command: ['sh', '-c', 'sh -c \'trap "" TERM; exec sleep 1234\' & sleep 0.5; echo "EXIT_AT=$(date +%s%3N)"; exit 2'], ready: {after: '100ms'}, restart: 'no', stop_timeout: `${graceMs}ms`},
		},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	await waitFor(() => stateRecord(home, 'master')?.['state'] === 'failed' || undefined, 'master to be recorded failed', 20_000);
	const exitAt = Number(/EXIT_AT=(\d+)/.exec(fs.readFileSync(home.logFile('master', 'stdout'), 'utf8'))?.[1]);
	// The record is written just before the .err line: wait (bounded) for the line too.
	const line = await waitFor(() => fs.readFileSync(home.logFile('master', 'stderr'), 'utf8').split('\n').find((l) => l.includes('stigmer: master exited with code 2')), `the exit line in master.err:\n${home.logs()}`, 5000);
	const recordedAt = Date.parse(line.slice(0, line.indexOf(' ')));
	const waited = recordedAt - exitAt;
	assert.ok(waited >= graceMs - 100, `the leftover got its grace: recorded ${waited}ms after the exit`);
	// Counted poll passes gave 2 s of grace 3-4 s under load; a deadline ends it within a pass or two of 2 s.
	assert.ok(waited <= graceMs + 900, `recorded ${waited}ms after the exit (grace ${graceMs}ms)`);
	// SIGKILLed before the record, it may linger a moment as a zombie until its reaper collects it.
	await waitFor(() => Object.keys(home.processes()).length === 0, `the leftover killed: ${JSON.stringify(home.processes())}`, 5000);
});
