// One place of wording (docs/architecture.md): the engine throws facts and messages.ts words them; no import runs from
// engine/ to messages.ts; the cwd error and the lock wait are each one sentence, wherever they are read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {EXIT, FactError, StigmerError, StoppedBeforeError, type FailureFacts} from '../source/errors.js';
import {errorSummary, errorText, lockWaitText, warningText} from '../source/messages.js';
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

test('no module of engine/ or os/ builds an error\'s sentence: it throws facts (FactError) or a reason worded in reasons.ts', () => {
	// A sentence built at the throw: `new StigmerError(\`…\`)`, or a UsageError/ConfigError the same way.
	assert.deepEqual(offenders(['engine', 'os'], /new (?:StigmerError|UsageError|ConfigError)\(`/), []);
});

/** Each engine failure's facts and the one sentence the CLI (`stigmer: …`) and the dashboard (`✗ … failed: …`) show for it. */
const FAILURES: Array<[FailureFacts, string]> = [
	[{kind: 'run-beside-systemd', target: 's.target'}, 'this home\'s stack is run by systemd (s.target): `server run` would start a second copy; use `stigmer server start|stop|logs`, or hand it back with `stigmer export systemd --remove`'],
	[{kind: 'systemd-enabled-unreachable', target: 's.target', user: true, error: 'Failed to connect to bus'}, 'this home\'s stack is enabled in systemd (s.target), but systemctl --user cannot be reached: Failed to connect to bus; run this where the manager runs, or `stigmer export systemd --remove`'],
	[{kind: 'systemd-enabled-unreachable', target: 's.target', user: false, error: 'x'}, 'this home\'s stack is enabled in systemd (s.target), but systemctl cannot be reached: x; run this where the manager runs, or `stigmer export systemd --remove`'],
	[{kind: 'not-exported', components: ['web', 'db'], target: 's.target'}, 'web, db: not among the units of s.target; run `stigmer export systemd` again'],
	[{kind: 'systemctl-stop-failed', detail: 'Access denied'}, 'systemctl stop failed: Access denied'],
	[{kind: 'unexport-failed', target: 's.target', detail: 'exit 1'}, 'could not stop and disable s.target (exit 1): its units may still run, so nothing was removed; stop them, or pass --force'],
	[{kind: 'unit-user', user: 'Bad User'}, '--user "Bad User" is not an account name (a-z, 0-9, _ and -, not starting with a digit or -) nor a numeric id'],
	[{kind: 'unit-needs-path', component: 'web', file: 'nope', config: '/h/config.yaml'}, 'web: cannot find "nope" on PATH, and a unit needs its absolute path; fix components.web.command in /h/config.yaml'],
	[{kind: 'enable-needs-unit-dir', unitDir: '/etc/systemd/system', out: '/tmp/u'}, '--enable needs the units where systemd reads them (/etc/systemd/system), not --out /tmp/u'],
	[{kind: 'unit-component-unknown', component: 'web', config: '/h/config.yaml'}, 'web: no such component in /h/config.yaml; run `stigmer export systemd` again'],
	[{kind: 'control-character', what: 'the path', text: 'a\nb'}, 'the path "a\\nb" holds a control character (a newline, a tab…), which a unit file or property list cannot carry: use a path without one'],
	[{kind: 'plist-control-character', text: 'a\u0001'}, 'cannot write "a\\u0001" into a property list: it holds a control character XML cannot carry'],
	[{kind: 'changed-by-hand', files: ['/u/a.service'], action: 'replace'}, '/u/a.service was changed by hand since stigmer wrote it (or is not stigmer\'s); export again with --force to replace it'],
	[{kind: 'changed-by-hand', files: ['/u/a', '/u/b'], action: 'remove'}, '/u/a, /u/b were changed by hand since stigmer wrote them (or are not stigmer\'s); run --remove --force to delete them anyway'],
	[{kind: 'survived-sigkill', pid: 4121, waitedMs: 2000}, 'pid 4121 survived SIGKILL for 2s (stuck in the kernel?); check it with `ps -o pid,stat,wchan -p 4121`'],
	[{kind: 'lock-takeover', lock: '/h/data/lock'}, 'cannot take over /h/data/lock from a stigmer that is gone; remove it (`rm /h/data/lock`) if no stigmer runs'],
	[{kind: 'lock-held', lock: '/h/data/lock', pid: 4121, waitedMs: 600_000}, 'another stigmer (pid 4121) has held /h/data/lock for over 10m; wait for it to finish, or stop it'],
	[{kind: 'lock-held', lock: '/h/data/lock', pid: null, waitedMs: 600_000}, 'another stigmer has held /h/data/lock for over 10m; wait for it to finish, or stop it'],
	[{kind: 'not-a-directory', dir: '/h/data'}, '/h/data is not a directory, where stigmer keeps one; remove it (`rm /h/data`) and try again'],
	[{kind: 'signal-refused', target: {group: false, id: 1}, why: 'pid-range'}, 'refusing to signal pid 1: a pid must be an integer above 1. This is a bug in stigmer; please report it with the command you ran.'],
	[{kind: 'signal-refused', target: {group: true, id: 77}, why: 'own-group'}, 'refusing to signal process group 77: it is stigmer\'s own process group. This is a bug in stigmer; please report it with the command you ran.'],
	[{kind: 'signal-failed', target: {group: true, id: 77}, signal: 'SIGTERM', code: 'EPERM'}, 'cannot send SIGTERM to process group 77: EPERM. Is it owned by another user?'],
	[{kind: 'unsupported-platform', platform: 'win32'}, 'stigmer does not support Windows: it needs POSIX process groups and signals. Run it on Linux or macOS (on Windows, inside WSL).'],
	[{kind: 'unsupported-platform', platform: 'aix'}, 'stigmer does not support aix: it needs POSIX process groups and signals. Run it on Linux or macOS (on Windows, inside WSL).'],
	[{kind: 'unknown-component', names: ['wbe', 'x\u001B[2J'], known: ['web', 'db']}, 'unknown component "wbe", "x\\x1b[2J"; known components: web, db'],
	[{kind: 'since-not-a-date', value: '2026-13-45', date: '2026-13-45'}, '--since "2026-13-45": 2026-13-45 is not a date (month 01-12, a day that month has): pass a real one, like 2026-11-26'],
	[{kind: 'since-unparsed', value: 'soon'}, '--since "soon" is neither a duration (250ms, 30s, 10m, 2h) nor a time (2026-11-26T03:47:00Z, "2026-11-26 03:47", 03:47): pass one of those forms.'],
	[{kind: 'disabled', components: [{name: 'web', reason: 'enabled: false'}, {name: 'db', reason: null}]}, 'web is disabled (enabled: false); db is disabled (null)'],
];

test('each engine failure is facts, worded once: the CLI and the dashboard say the same sentence, with the exit code the engine chose', () => {
	for (const [facts, sentence] of FAILURES) {
		const error = new FactError(facts, EXIT.usage);
		assert.equal(errorText(error), sentence, facts.kind);
		assert.equal(errorSummary('stop web', error), `✗ stop web failed: ${sentence}`, facts.kind);
		assert.equal(errorText(new StoppedBeforeError(error, ['app'])), `${sentence}; stopped app before this failure`, facts.kind);
		assert.ok(error instanceof StigmerError && error.exitCode === EXIT.usage, facts.kind);
	}

	// The dashboard's ES-module build throws what the CLI's CommonJS build words: the facts are read by shape.
	assert.equal(errorText({kind: 'facts', facts: {kind: 'systemctl-stop-failed', detail: 'x'}}), 'systemctl stop failed: x');
	const kinds = new Set(FAILURES.map(([f]) => f.kind));
	assert.equal(kinds.size, 23, 'every kind of FailureFacts has a sentence pinned here');
});

test('an engine warning is facts, worded once here', () => {
	assert.equal(warningText({kind: 'systemd-unreachable', target: 'stigmer-0.target', user: true, error: 'Failed to connect to bus'}), 'stigmer-0.target is exported, but systemctl --user cannot be reached: Failed to connect to bus; acting on this home with stigmer\'s own supervisors');
	assert.match(warningText({kind: 'systemd-unreachable', target: 't.target', user: false, error: 'x'}), /^t\.target is exported, but systemctl cannot be reached: x;/);
});

test('an action that failed after stopping components: the facts travel, the CLI and the dashboard word them alike', () => {
	const error = new StoppedBeforeError(new StigmerError('cannot write data/db.pid: no space left'), ['app', 'db']);
	assert.equal(errorText(error), 'cannot write data/db.pid: no space left; stopped app, db before this failure');
	assert.equal(errorSummary('restart db', error), '✗ restart db failed: cannot write data/db.pid: no space left; stopped app, db before this failure');
	const plain = new StigmerError('x', EXIT.usage);
	assert.equal(errorText(plain), 'x', 'an error without facts says its own message');
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

test('the CLI words the engine\'s facts: a disabled component and a data/logs that is a file, one line each, exit 1, nothing started', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {app: {command: ['sleep', '30'], enabled: false}}});
	const disabled = await home.cli(['server', 'start', 'app']);
	assert.equal(disabled.code, EXIT.failure, show(disabled));
	assert.equal(disabled.stderr, 'stigmer: app is disabled (disabled in config)\n', show(disabled));
	const logs = path.join(home.dataDir, 'logs');
	fs.rmSync(logs, {recursive: true, force: true});
	fs.writeFileSync(logs, '');
	const notDir = await home.cli(['server', 'stop']);
	assert.equal(notDir.code, EXIT.failure, show(notDir));
	assert.equal(notDir.stderr, `stigmer: ${logs} is not a directory, where stigmer keeps one; remove it (\`rm ${logs}\`) and try again\n`, show(notDir));
	assert.deepEqual(home.processes(), {});
});
