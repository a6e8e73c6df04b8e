// The marker decides (docs/lifecycle.md#alive-and-ours, docs/lifecycle.md#cleanup-before-every-start): a PID file copied from another component proves nothing; status's pgid is the
// group the component runs in. (Cleanup naming a lost supervisor too: supervision.test.ts.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {fixture, isAlive, makeHome, procStat, readPidFile, show, statusJson, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;

const sleeper = {command: fixture('sleeper.mjs')};

test('a PID file of component a naming b\'s process and supervisor proves nothing: status shows a not running, `stop a` leaves b alone', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {a: sleeper, b: sleeper}});
	const first = await home.cli(['server', 'start', 'b']);
	assert.equal(first.code, 0, show(first));
	const record = readPidFile(home.pidFile('b'))!;
	const bPid = record['pid'] as number;
	const bSupervisor = record['supervisorPid'] as number;
	// The reviewer's repro: `jq -c '.component="a"' data/b.pid > data/a.pid; chmod 600 data/a.pid`.
	fs.writeFileSync(home.pidFile('a'), `${JSON.stringify({...record, component: 'a'})}\n`, {mode: 0o600});

	const status = await statusJson(home);
	const a = status.byName.get('a')!;
	assert.equal(a.pid, null, `a is not running on b's process:\n${show(status.result)}`);
	assert.notEqual(a.state, 'running', show(status.result));
	assert.equal(a.supervisorPid, null, show(status.result));
	assert.deepEqual(a.orphans, [], 'b\'s processes are not a\'s orphans');
	assert.match(a.reason ?? '', new RegExp(`pid ${bPid} is b's process`), show(status.result));
	assert.equal(status.byName.get('b')!.pid, bPid, show(status.result));
	assert.equal(status.byName.get('b')!.state, 'running', show(status.result));

	const stopped = await home.cli(['server', 'stop', 'a']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.match(stopped.stdout, /^a was not running$/m, show(stopped));
	assert.doesNotMatch(stopped.stdout, /cleaned up/, show(stopped));
	assert.equal(fs.existsSync(home.pidFile('a')), false, 'the foreign PID file is removed');
	assert.ok(isAlive(bPid) && isAlive(bSupervisor), 'b and its supervisor were not signalled');

	// A start of a alone ends nothing of b either, and b stays proven.
	const started = await home.cli(['server', 'start', 'a']);
	assert.equal(started.code, 0, show(started));
	assert.doesNotMatch(started.stdout, /cleaned up/, show(started));
	assert.ok(isAlive(bPid) && isAlive(bSupervisor), 'b survived a start of a');
	const after = await statusJson(home);
	assert.equal(after.byName.get('b')!.pid, bPid, show(after.result));
	assert.notEqual(after.byName.get('a')!.pid, bPid, show(after.result));
	assert.equal(after.byName.get('a')!.state, 'running', show(after.result));
});

test('the supervisor alone killed with -9: status\'s pgid is still the group the component runs in', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {q: sleeper}});
	const first = await home.cli(['server', 'start']);
	assert.equal(first.code, 0, show(first));
	const record = readPidFile(home.pidFile('q'))!;
	const supervisor = record['supervisorPid'] as number;
	const pid = record['pid'] as number;
	process.kill(supervisor, 'SIGKILL');
	await waitFor(() => !isAlive(supervisor), 'the supervisor to die');

	const status = await statusJson(home);
	const q = status.byName.get('q')!;
	assert.equal(q.pid, pid, show(status.result));
	assert.equal(procStat(pid)?.pgid, supervisor, 'the component still runs in the group its supervisor led');
	assert.equal(q.pgid, supervisor, `pgid is the group the component runs in:\n${show(status.result)}`);
	assert.equal(q.supervisorPid, null, show(status.result));
});

test('home A\'s PID file holding a copy of home B\'s record (home rewritten): A\'s status does not claim B\'s process, A\'s stop does not signal it', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const a = await makeHome(t, {builtins: false, components: {worker: sleeper}});
	const b = await makeHome(t, {builtins: false, components: {worker: sleeper}});
	const started = await b.cli(['server', 'start']);
	assert.equal(started.code, 0, show(started));
	const record = readPidFile(b.pidFile('worker'))!;
	const bPid = record['pid'] as number;
	const bSupervisor = record['supervisorPid'] as number;
	fs.mkdirSync(a.dataDir, {recursive: true, mode: 0o700});
	fs.writeFileSync(a.pidFile('worker'), `${JSON.stringify({...record, home: a.dir})}\n`, {mode: 0o600});

	const status = await statusJson(a);
	const worker = status.byName.get('worker')!;
	assert.equal(worker.pid, null, `B's process is not A's:\n${show(status.result)}`);
	assert.notEqual(worker.state, 'running', show(status.result));
	assert.equal(worker.supervisorPid, null, show(status.result));
	assert.match(worker.reason ?? '', new RegExp(`pid ${bPid} is worker of another home, ${b.dir}`), show(status.result));

	const stopped = await a.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.match(stopped.stdout, /^worker was not running$/m, show(stopped));
	assert.ok(isAlive(bPid) && isAlive(bSupervisor), 'B\'s component and supervisor were not signalled by A\'s stop');
	assert.equal((await statusJson(b)).byName.get('worker')!.pid, bPid, 'B still proves its own process');

	// The supervisor's record alone copied (the component between runs): still B's, never A's to end.
	fs.writeFileSync(a.pidFile('worker'), `${JSON.stringify({...record, home: a.dir, pid: 4_000_000})}\n`, {mode: 0o600});
	const again = await a.cli(['server', 'stop']);
	assert.equal(again.code, 0, show(again));
	assert.ok(isAlive(bSupervisor), 'B\'s supervisor survived A\'s stop');
});
