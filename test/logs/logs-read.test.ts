// Reading logs from disk (docs/logs.md): merge order, tails, rotated files, --since, bad input.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {PassThrough} from 'node:stream';
import {formatLine, MAX_LINE_BYTES, readMergedAt, writeAll, type LogLine, type LogSelection} from '../../source/logs/index.js';
import {readMerged, sourcesAt} from '../helpers/log-readers.js';
import {itemAt, logsHome, MERGE_FIXTURES, mergeFixturesHome} from '../helpers.js';

// The fixtures mix UTC (zerolog) and zone-less local times (Go, Python): pin the zone they were written in.
process.env['TZ'] = 'UTC';

const DEFAULT_COMPONENTS = ['temporal', 'stigmer-server', 'workflow-runner', 'agent-runner'];
const ALL: LogSelection = {components: DEFAULT_COMPONENTS};
const makeHome = (files: Record<string, string | Buffer> = {}): string => logsHome('stigmer-logs-', files).home;
const fixtureHome = (): string => mergeFixturesHome('stigmer-logs-');

/** Every line of the fixture files, as component/stream/text keys. */
function fixtureLines(): string[] {
	return fs.readdirSync(MERGE_FIXTURES).flatMap((name) => {
		const [component, ext] = [name.slice(0, name.lastIndexOf('.')), name.slice(name.lastIndexOf('.') + 1)];
		const text = fs.readFileSync(path.join(MERGE_FIXTURES, name), 'utf8');
		return text.slice(0, -1).split('\n').map((line) => `${component}[${ext === 'log' ? 'stdout' : 'stderr'}] ${line}`);
	});
}

const key = (l: LogLine) => `${l.component}[${l.stream}] ${l.text}`;

