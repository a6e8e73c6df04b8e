// Every `reason` the engine reports is worded in source/reasons.ts from facts (docs/json.md keeps the words stable):
// each sentence pinned here, table by table, as status, start and the dashboard show it.
import assert from 'node:assert/strict';
import test from 'node:test';
import {endingLeftovers, exitedBeforeReady, exitHow, holderText, notReadyWithin, PID_FILE_WORDS, PID_TEXT_WORDS, portAnsweredByOther, RECORD_WORDS, portInUse, recordText, startFailed, unitStateText, unitText, waitingFor, type RecordFacts} from '../source/reasons.js';

test('holder descriptions: another home\'s component, a stray process, a process we cannot see', () => {
	assert.equal(holderText({kind: 'process', pid: 812, command: 'node', home: '/home/ana/other', component: 'stigmer-server'}), 'pid 812 (stigmer-server of /home/ana/other)');
	assert.equal(holderText({kind: 'process', pid: 812, command: 'redis-server', home: null, component: null}), 'pid 812 (redis-server)');
	assert.equal(holderText({kind: 'process', pid: 812, command: '', home: null, component: null}), 'pid 812');
	assert.equal(holderText({kind: 'hidden'}), 'another user\'s process');
});

test('a failed start\'s reasons, from facts', () => {
	const cases: Array<[string, string]> = [
		[exitedBeforeReady(undefined), 'exited before it was ready'],
		[exitedBeforeReady({code: 1, signal: null}), 'exited with code 1 before it was ready'],
		[exitedBeforeReady({code: null, signal: 'SIGKILL'}), 'was killed by SIGKILL before it was ready'],
		[exitedBeforeReady({code: null, signal: null}), 'exited before it was ready'], // no status recorded (a full disk): never `code null`
		[portAnsweredByOther(7234, 'pid 812 (nc)', 'web', 'web'), 'port 7234 answered, but it is held by pid 812 (nc), not by web'],
		[portAnsweredByOther(7234, 'pid 812 (nc)', 'stigmer-server', 'workflow-runner'), 'port 7234 answered, but it is held by pid 812 (nc), not by this home\'s stigmer-server'],
		[portInUse(7234, 'pid 812 (redis-server)', 'web', 'web'), 'port 7234 is in use by pid 812 (redis-server)'],
		[portInUse(7234, 'pid 812 (redis-server)', 'stigmer-server', 'workflow-runner'), 'port 7234 (stigmer-server\'s) is in use by pid 812 (redis-server)'],
		[notReadyWithin(30_000, 'tcp 127.0.0.1:6390 accepts'), 'not ready within 30s (waited for: tcp 127.0.0.1:6390 accepts)'],
		[startFailed('exited with code 1 before it was ready'), 'start failed: exited with code 1 before it was ready'],
	];
	for (const [said, expected] of cases) {
		assert.equal(said, expected);
	}
});

test('a status\'s reasons from a supervisor\'s record: how it ended, then what the supervisor does about it', () => {
	const record = (fields: Partial<RecordFacts>): RecordFacts => ({state: 'failed', lastExit: {code: 3, signal: null}, restarts: 0, maxRestarts: 5, streakMs: null, policy: 'on-failure', ...fields});
	const cases: Array<[string | null, string | null]> = [
		[recordText(record({lastExit: null})), null],
		[recordText(record({reason: 'start failed: x'})), 'start failed: x'],
		[recordText(record({state: 'backoff', restarts: 1})), 'exit code 3; restart 1 of 5'],
		[recordText(record({restarts: 5, streakMs: 14_000})), 'exit code 3; gave up after 5 restarts in 14s'],
		[recordText(record({policy: 'no'})), 'exit code 3; not restarted (restart: no)'],
		[recordText(record({})), 'exit code 3 while starting'],
		[recordText(record({state: 'exited', lastExit: {code: 0, signal: null}, policy: 'on-failure'})), 'exit code 0; not restarted (restart: on-failure)'],
		[recordText(record({state: 'ending', lastExit: {code: null, signal: 'SIGKILL'}})), 'killed by SIGKILL'],
		[exitHow({code: 137, signal: 'SIGKILL'}), 'exit code 137 or killed by SIGKILL'],
		[exitHow({code: null, signal: null}), 'killed by a signal'],
		[endingLeftovers(null), 'exited; ending what is left of its process group'],
		[endingLeftovers('exit code 3'), 'exit code 3; ending what is left of its process group'],
		[waitingFor('db', 'running'), 'waiting for db (not ready)'],
		[waitingFor('db', 'stopped'), 'waiting for db (not running)'],
		[waitingFor('db', 'backoff'), 'waiting for db (backoff)'],
		[unitText('exit-code', {code: 3, signal: null}), 'systemd: exit-code; exit code 3'],
		[unitText('signal', {code: null, signal: 'SIGKILL'}), 'systemd: signal; killed by SIGKILL'],
		[unitStateText('stigmer-web.service', 'failed'), 'stigmer-web.service is failed'],
		[RECORD_WORDS.unusable('/h/data/web.state', 'directory'), '/h/data/web.state is a directory; its record is ignored'],
		[RECORD_WORDS.tooLarge('/h/data/web.state', 70_000), '/h/data/web.state is too large to be a record (70000 bytes); it is ignored'],
	];
	for (const [said, expected] of cases) {
		assert.equal(said, expected);
	}
});

test('a PID file that proves nothing says why (status\'s `crashed` reason)', () => {
	assert.equal(PID_FILE_WORDS.unreadable(PID_TEXT_WORDS.notARecord('garbage')), 'unreadable PID file (not a pid or a stigmer PID record: "garbage")');
	assert.equal(PID_FILE_WORDS.unreadable(PID_TEXT_WORDS.outOfRange('99999999')), 'unreadable PID file (pid 99999999 is out of range)');
	assert.equal(PID_FILE_WORDS.exitedWithoutStop(4121), 'pid 4121 exited without a stop');
	assert.equal(PID_FILE_WORDS.claimed(4121, {component: 'db'}), 'pid 4121 is db\'s process (its marker says STIGMER_COMPONENT=db)');
	assert.equal(PID_FILE_WORDS.claimed(4121, {component: 'db', home: '/srv/other', supervisor: true}), 'pid 4121 is the supervisor of db of another home, /srv/other');
});
