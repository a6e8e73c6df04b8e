// `server logs --grep REGEX --level LEVEL` (docs/logs.md): through the built binary with -n, -n 0, --since,
// --json and -f; the `-n 0` reader thread filters as the inline one; bad values exit 2 naming the flag.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {test} from 'node:test';
import {writeAll, type LogSelection} from '../../source/logs/index.js';
import {CLI, cleanEnv, collect, live, logsHome, show, waitFor, type CliResult} from '../helpers.js';
import {sourcesAt} from '../helpers/log-readers.js';

const RUN_TIMEOUT_MS = 20_000;
const at = (s: number) => `2026-11-26T03:47:${String(s).padStart(2, '0')}.000Z`;

function filterHome(): {home: string; logs: string} {
	return logsHome('stigmer-filter-', {
		'api.log': [
			`${at(1)} INFO listening on :7234`,
			`${at(3)} WARN slow Deadline approaching`,
			`${at(5)} ERROR task 17 failed: context deadline exceeded`,
			'    at poll (runner.go:42)',
			'    at main (main.go:7)',
			`${at(7)} DEBUG heartbeat`,
			`${at(9)} INFO done, no deadline left`,
		].map((l) => `${l}\n`).join(''),
		'db.err': [
			`{"level":"error","time":"${at(2)}","message":"disk nearly full"}`,
			`{"level":"info","time":"${at(4)}","message":"checkpoint"}`,
			`{"level":"fatal","time":"${at(8)}","message":"deadline: out of space"}`,
			// Not ASCII: the reader tests each line of this chunk instead of searching it whole.
			`{"level":"info","time":"${at(10)}","message":"caf\u00e9 DEADLINE \u00fcber"}`,
		].map((l) => `${l}\n`).join(''),
	});
}

async function run(home: string, args: string[]): Promise<CliResult> {
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '--no-color', ...args], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	return collect(child, `server logs ${args.join(' ')}`, RUN_TIMEOUT_MS);
}

/** The texts printed (after `HH:MM:SS.mmm component[stream] `). */
const texts = (r: CliResult) => r.stdout.trimEnd().split('\n').filter((l) => l !== '').map((l) => l.replace(/^\S+ \S+ /, ''));

const DEADLINE = [
	`${at(3)} WARN slow Deadline approaching`,
	`${at(5)} ERROR task 17 failed: context deadline exceeded`,
	`{"level":"fatal","time":"${at(8)}","message":"deadline: out of space"}`,
	`${at(9)} INFO done, no deadline left`,
	`{"level":"info","time":"${at(10)}","message":"caf\u00e9 DEADLINE \u00fcber"}`,
];

test('--grep: smart case, with -n 0, -n N, --since and --json', async () => {
	const {home} = filterHome();
	for (const n of ['0', '50']) {
		const r = await run(home, ['-n', n, '--no-follow', '--grep', 'deadline']);
		assert.equal(r.code, 0, show(r));
		assert.deepEqual(texts(r), DEADLINE, `-n ${n}: lower case matches any case`);
	}

	const upper = await run(home, ['-n', '0', '--no-follow', '--grep', 'Deadline']);
	assert.deepEqual(texts(upper), [DEADLINE[0]], 'an upper-case letter makes it case-sensitive');
	const two = await run(home, ['-n', '2', '--no-follow', '--grep', 'dead(line)?\\b']);
	assert.deepEqual(texts(two), DEADLINE.slice(-2), '-n 2: the last two matching lines, not the matches among the last two lines');
	const since = await run(home, ['-n', '0', '--no-follow', '--grep', 'deadline', '--since', at(6)]);
	assert.deepEqual(texts(since), DEADLINE.slice(2));
	const json = await run(home, ['-n', '1', '--no-follow', '--grep', 'fail', '--json']);
	assert.deepEqual(json.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as {text: string}).text), [`${at(5)} ERROR task 17 failed: context deadline exceeded`]);
});

test('--level keeps that level and above, with the stack trace under a kept line; combined with --grep', async () => {
	const {home} = filterHome();
	const errors = [
		`{"level":"error","time":"${at(2)}","message":"disk nearly full"}`,
		`${at(5)} ERROR task 17 failed: context deadline exceeded`,
		'    at poll (runner.go:42)',
		'    at main (main.go:7)',
		`{"level":"fatal","time":"${at(8)}","message":"deadline: out of space"}`,
	];
	for (const n of ['0', '50']) {
		const r = await run(home, ['-n', n, '--no-follow', '--level', 'ERROR']);
		assert.equal(r.code, 0, show(r));
		assert.deepEqual(texts(r), errors, `-n ${n}`);
	}

	const warn = await run(home, ['-n', '0', '--no-follow', '--level', 'warning']);
	assert.deepEqual(texts(warn), [errors[0], `${at(3)} WARN slow Deadline approaching`, ...errors.slice(1)]);
	const both = await run(home, ['-n', '0', '--no-follow', '--level', 'error', '--grep', 'deadline']);
	assert.deepEqual(texts(both), [errors[1], errors[4]], 'the trace lines do not match --grep');
	const last = await run(home, ['-n', '2', '--no-follow', '--level', 'error']);
	assert.deepEqual(texts(last), errors.slice(-2));
});

