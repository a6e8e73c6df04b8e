// `stigmer export systemd` and the handover on a REAL systemd user manager (test/fixtures/systemd-user.sh): units that
// verify, a stack systemd starts in dependency order, restarts after kill -9, and that `server start|stop|status` drive
// through systemctl without ever running a second copy (docs/engines.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {fixture, freePort, makeHome, parseStarted, processesByComponent, show, waitFor, type TestHome} from '../helpers.js';
import {startUserManager, type UserManager} from '../helpers/systemd.js';

const TEST_TIMEOUT_MS = 200_000;
/** An argv systemd would mangle without escaping: specifiers, variables, quotes, spaces, backslashes, a lone `;`. */
const HOSTILE_ARGV = ['100%', '%h', '$HOME', '${PATH}', '$$', 'it\'s "quoted"', 'a b  c', 'back\\slash', ';', ''];
const COMPONENTS = ['stigmer-server', 'workflow-runner', 'agent-runner', 'argv'];

type Units = {target: string; units: Map<string, string>; files: string[]};

/** The units an export wrote, from its `wrote N files` lines. */
function written(stdout: string): Units {
	const files = [...stdout.matchAll(/^ {2}(\/\S+)$/gm)].map((m) => m[1] ?? '');
	const target = path.basename(files.find((f) => f.endsWith('.target')) ?? '');
	const prefix = target.replace(/\.target$/, '');
	const units = new Map(COMPONENTS.map((c) => [c, `${prefix}-${c}.service`]));
	return {target, units, files};
}

async function unitProps(manager: UserManager, unit: string): Promise<Record<string, string>> {
	return manager.show(unit, ['ActiveState', 'SubState', 'MainPID', 'NRestarts', 'ExecMainStartTimestampMonotonic', 'ActiveEnterTimestampMonotonic']);
}

/** Exactly one process per component of the home (probes that are still ending are waited out), and no stigmer supervisor. */
async function onePerComponent(home: TestHome): Promise<Record<string, number[]>> {
	return waitFor(() => {
		const by = processesByComponent(home.dir);
		const supervisors = processesByComponent(home.dir, 'supervisors');
		return COMPONENTS.every((c) => by[c]?.length === 1) && Object.keys(supervisors).length === 0 ? by : undefined;
	}, 'one process per component and no stigmer supervisor', 15_000);
}

