// Ending a group (docs/lifecycle.md#stop): `gone` answers from the target itself while it lives, and scans for members only after it died.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import test from 'node:test';
import {end, gone, type Target} from '../../source/engine/terminate.js';
import {processTable} from '../../source/os/index.js';
import {cleanEnv, isAlive, waitFor} from '../helpers.js';

/** Run `body` with processTable.groupMembers counted; the count of full scans it made. */
function countingScans(body: () => void): number {
	let scans = 0;
	const {groupMembers} = processTable;
	processTable.groupMembers = (pgid) => {
		scans++;
		return groupMembers(pgid);
	};

	try {
		body();
	} finally {
		processTable.groupMembers = groupMembers;
	}

	return scans;
}

test('gone: a live target answers without a scan; a dead leader with a live member is not gone; both ended, gone', async () => {
	// A group whose leader stays: every poll of a slow stop used to scan all of /proc.
	const leader = spawn('sleep', ['30'], {detached: true, stdio: 'ignore', env: cleanEnv()});
	const pid = leader.pid!;
	const target: Target = {pid, pgid: pid, signal: 'SIGTERM', timeoutMs: 5000};
	try {
		let answer: boolean | undefined;
		assert.equal(countingScans(() => (answer = gone(target))), 0, 'a live target needs no scan');
		assert.equal(answer, false);
		assert.equal((await end(target)).how, 'stopped');
		assert.equal(isAlive(pid), false);
	} finally {
		leader.kill('SIGKILL');
	}

	// Leader exited, its child still in the group: only the scan can tell, and it must say "not gone".
	const shell = spawn('sh', ['-c', 'sleep 30 & exit 0'], {detached: true, stdio: 'ignore', env: cleanEnv()});
	const group = shell.pid!;
	await new Promise((resolve) => {
		shell.once('exit', resolve);
	});
	const member = await waitFor(() => processTable.groupMembers(group)[0], 'the sleep left in the group');
	try {
		const orphaned: Target = {pid: group, pgid: group, signal: 'SIGTERM', timeoutMs: 5000};
		let answer: boolean | undefined;
		assert.equal(countingScans(() => (answer = gone(orphaned))), 1, 'a dead target: one scan for the rest of its group');
		assert.equal(answer, false, 'the member still runs');
		assert.equal((await end(orphaned)).how, 'stopped');
		assert.equal(isAlive(member), false);
		assert.equal(gone(orphaned), true);
	} finally {
		try {
			process.kill(member, 'SIGKILL');
		} catch {}
	}
});
