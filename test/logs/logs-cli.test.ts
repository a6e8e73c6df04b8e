// `stigmer server logs` through the built binary: exit codes, the stderr info line, --json,
// colour switches, -n, --since, -c/--stderr, follow and Ctrl-C (docs/logs.md, docs/lifecycle.md#durations-and-exit-codes).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {CLI, cleanEnv, collect, logsHome, mergeFixturesHome, show, waitFor, type CliResult} from '../helpers.js';

const INFO_ALL = 'logs from all components (stdout and stderr, interleaved by timestamp)';
/** A CLI call longer than this is hung. */
const RUN_TIMEOUT_MS = 20_000;
const fixtureHome = (): string => mergeFixturesHome('stigmer-logs-cli-');

/** Run the binary with raw (not colour-stripped) output; TZ=UTC unless env says otherwise. */
async function run(home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
	const child = spawn(process.execPath, [CLI, 'server', 'logs', ...args], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC', ...env}), stdio: ['ignore', 'pipe', 'pipe']});
	return collect(child, `server logs ${args.join(' ')}`, RUN_TIMEOUT_MS);
}

const jsonLines = (r: CliResult) => r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('unknown flag: exit 2 with usage', async () => {
	const r = await run(fixtureHome(), ['--bogus']);
	assert.equal(r.code, 2, show(r));
	assert.match(r.stderr, /unknown flag --bogus/);
	assert.match(r.stderr, /Usage: stigmer server logs/);
	assert.equal(r.stdout, '');
});

test('unknown component: exit 2 listing the known ones; bad -n and --since: exit 2', async () => {
	const home = fixtureHome();
	const r = await run(home, ['-c', 'nope', '--no-follow']);
	assert.equal(r.code, 2, show(r));
	assert.match(r.stderr, /unknown component "nope": known components are temporal, stigmer-server, workflow-runner, agent-runner/);
	const n = await run(home, ['-n', 'many', '--no-follow']);
	assert.equal(n.code, 2, show(n));
	assert.match(n.stderr, /-n\/--tail "many" is not a number of lines/);
	const since = await run(home, ['--since', 'last tuesday', '--no-follow']);
	assert.equal(since.code, 2, show(since));
	assert.match(since.stderr, /--since "last tuesday" is neither a duration/);
});

test('--since with a date or time that does not exist (2026-13-45, 2026-02-30, 25:00): exit 2 naming the flag, never a rolled-over date', async () => {
	const home = fixtureHome();
	for (const value of ['2026-13-45', '2026-02-30', '2026-13-45 03:47', '2026-02-30T00:00:00Z', '2026-11-26 25:00', '2026-11-26 03:60', '25:00']) {
		const result = await run(home, ['--since', value, '--no-follow']);
		assert.equal(result.code, 2, `${value}: ${show(result)}`);
		assert.equal(result.stderr.trim().split('\n').length, 1, `${value}: ${show(result)}`);
		assert.match(result.stderr, new RegExp(`^stigmer: --since "${value}"`), `${value}: ${show(result)}`);
		assert.equal(result.stdout, '', `${value}: ${show(result)}`);
	}
});

test('a log path that is not a regular file (a directory named temporal.log) is skipped with a warning naming it', async () => {
	const home = fixtureHome();
	const odd = path.join(home, 'data', 'logs', 'temporal.log');
	fs.rmSync(odd, {force: true});
	fs.mkdirSync(odd);
	const all = await run(home, ['-n', '0', '--no-follow']);
	const tail = await run(home, ['-n', '5', '--no-follow']);
	for (const r of [all, tail]) {
		assert.equal(r.code, 0, show(r));
		assert.ok(r.stderr.includes(`stigmer: skipping ${odd}: not a regular file`), show(r));
		assert.ok(r.stdout.length > 0 && !r.stdout.includes('temporal['), show(r));
	}

	assert.equal(tail.stdout, all.stdout.split('\n').slice(-6).join('\n'), '-n 5 is the end of -n 0');
});

test('no logs yet: a friendly message and exit 0, even when following', async () => {
	const {home} = logsHome('stigmer-logs-cli-');
	fs.rmSync(path.join(home, 'data'), {recursive: true});
	const r = await run(home, []);
	assert.equal(r.code, 0, show(r));
	assert.equal(r.stdout, '');
	assert.match(r.stderr, /^No logs yet in .*data\/logs: start the stack with `stigmer server start`\.\n$/);
});

test('--no-follow: info line on stderr only, plain lines on stdout, NO_COLOR and --no-color respected', async () => {
	const home = fixtureHome();
	const r = await run(home, ['--no-follow', '-n', '3']);
	assert.equal(r.code, 0, show(r));
	assert.equal(r.stderr, `Streaming ${INFO_ALL}\n`);
	assert.equal(r.stdout, [
		'03:47:45.750 stigmer-server[stderr] {"level":"info","time":"2026-11-26T03:47:45.750Z","message":"healthz","status":200}',
		'03:47:45.750 agent-runner[stdout] 2026-11-26 03:47:45,750 INFO agent_runner: task 10 done',
		'03:47:46.000 workflow-runner[stdout] 2026/11/26 03:47:46.000000 task 18 done in 12ms',
	].join('\n') + '\n');
	const forced = await run(home, ['--no-follow', '-n', '3'], {FORCE_COLOR: '1', NO_COLOR: ''});
	assert.match(forced.stdout, /\u001B\[/, 'FORCE_COLOR colours a pipe');
	assert.match(forced.stdout, /\u001B\[31m\[stderr\]/, 'stderr is marked');
	for (const [args, env] of [[['--no-color'], {FORCE_COLOR: '1', NO_COLOR: ''}], [[], {FORCE_COLOR: '1', NO_COLOR: '1'}]] as const) {
		const plain = await run(home, ['--no-follow', '-n', '3', ...args], env);
		assert.equal(plain.stdout, r.stdout, `no colour with ${JSON.stringify({args, env})}`);
	}
});

test('--json: one object per line; -n 5 is the last five of -n 0 (both readers); -c and --stderr select', async () => {
	const home = fixtureHome();
	const all = await run(home, ['--no-follow', '-n', '0', '--json']);
	assert.equal(all.code, 0, show(all));
	const objects = jsonLines(all);
	assert.equal(objects.length, 28);
	assert.deepEqual(objects[0], {time: '2026-11-26T03:47:41.100Z', inherited: false, component: 'stigmer-server', stream: 'stderr', level: 'info', text: '{"level":"info","time":"2026-11-26T03:47:41.100Z","message":"stigmer-server listening","port":7234}'});
	assert.ok(objects.some((o) => o['inherited'] === true && o['text'] === 'TimeoutError: deadline' && o['level'] === null));
	const five = await run(home, ['--no-follow', '-n', '5', '--json']);
	assert.deepEqual(jsonLines(five), objects.slice(-5));
	const plainAll = await run(home, ['--no-follow', '-n', '0']);
	const plainFive = await run(home, ['--no-follow', '-n', '5']);
	assert.deepEqual(plainFive.stdout.trimEnd().split('\n'), plainAll.stdout.trimEnd().split('\n').slice(-5));
	const some = await run(home, ['--no-follow', '-n', '0', '--json', '-c', 'stigmer-server', '--component=agent-runner', '--stderr']);
	assert.equal(some.stderr, 'Streaming logs from stigmer-server, agent-runner (stderr only, in timestamp order)\n');
	assert.deepEqual(jsonLines(some), objects.filter((o) => o['stream'] === 'stderr'));
	const since = await run(home, ['--no-follow', '--json', '--since', '2026-11-26T03:47:45Z']);
	assert.deepEqual(jsonLines(since), objects.filter((o) => String(o['time']) >= '2026-11-26T03:47:45'));
});

test('times without a zone are local: TZ is respected', async () => {
	const home = fixtureHome();
	const r = await run(home, ['--no-follow', '-n', '0', '--json', '-c', 'agent-runner'], {TZ: 'Asia/Kolkata'});
	assert.equal(jsonLines(r)[0]?.['time'], '2026-11-25T22:17:41.150Z', '03:47:41,150 in +05:30');
	const plain = await run(home, ['--no-follow', '-n', '1', '-c', 'agent-runner'], {TZ: 'Asia/Kolkata'});
	assert.match(plain.stdout, /^03:47:45\.750 agent-runner\[stdout\] /, 'shown in local time');
});

test('follow (the default): info line, tail, new lines as written, Ctrl-C exits 0', async () => {
	const home = fixtureHome();
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '-n', '2'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
	child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
	const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
	try {
		await waitFor(() => stdout.split('\n').length === 3, 'the two tail lines');
		assert.equal(stderr, `Streaming ${INFO_ALL}\n`);
		const err = path.join(home, 'data', 'logs', 'workflow-runner.err');
		fs.appendFileSync(err, '2026/11/26 03:48:00.000000 fresh line\n');
		await waitFor(() => stdout.includes('03:48:00.000 workflow-runner[stderr] 2026/11/26 03:48:00.000000 fresh line\n'), 'the appended line');
		child.kill('SIGINT');
		assert.equal(await exited, 0, stderr);
	} finally {
		child.kill('SIGKILL');
	}
});

test('flags meow parses (-n=2) leave the process its command line in ps', async () => {
	const home = fixtureHome();
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '-n=2'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
	const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
	try {
		await waitFor(() => stdout.split('\n').length === 3, 'the two tail lines');
		const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
		assert.deepEqual(argv.slice(1, 5), [CLI, 'server', 'logs', '-n=2']);
		child.kill('SIGINT');
		assert.equal(await exited, 0);
	} finally {
		child.kill('SIGKILL');
	}
});

test('a closed stdout (| head) ends quietly with exit 0', async () => {
	const home = fixtureHome();
	const lines = Array.from({length: 50_000}, (_, i) => `2026-11-26T03:50:00.000Z line ${i}\n`).join('');
	fs.writeFileSync(path.join(home, 'data', 'logs', 'temporal.log'), lines);
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '-n', '0', '--no-follow'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
	child.stdout.once('data', () => child.stdout.destroy());
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	assert.equal(code, 0, stderr);
	assert.doesNotMatch(stderr, /EPIPE|Error/);
});

/** Run the binary with stdout redirected to a file (written synchronously, straight from the output buffer). */
async function runToFile(home: string, args: string[], env: Record<string, string>): Promise<string> {
	const file = path.join(home, 'stdout.txt');
	const fd = fs.openSync(file, 'w');
	try {
		const child = spawn(process.execPath, [CLI, 'server', 'logs', ...args], {env: cleanEnv({STIGMER_HOME: home, ...env}), stdio: ['ignore', fd, 'ignore']});
		const code = await new Promise<number | null>((resolve, reject) => {
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(new Error(`server logs ${args.join(' ')} > file hung`));
			}, RUN_TIMEOUT_MS);
			child.on('close', (c) => {
				clearTimeout(timer);
				resolve(c);
			});
		});
		assert.equal(code, 0, `server logs ${args.join(' ')} > file`);
		return fs.readFileSync(file, 'utf8');
	} finally {
		fs.closeSync(fd);
	}
}

/** Some megabytes in the merge's fast layouts and around them: times crossing seconds and minutes, escapes, UTF-8, CRLF, traces. */
function bigHome(): string {
	const {home, logs: dir} = logsHome('stigmer-logs-cli-big-');
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	const layouts: Record<string, (t: number, i: number) => string> = {
		'temporal.log': (t, i) => `{"level":"${i % 50 === 0 ? 'error' : 'info'}","ts":"${new Date(t).toISOString()}","msg":"q\\"uote\\\\ ${i} tab\\t é","raw":"\u0001\u001f"}${i % 7 === 0 ? '\r' : ''}\n`,
		'stigmer-server.err': (t, i) => `{"level":"warn","time":"${new Date(t).toISOString()}","message":"ünï ${i}"}\n${i % 300 === 0 ? '\tat trace line "x"\n\n' : ''}`,
		'agent-runner.log': (t, i) => {
			const d = new Date(t); // written as local wall-clock time, as Python logging does
			return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)} ${i % 9 === 0 ? 'WARNING' : 'INFO'} agent: step ${i}\n`;
		},
	};
	for (const [name, layout] of Object.entries(layouts)) {
		let t = Date.UTC(2026, 10, 26, 23, 58, 30) + name.length;
		const parts: string[] = [];
		for (let i = 0; i < 40_000; i++) {
			t += (i * 7919) % 5; // 0-4 ms a line: many lines share a second, and the run crosses minutes and midnight
			parts.push(layout(t, i));
		}

		fs.writeFileSync(path.join(dir, name), parts.join(''));
	}

	return home;
}

test('the full merge (byte path) prints what the tail reader prints, piped or redirected to a file, plain and --json, in a zone with a 45-minute offset', async () => {
	const home = bigHome();
	const env = {TZ: 'Asia/Kathmandu'};
	for (const json of [[], ['--json']]) {
		const piped = await run(home, ['-n', '0', '--no-follow', ...json], env);
		assert.equal(piped.code, 0, show(piped));
		assert.ok(piped.stdout.length > 4 * 1024 * 1024, `only ${piped.stdout.length} bytes: too little to reuse output buffers`);
		const tail = await run(home, ['-n', '1000000', '--no-follow', ...json], env);
		assert.equal(tail.code, 0, show(tail));
		const [a, b] = [piped.stdout.split('\n'), tail.stdout.split('\n')];
		assert.equal(a.length, b.length, `${json.join('')} line count`);
		const differ = a.findIndex((line, k) => line !== b[k]);
		assert.equal(differ, -1, `${json.join('') || 'plain'} line ${differ}: byte path ${JSON.stringify(a[differ])}, tail reader ${JSON.stringify(b[differ])}`);
		assert.equal(await runToFile(home, ['-n', '0', '--no-follow', ...json], env), piped.stdout, `${json.join('') || 'plain'}: redirected to a file`);
	}
});
