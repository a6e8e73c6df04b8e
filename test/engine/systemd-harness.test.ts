// The confined systemd user manager the engine tests run on (test/fixtures/systemd-user.sh) really is one: it loads a
// unit, runs it, restarts it after kill -9, and leaves no cgroup directory or process behind.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {FIXTURES, show, waitFor, which} from '../helpers.js';
import {startUserManager} from '../helpers/systemd.js';

test('a confined systemd --user runs a unit, restarts it after kill -9, and leaves nothing behind', {timeout: 90_000}, async (t) => {
	const manager = await startUserManager(t);
	if (typeof manager === 'string') {
		t.skip(manager);
		return;
	}

	fs.writeFileSync(path.join(manager.unitDir, 'probe.service'), '[Service]\nType=exec\nExecStart=/bin/sleep 1000\nRestart=always\nRestartSec=100ms\n');
	for (const argv of [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'start', 'probe.service']]) {
		const result = await manager.run(argv);
		assert.equal(result.code, 0, show(result));
	}

	const first = await manager.show('probe.service', ['ActiveState', 'MainPID', 'NRestarts']);
	assert.equal(first['ActiveState'], 'active');
	assert.equal((await manager.run(['kill', '-9', first['MainPID'] ?? ''])).code, 0);
	const after = await waitFor(async () => {
		const now = await manager.show('probe.service', ['ActiveState', 'MainPID', 'NRestarts']);
		return now['NRestarts'] === '1' && now['ActiveState'] === 'active' ? now : undefined;
	}, 'systemd to restart the unit');
	assert.notEqual(after['MainPID'], first['MainPID']);

	assert.ok(fs.existsSync(manager.cgroupDir), `${manager.cgroupDir} is the manager's cgroup`);
	await manager.stop();
	// Only our own directory: another suite's manager may come and go meanwhile.
	assert.equal(fs.existsSync(manager.cgroupDir), false, 'the harness removed its cgroup tree');
});

test('the harness script passes shellcheck as POSIX sh', (t) => {
	const shellcheck = which('shellcheck');
	if (shellcheck === undefined) {
		t.skip('shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)');
		return;
	}

	const result = spawnSync(shellcheck, ['--shell=sh', path.join(FIXTURES, 'systemd-user.sh')], {encoding: 'utf8'});
	assert.equal(result.status, 0, result.stdout);
});
