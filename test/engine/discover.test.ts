// Discovery of what runs (docs/lifecycle.md#alive-and-ours, docs/lifecycle.md#cleanup-before-every-start): the members of the groups orphans lead, and the strangers of leftover groups,
// read exactly (members reparented away from their leader included) in one pass of the process table.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import test from 'node:test';
import {discover} from '../../source/engine/discover.js';
import {processTable} from '../../source/os/index.js';
import {homeAt} from '../../source/paths.js';
import {bootId, cleanEnv, groupMembers, isAlive, makeHome, parseCleaned, procStat, show, spawnMarked, statusJson, waitFor, type TestHome} from '../helpers.js';

const TEST_TIMEOUT_MS = 60_000;
/** Orphans leading groups in the one-pass test: several, so a pass per group would show as several calls. */
const ORPHANS = 4;
const WORKER = {builtins: false, components: {worker: {command: ['sleep', '300'], ready: {after: '10ms'}}}};
/** The leader execs sleep; its subshell backgrounds an unmarked sleep and exits, so that sleep is reparented away from the leader. */
const REPARENTED_MEMBER = ['sh', '-c', '(env -u STIGMER_HOME -u STIGMER_COMPONENT sleep 300 &); exec sleep 300'];

function comm(pid: number): string | undefined {
	try {
		return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** A marked orphan leading its own group, and the other member of that group, whose parent is not the leader. */
async function orphanWithReparentedMember(home: TestHome): Promise<{leader: number; member: number}> {
	const leader = spawnMarked(home, 'worker', REPARENTED_MEMBER).pid!;
	const member = await waitFor(() => {
		const members = groupMembers(leader);
		const other = members.find((pid) => pid !== leader);
		// Two sleeps: the subshell is gone, and the member has exec'd (no longer shows the shell's name).
		return members.length === 2 && other !== undefined && comm(leader) === 'sleep' && comm(other) === 'sleep' ? other : undefined;
	}, `the group of ${leader} to hold the leader and one reparented sleep`);
	home.track(member);
	assert.notEqual(procStat(member)?.ppid, leader, 'the member was reparented away from its leader');
	return {leader, member};
}

test('an orphan\'s group member reparented away from its leader (and unmarked) is listed by status and ended and reported by cleanup', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, WORKER);
	const {leader, member} = await orphanWithReparentedMember(home);

	const status = await statusJson(home);
	assert.deepEqual(status.byName.get('worker')!.orphans.map((o) => o.pid).sort((a, b) => a - b), [leader, member].sort((a, b) => a - b), `status lists the orphan and its group's member:\n${show(status.result)}`);

	const {result} = await home.start();
	const cleaned = parseCleaned(result.stdout).get('worker');
	assert.deepEqual(cleaned?.pids, [leader, member].sort((a, b) => a - b), `cleanup reports both:\n${show(result)}`);
	await waitFor(() => !isAlive(leader) && !isAlive(member), 'the orphan and its reparented member to be gone');
});

test('discover reads the groups it lists in one pass: orphans\' members (reparented ones too) and a leftover group\'s strangers', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, WORKER);
	const orphans: Array<{leader: number; member: number}> = [];
	for (let i = 0; i < ORPHANS; i++) {
		orphans.push(await orphanWithReparentedMember(home));
	}

	// A leftover group (docs/lifecycle.md#alive-and-ours): the recorded leader exited, its unmarked child still runs in the group.
	const shell = spawn('sh', ['-c', 'sleep 300 & exit 0'], {detached: true, stdio: 'ignore', env: cleanEnv()});
	const gone = shell.pid!;
	const startTime = procStat(gone)?.startTime;
	await new Promise((resolve) => {
		shell.once('exit', resolve);
	});
	const stranger = await waitFor(() => groupMembers(gone).find((pid) => comm(pid) === 'sleep'), 'the shell\'s sleep alone in its group');
	home.track(stranger);
	fs.mkdirSync(home.dataDir, {recursive: true, mode: 0o700});
	fs.writeFileSync(home.pidFile('old'), JSON.stringify({pid: gone, pgid: gone, startTime, bootId: bootId(), component: 'old', home: home.dir, argv: ['sh'], version: '0'}), {mode: 0o600});

	const passes: number[][] = [];
	let singles = 0;
	const {groupMembersOf, groupMembers: single} = processTable;
	processTable.groupMembersOf = (pgids) => {
		passes.push([...pgids]);
		return groupMembersOf(pgids);
	};

	processTable.groupMembers = (pgid) => {
		singles++;
		return single(pgid);
	};

	let found: ReturnType<typeof discover>;
	try {
		found = discover(homeAt(home.dir), ['worker']);
	} finally {
		processTable.groupMembersOf = groupMembersOf;
		processTable.groupMembers = single;
	}

	assert.equal(singles, 0, 'no group read one at a time');
	assert.equal(passes.length, 1, `one pass for every group: ${JSON.stringify(passes)}`);
	assert.deepEqual(new Set(passes[0]), new Set([...orphans.map((o) => o.leader), gone]));

	// Each orphan is followed by the member of its group, in the order the orphans were found (by pid).
	const expected = orphans.sort((a, b) => a.leader - b.leader).flatMap(({leader, member}) => [
		{pid: leader, pgid: leader, member: undefined},
		{pid: member, pgid: null, member: true},
	]);
	assert.deepEqual(found.get('worker')?.orphans.map(({pid, pgid, member}) => ({pid, pgid, member})), expected);
	assert.deepEqual(found.get('old')?.strangers.map((s) => s.pid), [stranger], 'the leftover group\'s unmarked member is a stranger');
	assert.deepEqual(found.get('old')?.orphans, []);
	assert.equal(found.get('old')?.strangers[0]?.startedAtMs, processTable.info(stranger)?.startedAtMs);
});