test('export systemd: verified units, dependency order, MainPID = status pid, kill -9 restarts, handover, up to date, --remove', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const manager = await startUserManager(t);
	if (typeof manager === 'string') {
		t.skip(manager);
		return;
	}

	const home = await makeHome(t, {components: {argv: {command: [...fixture('argv-dump.mjs'), ...HOSTILE_ARGV], depends_on: ['stigmer-server'], restart_delay: '2s'}}});
	// The stack runs under stigmer's own supervisors first: systemd's start must end that copy, never run a second.
	const own = await manager.cli(home.dir, ['server', 'start'], {timeoutMs: 90_000});
	assert.equal(own.code, 0, show(own));
	assert.ok(Object.keys(processesByComponent(home.dir, 'supervisors')).length > 0, 'stigmer supervisors run the stack');
	const exported = await manager.cli(home.dir, ['export', 'systemd']);
	assert.equal(exported.code, 0, show(exported));
	assert.match(exported.stderr, /^stigmer: not exact: restart_delay \(argv\): /m, 'each inexact mapping the user set is said on stderr');
	const {target, units, files} = written(exported.stdout);
	assert.equal(files.length, 2 * COMPONENTS.length + 1, show(exported));
	for (const file of files.filter((f) => f.endsWith('.env'))) {
		assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
	}

	// Every unit passes systemd's own verifier, silently.
	const unitFiles = files.filter((f) => !f.endsWith('.env'));
	const verified = await manager.run(['systemd-analyze', '--user', 'verify', ...unitFiles]);
	assert.equal(verified.code, 0, show(verified));
	assert.equal(verified.stderr, '', show(verified));

	const started = await manager.run(['systemctl', '--user', 'start', target], {timeoutMs: 90_000});
	assert.equal(started.code, 0, `${show(started)}\n${home.logs()}`);
	const props = new Map(await Promise.all(COMPONENTS.map(async (c) => [c, await unitProps(manager, units.get(c) ?? '')] as const)));
	for (const [name, p] of props) {
		assert.equal(p['ActiveState'], 'active', `${name}: ${JSON.stringify(p)}\n${home.logs()}`);
	}

	// Dependency order: a runner's process started only once the server was ready (its ExecStartPost probe passed).
	const serverReady = Number(props.get('stigmer-server')?.['ActiveEnterTimestampMonotonic']);
	for (const runner of ['workflow-runner', 'agent-runner', 'argv']) {
		assert.ok(Number(props.get(runner)?.['ExecMainStartTimestampMonotonic']) >= serverReady, `${runner} started after stigmer-server was ready`);
	}

	// status reads systemd: engine, and the pid is the unit's MainPID.
	const status = await manager.cli(home.dir, ['server', 'status', '--json']);
	assert.equal(status.code, 0, show(status));
	const report = JSON.parse(status.stdout) as {components: Array<{name: string; pid: number | null; engine: string; state: string}>};
	for (const c of report.components.filter((c) => COMPONENTS.includes(c.name))) {
		assert.equal(c.engine, 'systemd', c.name);
		assert.equal(c.state, 'running', c.name);
		assert.equal(String(c.pid), props.get(c.name)?.['MainPID'], `${c.name}: status pid is the unit's MainPID`);
	}

	const table = await manager.cli(home.dir, ['server', 'status']);
	assert.match(table.stdout, new RegExp(`engine: systemd \\(${target.replaceAll('.', '\\.')}\\)`), show(table));

	// The argv reached the program exactly.
	const argvLine = await waitFor(() => /argv (\[.*\])$/m.exec(fs.readFileSync(home.logFile('argv'), 'utf8'))?.[1], 'the argv line');
	assert.deepEqual(JSON.parse(argvLine), HOSTILE_ARGV);
	await onePerComponent(home);

	// kill -9 of a runner: systemd restarts it; still one process per component.
	const runnerPid = props.get('workflow-runner')?.['MainPID'] ?? '';
	assert.equal((await manager.run(['kill', '-9', runnerPid])).code, 0);
	const restarted = await waitFor(async () => {
		const p = await unitProps(manager, units.get('workflow-runner') ?? '');
		return p['NRestarts'] === '1' && p['ActiveState'] === 'active' ? p : undefined;
	}, 'systemd to restart workflow-runner', 30_000);
	assert.notEqual(restarted['MainPID'], runnerPid);
	await onePerComponent(home);

	// `server start` hands over: systemctl restarts the units, the same ✓ lines, no stigmer copy.
	const handed = await manager.cli(home.dir, ['server', 'start'], {timeoutMs: 90_000});
	assert.equal(handed.code, 0, `${show(handed)}\n${home.logs()}`);
	const ticks = parseStarted(handed.stdout);
	assert.deepEqual([...ticks.keys()].sort(), [...COMPONENTS].sort(), show(handed));
	for (const c of COMPONENTS) {
		const p = await unitProps(manager, units.get(c) ?? '');
		assert.equal(p['ActiveState'], 'active', c);
		assert.equal(String(ticks.get(c)?.pid), p['MainPID'], `${c}: the ✓ line's pid is the unit's MainPID`);
	}

	await onePerComponent(home);

	// One component: `stop NAME` and `start NAME` act on its unit, with stigmer's lines.
	const stopOne = await manager.cli(home.dir, ['server', 'stop', 'agent-runner']);
	assert.equal(stopOne.code, 0, show(stopOne));
	assert.match(stopOne.stdout, /^agent-runner stopped in \d/m, show(stopOne));
	assert.equal((await unitProps(manager, units.get('agent-runner') ?? ''))['ActiveState'], 'inactive');
	const startOne = await manager.cli(home.dir, ['server', 'start', 'agent-runner'], {timeoutMs: 60_000});
	assert.equal(startOne.code, 0, show(startOne));
	const agent = await unitProps(manager, units.get('agent-runner') ?? '');
	assert.equal(String(parseStarted(startOne.stdout).get('agent-runner')?.pid), agent['MainPID'], show(startOne));
	await onePerComponent(home);

	// The dashboard reads systemd too.
	const dash = await manager.cli(home.dir, ['dash', '--once']);
	assert.equal(dash.code, 0, show(dash));
	assert.ok(dash.stdout.includes(`engine: systemd (${target})`), show(dash));

	// A foreground run beside systemd's stack would be a second copy: refused in one line, nothing touched.
	const run = await manager.cli(home.dir, ['server', 'run'], {timeoutMs: 30_000});
	assert.equal(run.code, 1, show(run));
	assert.match(run.stderr, /^stigmer: this home's stack is run by systemd \(.*\): `server run` would start a second copy/m, show(run));
	await onePerComponent(home);

	// Unchanged config: `up to date`, nothing written.
	const mtimes = files.map((f) => fs.statSync(f).mtimeMs);
	const again = await manager.cli(home.dir, ['export', 'systemd']);
	assert.equal(again.code, 0, show(again));
	assert.match(again.stdout, /^up to date/m, show(again));
	assert.deepEqual(files.map((f) => fs.statSync(f).mtimeMs), mtimes);

	// `server stop` through systemd: every unit inactive, nothing of the home left.
	const stopped = await manager.cli(home.dir, ['server', 'stop'], {timeoutMs: 60_000});
	assert.equal(stopped.code, 0, show(stopped));
	assert.match(stopped.stdout, /^stigmer-server stopped in \d/m, show(stopped));
	for (const c of COMPONENTS) {
		assert.equal((await unitProps(manager, units.get(c) ?? ''))['ActiveState'], 'inactive', c);
	}

	assert.deepEqual(processesByComponent(home.dir), {});

	// A unit changed by hand is refused by name, replaced with --force.
	const unit = unitFiles[0] ?? '';
	fs.appendFileSync(unit, '# mine\n');
	const refused = await manager.cli(home.dir, ['export', 'systemd']);
	assert.equal(refused.code, 1, show(refused));
	assert.ok(refused.stderr.includes(unit), show(refused));
	const forced = await manager.cli(home.dir, ['export', 'systemd', '--force']);
	assert.equal(forced.code, 0, show(forced));

	// --remove deletes exactly what was written; the home is back to stigmer's own supervisors.
	await manager.run(['systemctl', '--user', 'start', target], {timeoutMs: 90_000});
	const removed = await manager.cli(home.dir, ['export', 'systemd', '--remove']);
	assert.equal(removed.code, 0, show(removed));
	assert.match(removed.stdout, new RegExp(`^stopped and disabled ${target.replaceAll('.', '\\.')}$`, 'm'), show(removed));
	for (const file of files) {
		assert.equal(fs.existsSync(file), false, `${file} removed`);
	}

	assert.equal(fs.existsSync(path.join(home.dataDir, 'export-systemd.json')), false);
	assert.deepEqual(processesByComponent(home.dir), {}, 'removing the export stopped its units');
	const loaded = await manager.show(target, ['LoadState']);
	assert.equal(loaded['LoadState'], 'not-found');
});