/** The full merge as written by the byte-level path (`-n 0`), parsed back from its --json output. */
async function writeAllJson(home: string, selection: LogSelection, threads?: boolean): Promise<Array<Record<string, unknown>>> {
	const sink = new PassThrough();
	const chunks: Buffer[] = [];
	sink.on('data', (c: Buffer) => chunks.push(c));
	await writeAll(sourcesAt(home, selection), {json: true, color: false}, sink, {threads});
	const text = Buffer.concat(chunks).toString('utf8');
	return text === '' ? [] : text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The full merge as text, from the byte-level path. */
async function writeAllText(home: string, selection: LogSelection, color: boolean, threads?: boolean): Promise<string> {
	const sink = new PassThrough();
	const chunks: Buffer[] = [];
	sink.on('data', (c: Buffer) => chunks.push(c));
	await writeAll(sourcesAt(home, selection), {json: false, color}, sink, {threads});
	return Buffer.concat(chunks).toString('utf8');
}

const asJson = (l: LogLine) => ({time: new Date(Math.floor(l.time)).toISOString(), inherited: l.inherited, component: l.component, stream: l.stream, level: l.level, text: l.text});

test('merge over three formats: times never go back, traces stay under their parent, every line exactly once', async () => {
	const home = fixtureHome();
	const lines = await readMerged(home, ALL, {tail: 0});
	assert.deepEqual(lines.map(key).sort(), fixtureLines().sort(), 'each input line exactly once');
	for (const [i, l] of lines.entries()) {
		assert.ok(i === 0 || l.time >= itemAt(lines, i - 1).time, `time goes back at ${i}: ${key(l)}`);
	}

	// The Go panic and the Python traceback follow their parent line with nothing in between.
	const panicAt = lines.findIndex((l) => l.text === '2026/11/26 03:47:43.500000 task 17 failed: context deadline exceeded');
	assert.deepEqual(lines.slice(panicAt + 1, panicAt + 8).map((l) => [l.component, l.inherited]), Array.from({length: 7}, () => ['workflow-runner', true]));
	const traceAt = lines.findIndex((l) => l.text.endsWith('task 9 failed'));
	assert.deepEqual(lines.slice(traceAt + 1, traceAt + 7).map((l) => l.component), Array.from({length: 6}, () => 'agent-runner'));
	const trace = itemAt(lines, traceAt);
	assert.equal(trace.level, 'error');
	assert.ok(lines.slice(traceAt + 1, traceAt + 7).every((l) => l.time === trace.time && l.inherited));

	// Equal times keep the selection order: stigmer-server, then workflow-runner, then agent-runner.
	const at42 = lines.filter((l) => l.time === Date.UTC(2026, 10, 26, 3, 47, 42));
	assert.deepEqual(at42.map((l) => l.component), ['stigmer-server', 'workflow-runner', 'agent-runner']);
	assert.deepEqual(at42.map((l) => l.level), ['warn', null, 'warn']);
});

test('-n 5 is the last five of the full merge, by both the tail reader and the byte-level writer', async () => {
	const home = fixtureHome();
	const all = await readMerged(home, ALL, {tail: 0});
	for (const n of [1, 5, 9, 40]) {
		assert.deepEqual(await readMerged(home, ALL, {tail: n}), all.slice(-n), `-n ${n}`);
	}

	assert.deepEqual(await writeAllJson(home, ALL), all.map(asJson), 'writeAll (-n 0) agrees with the tail reader');
	const stderrOnly = {components: DEFAULT_COMPONENTS, streams: ['stderr' as const]};
	assert.deepEqual((await readMerged(home, stderrOnly, {tail: 5})).map(key), all.filter((l) => l.stream === 'stderr').slice(-5).map(key));
});

test('tails and --since reach into rotated files only as far as needed, newest first', async () => {
	const line = (s: number, what: string) => `2026-11-26T03:47:${String(s).padStart(2, '0')}.000Z ${what}\n`;
	const home = makeHome({
		'workflow-runner.log.20261126T034700Z': line(1, 'oldest session'),
		'workflow-runner.log.20261126T034740Z': line(10, 'previous session a') + line(11, 'previous session b'),
		'workflow-runner.log.20261126T034740Z-1': line(20, 'same-second rotation'),
		'workflow-runner.log': line(30, 'live a') + line(31, 'live b'),
	});
	const one = {components: ['workflow-runner'], streams: ['stdout' as const]};
	const texts = (lines: LogLine[]) => lines.map((l) => l.text.slice(25));
	assert.deepEqual(texts(await readMerged(home, one, {tail: 2})), ['live a', 'live b']);
	assert.deepEqual(texts(await readMerged(home, one, {tail: 4})), ['previous session b', 'same-second rotation', 'live a', 'live b']);
	assert.deepEqual(texts(await readMerged(home, one, {tail: 0})), ['oldest session', 'previous session a', 'previous session b', 'same-second rotation', 'live a', 'live b']);
	assert.deepEqual(texts(await readMerged(home, one, {tail: 0, sinceMs: Date.UTC(2026, 10, 26, 3, 47, 11)})), ['previous session b', 'same-second rotation', 'live a', 'live b']);
	assert.deepEqual(texts(await readMerged(home, one, {tail: 1, sinceMs: Date.UTC(2026, 10, 26, 3, 47, 11)})), ['live b']);
	assert.deepEqual(texts((await writeAllJson(home, one)).map((o) => ({text: o['text']}) as LogLine)), ['oldest session', 'previous session a', 'previous session b', 'same-second rotation', 'live a', 'live b']);
	const since = Date.UTC(2026, 10, 26, 3, 47, 11);
	const streamed = async (threads: boolean) => {
		const sink = new PassThrough();
		const chunks: Buffer[] = [];
		sink.on('data', (c: Buffer) => chunks.push(c));
		await writeAll(sourcesAt(home, one), {json: false, color: false}, sink, {sinceMs: since, threads});
		return Buffer.concat(chunks).toString('utf8');
	};

	const wanted = (await readMerged(home, one, {tail: 0, sinceMs: since})).map((l) => `${formatLine(l, {color: false})}\n`).join('');
	assert.equal(await streamed(false), wanted, '-n 0 --since streams the same lines');
	assert.equal(await streamed(true), wanted, 'on two threads too');
	// A rotated file last written before --since holds only older lines: it is not read at all.
	const oldest = path.join(home, 'data', 'logs', 'workflow-runner.log.20261126T034700Z');
	fs.writeFileSync(oldest, line(12, 'a line it would have shown, to prove the file was skipped'));
	fs.utimesSync(oldest, new Date(since - 60_000), new Date(since - 60_000));
	assert.equal(await streamed(false), wanted);
});

test('a stack trace longer than the first backward read still takes the time of its parent line', async () => {
	const frames = Array.from({length: 5000}, (_, i) => `\tat com.example.Frame${i}.run(Frame.java:${i})`).join('\n');
	const home = makeHome({'agent-runner.log': `2026-11-26T03:47:40.000Z before\n2026-11-26T03:47:41.000Z ERROR boom\n${frames}\n`});
	const tail = await readMerged(home, ALL, {tail: 5});
	assert.deepEqual(tail, (await readMerged(home, ALL, {tail: 0})).slice(-5));
	assert.ok(tail.every((l) => l.inherited && l.time === Date.UTC(2026, 10, 26, 3, 47, 41)));
});

/** Bytes this process has read (Linux /proc/self/io rchar), or undefined elsewhere. */
function bytesRead(): number | undefined {
	try {
		return Number(/rchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
	} catch {
		return undefined;
	}
}

test('-n 50 of a 200 MB file reads only its end', {skip: bytesRead() === undefined && 'needs /proc/self/io'}, async () => {
	const home = makeHome();
	const file = path.join(home, 'data', 'logs', 'temporal.log');
	// Sparse: 200 MB of size without 200 MB of disk; the lines are at the end.
	fs.writeFileSync(file, '');
	fs.truncateSync(file, 200 * 1024 * 1024);
	fs.appendFileSync(file, Array.from({length: 100}, (_, i) => `2026-11-26T03:47:${String(i % 60).padStart(2, '0')}.000Z line ${i}\n`).join(''));
	const before = bytesRead()!;
	const lines = await readMerged(home, ALL, {tail: 50});
	const read = bytesRead()! - before;
	assert.equal(lines.length, 50);
	assert.equal(lines.at(-1)!.text.slice(25), 'line 99');
	assert.ok(read < 1024 * 1024, `read ${read} bytes of a 200 MB file for 50 lines`);
});

test('legacy daemon.log is read as stigmer-server history', async () => {
	const home = makeHome({'daemon.log': '2026-11-26T03:47:01Z from the Go daemon\n', 'stigmer-server.log': '2026-11-26T03:47:02Z from us\n'});
	const lines = await readMerged(home, {components: ['stigmer-server']}, {tail: 0});
	assert.deepEqual(lines.map(key), ['stigmer-server[stdout] 2026-11-26T03:47:01Z from the Go daemon', 'stigmer-server[stdout] 2026-11-26T03:47:02Z from us']);
});

test('lines before the first timestamp take it; a file without any takes its modification time', async () => {
	const home = makeHome({
		'agent-runner.err': 'warming up\n  still warming\n2026-11-26 03:47:41,500 ERROR agent_runner: first timed\n',
		'temporal.log': 'no time at all\n',
	});
	const mtime = Date.UTC(2026, 10, 25, 12, 0, 0);
	fs.utimesSync(path.join(home, 'data', 'logs', 'temporal.log'), mtime / 1000, mtime / 1000);
	const lines = await readMerged(home, ALL, {tail: 0});
	assert.deepEqual(lines.map((l) => [l.component, l.time, l.inherited]), [
		['temporal', mtime, true],
		['agent-runner', Date.UTC(2026, 10, 26, 3, 47, 41, 500), true],
		['agent-runner', Date.UTC(2026, 10, 26, 3, 47, 41, 500), true],
		['agent-runner', Date.UTC(2026, 10, 26, 3, 47, 41, 500), false],
	]);
	assert.deepEqual(await writeAllJson(home, ALL), lines.map(asJson));
});

test('bad input: invalid UTF-8, NUL bytes, CRLF, a 10 MB line, a half-written last line', async () => {
	const big = 'x'.repeat(10 * 1024 * 1024);
	const home = makeHome({
		'stigmer-server.log': Buffer.concat([
			Buffer.from('2026-11-26T03:47:41.000Z bad bytes '),
			Buffer.from([0xff, 0xfe, 0xc3]),
			Buffer.from(' end\r\n\0\0\0\u00002026-11-26T03:47:42.000Z after a hole\r\n'),
			Buffer.from(`2026-11-26T03:47:43.000Z ${big}\n`),
			Buffer.from('2026-11-26T03:47:44.000Z héllo wörld\n2026-11-26T03:47:45.000Z half-writ'),
		]),
	});
	const one = {components: ['stigmer-server'], streams: ['stdout' as const]};
	const {lines, positions} = readMergedAt(sourcesAt(home, one), {tail: 10});
	assert.equal(lines.length, 4, 'the half-written last line is held back');
	const [bad, afterHole, cut = '', utf8] = lines.map((l) => l.text);
	assert.equal(bad, '2026-11-26T03:47:41.000Z bad bytes \uFFFD\uFFFD\uFFFD end');
	assert.equal(afterHole, '2026-11-26T03:47:42.000Z after a hole');
	assert.equal(itemAt(lines, 1).time, Date.UTC(2026, 10, 26, 3, 47, 42));
	assert.ok(cut.startsWith('2026-11-26T03:47:43.000Z xxx'));
	assert.ok(cut.length < MAX_LINE_BYTES + 100, 'a 10 MB line is cut');
	assert.match(cut, /… \[\d+ more bytes cut\]$/);
	assert.equal(utf8, '2026-11-26T03:47:44.000Z héllo wörld');
	const file = path.join(home, 'data', 'logs', 'stigmer-server.log');
	assert.equal(positions.get(file)?.offset, fs.statSync(file).size - '2026-11-26T03:47:45.000Z half-writ'.length, 'following starts at the held-back line');
	assert.deepEqual(await writeAllJson(home, one), lines.map(asJson), 'the byte-level writer cleans the same way');
	assert.deepEqual(await readMerged(home, one, {tail: 1}), [lines[3]]);
});

test('the byte-level --json writer keeps UTF-8 and escapes quotes, backslashes and tabs', async () => {
	const text = '2026-11-26T03:47:41.000Z {"msg":"naïve café ☕ \\"quoted\\" C:\\\\path\ttab"} 日本語 🎉';
	const home = makeHome({'stigmer-server.log': `${text}\n`});
	const one = {components: ['stigmer-server']};
	const [line] = await readMerged(home, one, {tail: 0});
	assert.equal(line!.text, text);
	assert.deepEqual(await writeAllJson(home, one), [asJson(line!)]);
});

test('a 20 MB merge: the byte-level writer and the tail reader agree on every line', async () => {
	// Many chunks per file, so chunk borders, carries and runs across sources are all exercised.
	const make = (offset: number, format: (t: number, i: number) => string) => {
		const parts: string[] = [];
		for (let i = 0; i < 90_000; i++) {
			const t = Date.UTC(2026, 10, 26, 3, 0, 0) + i * 3 + offset;
			parts.push(format(t, i), i % 5000 === 4999 ? '\tat trace.Line(Frame.java:1)\n' : '');
		}

		return parts.join('');
	};

	const pad = 'p'.repeat(40);
	const home = makeHome({
		'stigmer-server.err': make(1, (t, i) => `{"level":"${i % 100 === 0 ? 'error' : 'info'}","time":"${new Date(t).toISOString()}","message":"n ${i} ${pad}"}\n`),
		'workflow-runner.log': make(0, (t, i) => `${new Date(t).toISOString().replace('T', ' ').replace('Z', '')} INFO w ${i} ${pad}\n`),
	});
	const lines = await readMerged(home, ALL, {tail: 0});
	assert.ok(lines.length > 180_000);
	const written = await writeAllJson(home, ALL, true);
	assert.equal(written.length, lines.length);
	assert.deepEqual(written, lines.map(asJson), 'read and parsed on a second thread');
	assert.deepEqual(await writeAllJson(home, ALL, false), written, 'all in one thread');
	for (const color of [false, true]) {
		const plain = await writeAllText(home, ALL, color);
		assert.equal(plain, lines.map((l) => `${formatLine(l, {color})}\n`).join(''), `plain text, color ${color}`);
	}
});

test('the merge kernel\'s edges: batches of more lines than a record table holds, long lines left to JS, every escape', async () => {
	// Seeded, so a failure repeats: every byte JSON escapes, next to multi-byte UTF-8, at every offset of a 16-byte block.
	let seed = 7;
	const next = (n: number) => {
		seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
		return (seed >>> 8) % n;
	};

	const alphabet = ['a', 'b', '"', '\\', '\t', '\u0001', '\u001b', '\u007f', '\b', '\f', '\r', 'é', '日', '🎉', ' '];
	const base = Date.UTC(2026, 10, 26, 3, 0, 0);
	const escapes: string[] = [];
	for (let i = 0; i < 3000; i++) {
		const text = Array.from({length: next(48)}, () => alphabet[next(alphabet.length)]).join('');
		escapes.push(`${new Date(base + i).toISOString()} ${text}`);
	}

	// 40,000 short lines in one chunk (over the 16,384 records of a batch), most of them without a time of their own.
	const many = Array.from({length: 40_000}, (_, i) => (i % 1000 === 0 ? `${new Date(base + i).toISOString()} tick ${i}` : `  more ${i}`));
	// Lines longer than the kernel renders itself (128 KiB) but short enough to stay in its memory (256 KiB), and one longer.
	const long = [150_000, 200_000, 300_000].map((size, i) => `{"level":"warn","time":"${new Date(base + 5 + i).toISOString()}","msg":"${'q\\"'.repeat(size / 3)}"}`);
	const home = makeHome({
		'stigmer-server.log': `${escapes.join('\n')}\n`,
		'workflow-runner.log': `${many.join('\n')}\n`,
		'agent-runner.err': `${long.join('\n')}\n`,
	});
	const lines = await readMerged(home, ALL, {tail: 0});
	assert.equal(lines.length, escapes.length + many.length + long.length);
	for (const threads of [false, true]) {
		assert.deepEqual(await writeAllJson(home, ALL, threads), lines.map(asJson), `--json, threads ${threads}`);
		for (const color of [false, true]) {
			assert.equal(await writeAllText(home, ALL, color, threads), lines.map((l) => `${formatLine(l, {color})}\n`).join(''), `plain text, color ${color}, threads ${threads}`);
		}
	}
});

test('coloured and hostile lines: the merge kernel (-n 0) and the tail reader (-n N) read the same time and level, --json text has no colour, the screen gets no escape', async () => {
	const lines = [
		'\u001B[90m2026-11-26T03:47:41.100Z\u001B[0m \u001B[31mERR\u001B[0m \u001B[1mdb down\u001B[0m',
		'[2026-11-26 04:47:41.200 +0100] \u001B[33mWARN\u001B[39m (4121): \u001B[36mslow\u001B[39m',
		'E, [2026-11-26T03:47:41.300000 #4121] ERROR -- : \u001B[1m\u001B[36mUser Load\u001B[0m',
		'2026-11-26T03:47:41.400Z title \u001B]0;PWNED\u0007 clip \u001B]52;c;aGk=\u0007 clear \u001B[2J\u001B[H done',
	];
	const home = makeHome({'stigmer-server.log': `${lines.join('\n')}\n`, 'workflow-runner.log': '2026-11-26T03:47:41.250Z INFO between\n'});
	const tail = await readMerged(home, ALL, {tail: 10});
	assert.deepEqual(tail.map((l) => [new Date(l.time).toISOString(), l.level]), [
		['2026-11-26T03:47:41.100Z', 'error'], ['2026-11-26T03:47:41.200Z', 'warn'], ['2026-11-26T03:47:41.250Z', 'info'], ['2026-11-26T03:47:41.300Z', 'error'], ['2026-11-26T03:47:41.400Z', null],
	]);
	for (const threads of [false, true]) {
		const json = await writeAllJson(home, ALL, threads);
		assert.deepEqual(json.map((o) => [o['time'], o['level'], o['inherited']]), tail.map((l) => [new Date(l.time).toISOString(), l.level, false]), `kernel: times and levels through colour, threads ${threads}`);
		assert.equal(json[0]?.['text'], '2026-11-26T03:47:41.100Z ERR db down', '--json text holds the line without colour');
		assert.equal(json[4]?.['text'], lines[3], 'other sequences stay in --json (escaped by JSON)');
		const plain = await writeAllText(home, ALL, false, threads);
		assert.ok(!plain.includes('\u001B') && !plain.includes('\u0007'), `no escape reaches the screen without colour: ${JSON.stringify(plain)}`);
		assert.match(plain, /title \\x1b\]0;PWNED\\x07 clip \\x1b\]52;c;aGk=\\x07 clear \\x1b\[2J\\x1b\[H done/);
		const coloured = await writeAllText(home, ALL, true, threads);
		assert.ok(coloured.includes('\u001B[33mWARN\u001B[39m'), 'colour kept when our output is coloured');
		assert.ok(!coloured.includes('\u001B]') && !coloured.includes('\u001B[2J') && !coloured.includes('\u0007'), 'but no other sequence');
		assert.equal(coloured, tail.map((l) => `${formatLine(l, {color: true})}\n`).join(''));
	}
});

test('a merge on two threads stops cleanly when its reader is gone (Ctrl-C, closed pipe) and leaves following where one thread would', async () => {
	const base = Date.UTC(2026, 10, 26, 3, 0, 0);
	const lines = (offset: number) => Array.from({length: 60_000}, (_, i) => `${new Date(base + 2 * i + offset).toISOString()} line ${i} ${'z'.repeat(60)}\n`).join('');
	const home = makeHome({'stigmer-server.log': lines(0), 'workflow-runner.err': lines(1)});
	fs.appendFileSync(path.join(home, 'data', 'logs', 'stigmer-server.log'), '2026-11-26T04:00:00.000Z half-writ');
	const positions = async (threads: boolean) => {
		const sink = new PassThrough();
		sink.resume();
		return (await writeAll(sourcesAt(home, ALL), {json: false, color: false}, sink, {threads})).positions;
	};

	assert.deepEqual(await positions(true), await positions(false));
	const stop = new AbortController();
	const sink = new PassThrough();
	let seen = 0;
	sink.on('data', (chunk: Buffer) => {
		seen += chunk.length;
		stop.abort();
	});
	const {count} = await writeAll(sourcesAt(home, ALL), {json: false, color: false}, sink, {signal: stop.signal, threads: true});
	assert.ok(seen > 0 && count < 120_000, `stopped early: ${count} lines`);
});

test('no log directory or files: nothing, no error', async () => {
	const home = makeHome();
	fs.rmSync(path.join(home, 'data'), {recursive: true});
	assert.deepEqual(await readMerged(home, ALL, {tail: 50}), []);
	assert.deepEqual(await writeAllJson(home, ALL), []);
});
