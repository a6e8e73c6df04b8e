// Orphans and identity (docs/lifecycle.md#alive-and-ours, docs/lifecycle.md#cleanup-before-every-start, issue 2): the incident's six competing workflow-runners,
// PID files naming a stranger (PID reuse), and the legacy daemon.pid.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import {
	bootId, CLI, isAlive, makeHome, parseCleaned, parseStarted, procStat, readPidFile, show, spawnMarked,
	spawnStranger, statusJson, waitFor, type TestHome,
} from '../helpers.js';

const BUILTINS = ['agent-runner', 'stigmer-server', 'workflow-runner'];
const TEST_TIMEOUT_MS = 90_000;
/** The incident: six extra runners polling the same queue. */
const EXTRA_RUNNERS = 6;

const byNumber = (a: number, b: number) => a - b;

/** Write a PID file as the engine would (JSON), from a real record of this home with identity fields replaced. */
function writeRecord(home: TestHome, component: string, template: Record<string, unknown>, fields: Record<string, unknown>): void {
	// The forged record names a process no supervisor started (as a PID file overwritten by another start would).
	const {supervisorPid: _pid, supervisorStartTime: _time, ...unsupervised} = template;
	fs.writeFileSync(home.pidFile(component), JSON.stringify({...unsupervised, component, ...fields}), {mode: 0o600});
}

/** A start time that is not `real`, in the engine's own representation. */
function wrongStartTime(recorded: unknown, real: string): unknown {
	const shifted = Number(real) + 4321;
	if (typeof recorded === 'number') {
		return shifted;
	}

	return typeof recorded === 'string' && /^\d+$/.test(recorded) ? String(shifted) : 'Thu Jan  1 00:00:00 2009';
}

/** Same representation as the engine's, with this process's real start time. */
function realStartTime(recorded: unknown, real: string): unknown {
	return typeof recorded === 'number' ? Number(real) : real;
}

test('the incident: six extra marked workflow-runners and an overwritten PID file; start leaves exactly one', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const {result: first} = await home.start();
	const original = parseStarted(first.stdout).get('workflow-runner')!.pid;
	const template = readPidFile(home.pidFile('workflow-runner'))!;

	const extras = Array.from({length: EXTRA_RUNNERS}, () =>
		spawnMarked(home, 'workflow-runner', [process.execPath, CLI, 'internal-workflow-runner'], {STIGMER_SERVER_URL: `http://127.0.0.1:${home.port}`}).pid!,
	);
	await waitFor(() => extras.every((pid) => home.processes()['workflow-runner']?.includes(pid)), 'the extra runners to carry the marker');

	// The last runner started overwrote the PID file: it is recorded, the original runner is now an orphan.
	const recorded = extras.at(-1)!;
	const stat = procStat(recorded)!;
	writeRecord(home, 'workflow-runner', template, {pid: recorded, pgid: stat.pgid, startTime: realStartTime(template['startTime'], stat.startTime)});
	// The original runner's supervisor is no longer recorded either: ended with its group, and named (docs/lifecycle.md#cleanup-before-every-start).
	const orphans = [original, template['supervisorPid'] as number, ...extras.slice(0, -1)].sort(byNumber);

	const before = await statusJson(home);
	assert.equal(before.byName.get('workflow-runner')!.pid, recorded, 'status follows the PID file');
	assert.deepEqual(before.byName.get('workflow-runner')!.orphans.map((o) => o.pid).sort(byNumber), orphans, `status lists the orphans:\n${show(before.result)}`);

	const {result: start, started} = await home.start();
	const cleaned = parseCleaned(start.stdout).get('workflow-runner');
	assert.ok(cleaned, `\`cleaned up 6 orphaned workflow-runner processes (pids …)\`:\n${show(start)}`);
	assert.equal(cleaned.count, orphans.length, show(start));
	if (!cleaned.elided) {
		assert.deepEqual(cleaned.pids, orphans, 'every ended process not recorded in a valid PID file is reported');
	}

	const fresh = started.get('workflow-runner')!.pid;
	assert.deepEqual(home.processes()['workflow-runner'], [fresh], 'exactly one workflow-runner is left');
	for (const pid of [original, ...extras]) {
		assert.equal(isAlive(pid), false, `runner ${pid} is gone`);
	}

	const after = await statusJson(home);
	assert.equal(after.result.code, 0, show(after.result));
	assert.deepEqual(after.byName.get('workflow-runner')!.orphans, []);
});