test('export systemd --enable enables and starts the target and speaks of lingering; a unit not ready fails `server start` with its reason', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const manager = await startUserManager(t);
	if (typeof manager === 'string') {
		t.skip(manager);
		return;
	}

	const handoffPort = await freePort();
	// Its listener leaves the process group and drops the marker, as a daemon's worker may: still the unit's, by its cgroup.
	const listener = `require('net').createServer().listen(${handoffPort}, '127.0.0.1')`;
	const home = await makeHome(t, {builtins: false, components: {
		sleeper: {command: fixture('sleeper.mjs')},
		handoff: {command: ['sh', '-c', `setsid env -u STIGMER_HOME -u STIGMER_COMPONENT -u STIGMER_ENGINE ${process.execPath} -e "${listener}" & wait`], ready: {tcp: handoffPort}, ready_timeout: '10s'},
		// Nothing ever listens on this port: its ExecStartPost probe gives up after ready_timeout.
		never: {command: fixture('sleeper.mjs'), ready: {tcp: await freePort()}, ready_timeout: '1s', restart: 'no'},
	}});
	const enabled = await manager.cli(home.dir, ['export', 'systemd', '--enable'], {timeoutMs: 60_000});
	const target = written(enabled.stdout).target;
	assert.match(enabled.stdout, new RegExp(`^enabled and started ${target.replaceAll('.', '\\.')}$`, 'm'), show(enabled));
	assert.match(enabled.stdout, /^lingering is (on|off|unknown) for \S+: /m, show(enabled));
	assert.equal((await manager.run(['systemctl', '--user', 'is-enabled', target])).stdout.trim(), 'enabled');
	const prefix = target.replace(/\.target$/, '');
	assert.equal((await manager.show(`${prefix}-sleeper.service`, ['ActiveState']))['ActiveState'], 'active');

	const start = await manager.cli(home.dir, ['server', 'start'], {timeoutMs: 60_000});
	assert.equal(start.code, 1, show(start));
	assert.match(start.stdout, /^✓ sleeper\s+pid \d+\s+ready in /m, show(start));
	assert.match(start.stdout, /^✓ handoff\s+pid \d+\s+ready in /m, `a listener in the unit's cgroup is the unit's:\n${show(start)}`);
	assert.match(start.stderr, /^✗ never: not ready within 1s \(waited for: TCP 127\.0\.0\.1:\d+ accepts\)$/m, show(start));
	assert.match(start.stderr, /never not ready: not ready within 1s/, 'the probe\'s own reason, from the unit\'s .err');
	const status = await manager.cli(home.dir, ['server', 'status', '--json']);
	assert.equal(status.code, 3, show(status));
	const never = (JSON.parse(status.stdout) as {components: Array<{name: string; state: string; engine: string}>}).components.find((c) => c.name === 'never');
	assert.deepEqual({state: never?.state, engine: never?.engine}, {state: 'failed', engine: 'systemd'});

	const removed = await manager.cli(home.dir, ['export', 'systemd', '--remove']);
	assert.equal(removed.code, 0, show(removed));
	assert.equal((await manager.show(target, ['LoadState']))['LoadState'], 'not-found');
	assert.deepEqual(processesByComponent(home.dir), {});
});