test('the -n 0 merge filters the same on its reader thread', async () => {
	const {home} = filterHome();
	const selection: LogSelection = {components: ['api', 'db']};
	const written = async (threads: boolean) => {
		const sink = new PassThrough();
		const chunks: Buffer[] = [];
		sink.on('data', (c: Buffer) => chunks.push(c));
		await writeAll(sourcesAt(home, selection), {json: false, color: false}, sink, {threads, filter: {grep: 'deadline', level: 'warn'}});
		return Buffer.concat(chunks).toString('utf8');
	};

	const inline = await written(false);
	assert.equal(inline.trimEnd().split('\n').length, 3, inline);
	assert.equal(await written(true), inline);
});

test('a bad --grep or --level: exit 2, one line naming the flag', async () => {
	const {home} = filterHome();
	const cases: Array<[string[], RegExp]> = [
		[['--grep', '(a+)\\1'], /^stigmer: --grep "\(a\+\)\\1": not a linear-time pattern/],
		[['--grep', 'a(?=b)'], /^stigmer: --grep "a\(\?=b\)": not a linear-time pattern/],
		[['--grep', 'a('], /^stigmer: --grep "a\(": bad pattern: missing closing \): `a\(`\.$/m],
		[['--grep', '('], /^stigmer: --grep "\(": bad pattern: missing closing \): `\(`\.$/m],
		[['--level', 'loud'], /^stigmer: --level "loud" is not a level: pass one of trace, debug, info/],
	];
	for (const [args, message] of cases) {
		const r = await run(home, [...args, '--no-follow']);
		assert.equal(r.code, 2, show(r));
		assert.match(r.stderr, message);
		assert.equal(r.stderr.trimEnd().split('\n').length, 1, show(r));
		assert.equal(r.stdout, '');
	}
});

test('-f --grep: lines that arrive later are filtered too', async () => {
	const {home, logs} = filterHome();
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '--no-color', '-n', '1', '--grep', 'deadline'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	const out = live(child);
	try {
		await waitFor(() => out.stdout().includes('DEADLINE'), 'the tail', RUN_TIMEOUT_MS);
		fs.appendFileSync(path.join(logs, 'api.log'), `${at(20)} INFO unrelated\n${at(21)} ERROR missed the deadline again\n`);
		await waitFor(() => out.stdout().includes('missed the deadline again'), 'the followed match', RUN_TIMEOUT_MS);
		assert.ok(!out.stdout().includes('unrelated'), out.stdout());
	} finally {
		child.kill('SIGINT');
		await collect(child, 'server logs -f', RUN_TIMEOUT_MS);
	}
});

test('the -n 0 filter keeps exactly the lines re2js matches: literals found by the kernel (case folds, punctuation, line ends), regexes', async () => {
	const lines = [
		'2026-11-26T03:47:01.000Z plain line', '2026-11-26T03:47:02.000Z a [x] bracket', '2026-11-26T03:47:03.000Z a {x} brace',
		'2026-11-26T03:47:04.000Z ends with DeadLine', '2026-11-26T03:47:05.000Z dead', 'line of a trace: deadline', 'x',
		'2026-11-26T03:47:06.000Z @at sign and `backtick', '2026-11-26T03:47:07.000Z deadlinedeadline twice', '',
		`2026-11-26T03:47:08.000Z ${'pad '.repeat(40)}deadline after 160 bytes`, '2026-11-26T03:47:09.000Z dead\tline with a tab',
	];
	const {home} = logsHome('stigmer-filter-', {'k.log': lines.map((l) => `${l}\n`).join('')});
	const {compileLinear} = await import('../../source/linear-regex.js');
	// Regexes too: smart case's case-insensitive ones run case-sensitively over lower-cased ASCII lines, unless the pattern names a character by number or sets flags inline.
	for (const needle of ['deadline', 'Deadline', 'DeadLine', '[x]', '{X}', '@', '`', 'x', 'line', 'ead', 'e with', 'deadline after', 'dead.ine', '[a-d]eadline', '\\x44ead', '(?-i)dead', 'k|line$', '^x$']) {
		const sink = new PassThrough();
		const chunks: Buffer[] = [];
		sink.on('data', (c: Buffer) => chunks.push(c));
		await writeAll(sourcesAt(home, {components: ['k']}), {json: true, color: false}, sink, {threads: false, filter: {grep: needle}});
		const got = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as {text: string}).text);
		const pattern = compileLinear(needle, {smartCase: true});
		assert.deepEqual(got, lines.filter((l) => pattern.test(l)), `--grep ${JSON.stringify(needle)}`);
	}
});

test('-n N --grep whose lines lie megabytes back: read forward by the filtered merge, the same lines as -n 0', async () => {
	const filler = Array.from({length: 120_000}, (_, i) => `${at(30 + (i % 20))} INFO filler line ${i} with nothing to see here at all\n`).join('');
	const {home} = logsHome('stigmer-filter-', {
		'far.log': `${at(10)} ERROR needle one\n    under needle one\n${at(11)} WARN needle two\n${filler}`,
	});
	assert.ok(filler.length > 5 * 1024 * 1024);
	const all = await run(home, ['-n', '0', '--no-follow', '--grep', 'needle']);
	assert.deepEqual(texts(all), [`${at(10)} ERROR needle one`, '    under needle one', `${at(11)} WARN needle two`]);
	const two = await run(home, ['-n', '2', '--no-follow', '--grep', 'needle']);
	assert.equal(two.code, 0, show(two));
	assert.deepEqual(texts(two), texts(all).slice(-2));
	const level = await run(home, ['-n', '2', '--no-follow', '--level', 'error', '--json']);
	assert.deepEqual(level.stdout.trim().split('\n').map((l) => (JSON.parse(l) as {text: string}).text), [`${at(10)} ERROR needle one`, '    under needle one']);
});