test('PID reuse: PID files naming a live stranger (plain number, JSON with a wrong start time) never get it signalled', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const stranger = spawnStranger(home, ['sleep', '300']).pid!;
	await waitFor(() => procStat(stranger)?.state === 'S', 'the stranger to be asleep');
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});

	// 1. A legacy plain-number PID file: the stranger carries no marker, so the file is stale.
	fs.writeFileSync(home.pidFile('stigmer-server'), `${stranger}\n`, {mode: 0o600});
	const {started} = await home.start();
	assert.ok(isAlive(stranger), 'the stranger survives start');
	const server = started.get('stigmer-server')!.pid;
	assert.equal(readPidFile(home.pidFile('stigmer-server'))?.['pid'], server, 'the stale file was replaced by the real record');
	const template = readPidFile(home.pidFile('workflow-runner'))!;
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.ok(isAlive(stranger), 'the stranger survives stop');

	// 2. JSON records with the stranger's pid but a wrong start time (the pid was reused).
	const real = procStat(stranger)!.startTime;
	const fields = {pid: stranger, pgid: stranger, startTime: wrongStartTime(template['startTime'], real), bootId: bootId(), home: home.dir, argv: ['sleep', '300']};
	for (const name of BUILTINS) {
		writeRecord(home, name, template, fields);
	}

	const status = await statusJson(home);
	for (const name of BUILTINS) {
		assert.notEqual(status.byName.get(name)!.state, 'running', `${name} is not reported running on a stranger's pid`);
		assert.notEqual(status.byName.get(name)!.pid, stranger);
	}

	assert.ok(isAlive(stranger), 'the stranger survives status');
	const stopStale = await home.cli(['server', 'stop']);
	assert.equal(stopStale.code, 0, show(stopStale));
	assert.ok(isAlive(stranger), 'the stranger survives stop of stale files');

	for (const name of BUILTINS) {
		writeRecord(home, name, template, fields);
	}

	await home.start();
	assert.ok(isAlive(stranger), 'the stranger survives start');
	for (const name of BUILTINS) {
		assert.notEqual(readPidFile(home.pidFile(name))?.['pid'], stranger, `data/${name}.pid names the new process`);
	}

	const finalStop = await home.cli(['server', 'stop']);
	assert.equal(finalStop.code, 0, show(finalStop));
	assert.ok(isAlive(stranger), 'the stranger survives the final stop');
	assert.deepEqual(home.processes(), {});
});

test('legacy data/daemon.pid naming a live marked stigmer-server: cleaned up, file gone', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const legacy = spawnMarked(home, 'stigmer-server', [process.execPath, CLI, 'internal-server'], {PORT: String(home.port)}).pid!;
	await waitFor(async () => (await fetch(`http://127.0.0.1:${home.port}/healthz`)).ok, 'the legacy server to answer /healthz');
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
	const daemonPid = `${home.dataDir}/daemon.pid`;
	fs.writeFileSync(daemonPid, `${legacy}\n`, {mode: 0o600});

	const {started} = await home.start();
	assert.equal(isAlive(legacy), false, 'the legacy server is ended');
	assert.equal(fs.existsSync(daemonPid), false, 'data/daemon.pid is removed');
	const server = started.get('stigmer-server')!.pid;
	assert.notEqual(server, legacy);
	assert.deepEqual(home.processes()['stigmer-server'], [server], 'exactly one stigmer-server');
	assert.ok((await fetch(`http://127.0.0.1:${home.port}/healthz`)).ok, 'the new server answers on the port');
});

test('PID 1 and the CLI\'s own parent are never signalled, even when a PID file proves them', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	await home.start();
	const template = readPidFile(home.pidFile('agent-runner'))!;
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));

	// The CLI's parent is this test process: a record that passes every identity check names it.
	const self = procStat(process.pid)!;
	const records: Array<[string, number, string]> = [['agent-runner', process.pid, self.startTime]];
	// PID 1 only inside the test run's own PID namespace (test/run.mjs), where it is our tini or init.
	const init = fs.readFileSync('/proc/1/cmdline', 'utf8');
	if (/tini|test-init/.test(init)) {
		records.push(['workflow-runner', 1, procStat(1)!.startTime]);
	}

	const plant = (): void => {
		for (const [name, pid, startTime] of records) {
			writeRecord(home, name, template, {pid, pgid: procStat(pid)!.pgid, startTime: realStartTime(template['startTime'], startTime), bootId: bootId(), home: home.dir});
		}
	};

	plant();
	const stopAgain = await home.cli(['server', 'stop']);
	assert.equal(stopAgain.code, 0, show(stopAgain));
	plant();
	await home.start();
	assert.deepEqual(Object.keys(home.processes()).sort(), BUILTINS);
	// Still here: had either been signalled, this process (or the whole run) would have ended.
	assert.ok(isAlive(process.pid) && isAlive(1));
});
