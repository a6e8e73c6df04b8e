// One place of wording (docs/architecture.md): the engine throws facts and messages.ts words them; no import runs from
// engine/ to messages.ts; the cwd error and the lock wait are each one sentence, wherever they are read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {EXIT, StigmerError, StoppedBeforeError} from '../source/errors.js';
import {errorSummary, errorText, lockWaitText, warningText, wordedError} from '../source/messages.js';
import {makeHome, ROOT, show} from './helpers.js';

const TEST_TIMEOUT_MS = 60_000;

/** The modules of these rooms of source/ whose text matches `pattern`, as `room/file`. */
function offenders(rooms: string[], pattern: RegExp): string[] {
	return rooms.map((room) => path.join(ROOT, 'source', room)).flatMap((dir) => fs.readdirSync(dir, {recursive: true}).map(String).filter((f) => f.endsWith('.ts')).filter((f) => pattern.test(fs.readFileSync(path.join(dir, f), 'utf8'))).map((f) => path.join(path.basename(dir), f)));
}

test('no module of engine/, os/ or config/ imports messages.ts: the engine returns facts, commands/ and ui/ word them', () => {
	assert.deepEqual(offenders(['engine', 'os', 'config'], /from '(\.\.\/)+messages\.js'/), []);
});

test('no module of engine/, os/, config/ or logs/ prints: what a caller should know travels in the results (warnings), commands/ print it', () => {
	// A write to the process's own stdout or stderr, or console: logs/ writes to a sink it is given, never to these by name.
	assert.deepEqual(offenders(['engine', 'os', 'config', 'logs'], /\bprocess\.(stdout|stderr)\.write\b|\bconsole\.[a-z]+\(/), []);
});

test('reasons.ts, where the engine\'s `reason` sentences are worded, stays a leaf: it imports nothing from engine/ or messages.ts', () => {
	const text = fs.readFileSync(path.join(ROOT, 'source', 'reasons.ts'), 'utf8');
	assert.deepEqual([...text.matchAll(/from '(\.\/(?:engine\/[^']*|messages\.js))'/g)].map((m) => m[1]), []);
});

test('an engine warning is facts, worded once here', () => {
	assert.equal(warningText({kind: 'systemd-unreachable', target: 'stigmer-0.target', user: true, error: 'Failed to connect to bus'}), 'stigmer-0.target is exported, but systemctl --user cannot be reached: Failed to connect to bus; acting on this home with stigmer\'s own supervisors');
	assert.match(warningText({kind: 'systemd-unreachable', target: 't.target', user: false, error: 'x'}), /^t\.target is exported, but systemctl cannot be reached: x;/);
});

test('an action that failed after stopping components: the facts travel, the CLI and the dashboard word them alike', () => {
	const error = new StoppedBeforeError(new StigmerError('cannot write data/db.pid: no space left'), ['app', 'db']);
	assert.equal(errorText(error), 'cannot write data/db.pid: no space left; stopped app, db before this failure');
	assert.equal(errorSummary('restart db', error), '✗ restart db failed: cannot write data/db.pid: no space left; stopped app, db before this failure');
	const worded = wordedError(error) as StigmerError;
	assert.equal(worded.message, errorText(error));
	assert.equal(worded.exitCode, EXIT.failure);
	const plain = new StigmerError('x', EXIT.usage);
	assert.equal(wordedError(plain), plain, 'an error without facts is passed on as it is');
	assert.equal(lockWaitText({pid: 4121, verb: 'server start'}), 'waiting for pid 4121 (server start) …');
	assert.equal(lockWaitText({pid: null, verb: null}), 'waiting for another stigmer …');
});

test('a missing cwd is one sentence: `config check` and `start` say it alike, and start touches nothing', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {app: {command: ['sleep', '30'], cwd: '/nonexistent-stigmer-cwd'}}});
	const sentence = 'components.app.cwd: /nonexistent-stigmer-cwd does not exist; point it at a directory';
	const check = await home.cli(['config', 'check']);
	assert.equal(check.code, 2, show(check));
	assert.ok(check.stdout.trim().endsWith(sentence), show(check));
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 2, show(start));
	assert.ok(start.stderr.trim().endsWith(sentence), show(start));
	assert.deepEqual(home.processes(), {});
});
