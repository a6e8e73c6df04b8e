// Never a stranger (docs/lifecycle.md#alive-and-ours, issue 9): reused leaderless groups, PID files naming another group, our own ancestors.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import test from 'node:test';
import {bootId, cleanEnv, CLI, groupMembers, isAlive, itemAt, makeHome, procStat, readPidFile, show, SLEEPER_ONLY, spawnStranger, statusJson, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;
const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid';
/** Tries at placing a process on a chosen pid: other suites in the namespace may take it first. */
const PLACE_TRIES = 5;

/** Run `argv` so that its pid is `pid` (ns_last_pid = pid - 1, then fork); undefined when another process took it first. */
async function spawnOnPid(pid: number, argv: string[], env: Record<string, string> = {}): Promise<number | undefined> {
	for (let i = 0; i < PLACE_TRIES; i++) {
		fs.writeFileSync(NS_LAST_PID, String(pid - 1));
		const child = spawn(itemAt(argv, 0), argv.slice(1), {stdio: 'ignore', env: cleanEnv(env), cwd: '/'});
		if (child.pid === pid) {
			child.unref();
			return pid;
		}

		// Another process took the pid first: end this try (kept referenced, so the wait holds the event loop).
		child.kill('SIGKILL');
		await new Promise((resolve) => {
			child.once('exit', resolve);
		});
		if (isAlive(pid)) {
			return undefined;
		}
	}

	return undefined;
}

/** Why this machine cannot place a process on a chosen pid, or undefined when it can. */
function placingPids(): string | undefined {
	if (process.getuid?.() !== 0) {
		return 'needs root to write ns_last_pid';
	}

	try {
		fs.writeFileSync(NS_LAST_PID, fs.readFileSync(NS_LAST_PID, 'utf8').trim());
		return undefined;
	} catch (error: unknown) {
		return `cannot write ${NS_LAST_PID} (not in a PID namespace of our own: ${(error as Error).message})`;
	}
}

/** The skip reason of the tests that place processes on chosen pids. */
const PLACING_PIDS = placingPids();

test('a reused leaderless group: a stranger that took the leader\'s pid and double-forked is never signalled, and status names it', {timeout: TEST_TIMEOUT_MS, skip: PLACING_PIDS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	await home.start();
	// The group's leader: the component's supervisor (or the component itself, unsupervised).
	const leader = readPidFile(home.pidFile('sleeper'))?.['pgid'] as number;
	process.kill(-leader, 'SIGKILL');
	await waitFor(() => groupMembers(leader).length === 0 && !isAlive(leader), 'the whole group to die');

	// The stranger: setsid makes pid `leader` a session and group leader, its sh forks a sleep and exits.
	const placed = await spawnOnPid(leader, ['setsid', 'sh', '-c', 'sleep 300 & exit 0']);
	if (placed === undefined) {
		t.skip(`pid ${leader} was taken by another process before the stranger`);
		return;
	}

	const sleep = await waitFor(() => {
		const members = groupMembers(leader);
		return !isAlive(leader) && members.length === 1 ? members[0] : undefined;
	}, 'the stranger\'s sleep alone in group ' + leader);
	home.track(sleep);

	const status = await statusJson(home);
	const sleeper = status.byName.get('sleeper') as unknown as {state: string; orphans: Array<{pid: number}>; strangers?: Array<{pid: number}>};
	assert.deepEqual(sleeper.orphans, [], 'the unmarked sleep is not an orphan of ours');
	assert.deepEqual(sleeper.strangers?.map((s) => s.pid), [sleep], `status names the stranger:\n${show(status.result)}`);
	const table = await home.cli(['server', 'status']);
	assert.match(table.stdout, new RegExp(`pid ${sleep} in its old process group carries no stigmer marker: not ours, left alone`));

	const {result: again} = await home.start();
	assert.doesNotMatch(again.stdout, /cleaned up/, 'nothing was cleaned up');
	assert.ok(isAlive(sleep), 'start did not kill the stranger');
	const stopped = await home.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.ok(isAlive(sleep), 'stop did not kill the stranger');
	process.kill(sleep, 'SIGKILL');
});

test('a PID file whose pid proves out but whose pgid names another group: that group is never signalled', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	await home.start();
	const stranger = spawnStranger(home, ['sleep', '300']).pid!;
	await waitFor(() => procStat(stranger)?.pgid === stranger, 'the stranger to lead its own group');
	const record = readPidFile(home.pidFile('sleeper'))!;
	fs.writeFileSync(home.pidFile('sleeper'), JSON.stringify({...record, pgid: stranger}));

	const stopped = await home.cli(['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	assert.ok(isAlive(stranger), 'the group the file named was left alone');
	await waitFor(() => !isAlive(record['pid'] as number), 'the proved sleeper itself to be stopped');
});

test('`server start` from a shell that carries this home\'s marker (inside a component\'s shell): our ancestors are never ours', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	await home.start();
	const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" server start; echo "exit=$?"`], {
		env: cleanEnv({STIGMER_HOME: home.dir, STIGMER_COMPONENT: 'sleeper'}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		out += chunk;
	});
	shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		out += chunk;
	});
	const code = await new Promise((resolve) => {
		shell.once('close', resolve);
	});
	assert.equal(code, 0);
	assert.match(out, /exit=0/, out);
	assert.doesNotMatch(out, /bug in stigmer|refusing to signal|cleaned up/, out);
	const status = await statusJson(home);
	assert.equal(status.byName.get('sleeper')!.state, 'running', show(status.result));
});

test('a PID file naming stigmer\'s grandparent as the supervisor (a wrapper between them, as timeout or npx): never signalled', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
	// The shell leads its own group (detached) and records itself as the supervisor of a dead component, with its real
	// start time; stigmer runs under a second shell, so the recorded supervisor is its grandparent, not its parent.
	const record = `{"pid":999999,"pgid":$$,"startTime":"1","bootId":"${bootId()}","component":"sleeper","home":"${home.dir}","argv":["x"],"version":"0","supervisorPid":$$,"supervisorStartTime":"$(cut -d' ' -f22 /proc/$$/stat)"}`;
	const script = `printf '%s' "${record.replaceAll('"', '\\"')}" > "${home.pidFile('sleeper')}"; sh -c '"${process.execPath}" "${CLI}" server stop sleeper; echo "exit=$?"'; echo survived`;
	const shell = spawn('sh', ['-c', script], {env: cleanEnv({STIGMER_HOME: home.dir}), stdio: ['ignore', 'pipe', 'pipe'], detached: true});
	let out = '';
	shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		out += chunk;
	});
	shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		out += chunk;
	});
	const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
		shell.once('close', (c, s) => resolve([c, s]));
	});
	assert.deepEqual([code, signal], [0, null], out);
	assert.match(out, /exit=0\nsurvived\n$/, out);
	assert.doesNotMatch(out, /bug in stigmer|refusing to signal|waiting to restart/, out);
});

test('component names follow docs/config.md: 1-64 of a-z 0-9 - _, not daemon; errors name file:line:col and the rule (exit 2)', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const cases: Array<[string, RegExp]> = [
		['daemon', /reserved/],
		['"../x"', /1-64 characters of a-z, 0-9, "-" and "_"/],
		['a/b', /1-64 characters/],
		['Redis', /1-64 characters/],
		['web.app', /1-64 characters/],
		['x'.repeat(300), /1-64 characters/],
	];
	for (const [name, rule] of cases) {
		home.writeConfigText(`version: 1\ncomponents:\n  temporal: {enabled: false}\n  ${name}:\n    command: [sleep, "1"]\n  stigmer-server: {enabled: false, port: ${home.port}}\n  workflow-runner: {enabled: false}\n  agent-runner: {enabled: false}\n`);
		for (const verb of ['start', 'status']) {
			const result = await home.cli(['server', verb]);
			// status goes on from the last valid config (the defaults here) after one warning line naming the problem.
			assert.equal(result.code, verb === 'start' ? 2 : 3, `${name}: ${show(result)}`);
			assert.match(result.stderr, new RegExp(`config\\.yaml:4:3: components: `), `${name}: ${show(result)}`);
			assert.match(result.stderr, rule, `${name}: ${show(result)}`);
			assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
		}
	}

	assert.deepEqual(fs.existsSync(home.dataDir) ? fs.readdirSync(home.dataDir) : [], [], 'nothing was left under data/');
});

test('orphans in status are sorted by pid as numbers (9000 before 10000)', {timeout: TEST_TIMEOUT_MS, skip: PLACING_PIDS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	const marker = {STIGMER_HOME: home.dir, STIGMER_COMPONENT: 'sleeper'};
	const placed: number[] = [];
	for (const pid of [10_000, 9000]) {
		if (isAlive(pid) || (await spawnOnPid(pid, ['sleep', '300'], marker)) === undefined) {
			t.skip(`pid ${pid} is taken here`);
			return;
		}

		home.track(pid);
		placed.push(pid);
	}

	const status = await statusJson(home);
	assert.deepEqual(status.byName.get('sleeper')!.orphans.map((o) => o.pid), [9000, 10_000], show(status.result));
	for (const pid of placed) {
		process.kill(pid, 'SIGKILL');
	}
});

test('`server status` and `dash --once` take no argument: one given is a usage error (exit 2), as for `server stop`', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, SLEEPER_ONLY);
	for (const args of [['server', 'status', 'bogus'], ['dash', '--once', 'bogus']]) {
		const result = await home.cli(args);
		assert.equal(result.code, 2, show(result));
		assert.match(result.stderr, /unexpected argument "bogus"/, show(result));
	}
});
