// Timestamp and level parsing (docs/logs.md): one real sample line per format, table-driven.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isErrorLevel, parseLine, parseSince} from '../../source/logs/index.js';
import {errorText} from '../../source/messages.js';
import {DECLINED, Kernel, makeMemory, planLayout} from '../../source/logs/full/kernel.js';
import {lineBoundsBackward} from '../../source/logs/lines.js';
import {itemAt} from '../helpers.js';

const utc = (h: number, mi: number, s: number, ms = 0) => Date.UTC(2026, 10, 26, h, mi, s) + ms;
const local = (h: number, mi: number, s: number, ms = 0) => new Date(2026, 10, 26, h, mi, s).getTime() + ms;
/** syslog and glog carry no year: this year, or last year when that date is still ahead. */
const yearless = (mo: number, d: number, h: number, mi: number, s: number, ms = 0) => {
	const now = new Date();
	let y = now.getFullYear();
	if (new Date(y, mo - 1, d).getTime() > now.getTime() + 86_400_000) {
		y--;
	}

	return new Date(y, mo - 1, d, h, mi, s).getTime() + ms;
};

type Case = {format: string; line: string; time: number | null; level: string | null};

const CASES: Case[] = [
	// RFC 3339 / ISO 8601
	{format: 'RFC 3339 UTC with ms', line: '2026-11-26T03:47:41.123Z server started', time: utc(3, 47, 41, 123), level: null},
	{format: 'RFC 3339 offset, µs', line: '2026-11-26T05:47:41.123456+02:00 INFO started', time: utc(3, 47, 41, 123.456), level: 'info'},
	{format: 'RFC 3339 negative offset, ns', line: '2026-11-25T22:47:41.123456789-05:00 ok', time: utc(3, 47, 41, 123.456), level: null},
	{format: 'ISO basic offset', line: '2026-11-26T04:47:41+0100 ERROR x', time: utc(3, 47, 41), level: 'error'},
	{format: 'ISO without zone = local', line: '2026-11-26T03:47:41 hello', time: local(3, 47, 41), level: null},
	{format: 'ISO with space, no fraction', line: '2026-11-26 03:47:41 WARN disk 91%', time: local(3, 47, 41), level: 'warn'},
	{format: 'ISO with UTC word', line: '2026-11-26 03:47:41.5 UTC [12] LOG: ready', time: utc(3, 47, 41, 500), level: null},
	{format: 'bracketed ISO', line: '[2026-11-26 03:47:41.250] [INFO] booted', time: local(3, 47, 41, 250), level: 'info'},
	{format: 'level before ISO', line: 'ERROR 2026-11-26T03:47:41Z db down', time: utc(3, 47, 41), level: 'error'},
	// JSON loggers
	{format: 'zerolog', line: '{"level":"info","time":"2026-11-26T03:47:41.123Z","message":"listening","port":7234}', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'zerolog epoch seconds', line: '{"level":"debug","time":1795664861,"message":"tick"}', time: utc(3, 47, 41), level: 'debug'},
	{format: 'logrus JSON (time last)', line: '{"level":"warning","msg":"slow \\"time\\": query","time":"2026-11-26T04:47:41+01:00"}', time: utc(3, 47, 41), level: 'warn'},
	{format: 'pino (epoch ms, numeric level)', line: '{"level":30,"time":1795664861123,"pid":4121,"hostname":"dev","msg":"hello"}', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'pino error level', line: '{"level":50,"time":1795664861123,"msg":"fail"}', time: utc(3, 47, 41, 123), level: 'error'},
	{format: 'Temporal (zap, ts string)', line: '{"level":"info","ts":"2026-11-26T03:47:41.123Z","msg":"Started","service":"frontend","logging-call-at":"service.go:168"}', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'zap production (ts epoch float)', line: '{"level":"error","ts":1795664861.123456,"caller":"poll.go:42","msg":"failed"}', time: utc(3, 47, 41, 123.456), level: 'error'},
	{format: 'timestamp key, severity', line: '{"timestamp":"2026-11-26T03:47:41.123Z","severity":"ERROR","message":"x"}', time: utc(3, 47, 41, 123), level: 'error'},
	{format: 'ECS @timestamp', line: '{"@timestamp":"2026-11-26T03:47:41.123Z","log.level":"info","message":"x"}', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'JSON epoch ms as string', line: '{"ts":"1795664861123","level":"INFO","msg":"x"}', time: utc(3, 47, 41, 123), level: 'info'},
	// Text loggers
	{format: 'Go log', line: '2026/11/26 03:47:41 listening on :7234', time: local(3, 47, 41), level: null},
	{format: 'Go log with µs', line: '2026/11/26 03:47:41.123456 workflow-runner polling', time: local(3, 47, 41, 123.456), level: null},
	{format: 'Python logging', line: '2026-11-26 03:47:41,123 INFO agent_runner: polling queue agent-runner', time: local(3, 47, 41, 123), level: 'info'},
	{format: 'Python WARNING', line: '2026-11-26 03:47:41,123 WARNING agent_runner: slow', time: local(3, 47, 41, 123), level: 'warn'},
	{format: 'nginx error log', line: '2026/11/26 03:47:41 [error] 1234#1234: *5 open() "/srv/x" failed (2: No such file or directory)', time: local(3, 47, 41), level: 'error'},
	{format: 'nginx notice', line: '2026/11/26 03:47:41 [notice] 1#1: start worker processes', time: local(3, 47, 41), level: 'notice'},
	{format: 'Redis', line: '12345:M 26 Nov 2026 03:47:41.123 * Ready to accept connections tcp', time: local(3, 47, 41, 123), level: 'notice'},
	{format: 'Redis warning', line: '7:C 26 Nov 2026 03:47:41.123 # WARNING Memory overcommit must be enabled!', time: local(3, 47, 41, 123), level: 'warn'},
	{format: 'syslog', line: 'Nov 26 03:47:41 devbox sshd[812]: Accepted publickey for dev', time: yearless(11, 26, 3, 47, 41), level: null},
	{format: 'syslog single-digit day', line: 'Nov  6 03:47:41 devbox cron[99]: job', time: yearless(11, 6, 3, 47, 41), level: null},
	{format: 'syslog RFC 5424', line: '<34>1 2026-11-26T03:47:41.123Z devbox app 812 - - started', time: utc(3, 47, 41, 123), level: null},
	{format: 'logrus text', line: 'time="2026-11-26T03:47:41Z" level=error msg="db down" err="dial tcp"', time: utc(3, 47, 41), level: 'error'},
	{format: 'go-kit logfmt', line: 'level=info ts=2026-11-26T03:47:41.123Z caller=main.go:12 msg=hi', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'glog/klog', line: 'E1126 03:47:41.123456   4121 poll.go:42] poll failed', time: yearless(11, 26, 3, 47, 41, 123.456), level: 'error'},
	// Coloured console loggers (docs/logs.md: times and levels are read through colour sequences)
	{format: 'coloured ISO and level (the spec\'s example)', line: '\u001B[90m2026-11-26T03:47:41.123Z\u001B[0m \u001B[31mERROR\u001B[0m boom', time: utc(3, 47, 41, 123), level: 'error'},
	{format: 'zerolog console, coloured', line: '\u001B[90m2026-11-26T03:47:41Z\u001B[0m \u001B[1m\u001B[31mERR\u001B[0m\u001B[0m \u001B[1mdb down\u001B[0m \u001B[36mport=\u001B[0m7234', time: utc(3, 47, 41), level: 'error'},
	{format: 'pino-pretty SYS:standard, coloured', line: '[2026-11-26 04:47:41.123 +0100] \u001B[33mWARN\u001B[39m (4121): \u001B[36mslow query\u001B[39m', time: utc(3, 47, 41, 123), level: 'warn'},
	{format: 'Rails (Ruby Logger), coloured SQL', line: 'E, [2026-11-26T03:47:41.123456 #4121] ERROR -- : \u001B[1m\u001B[36mUser Load (0.4ms)\u001B[0m  \u001B[1m\u001B[34mSELECT 1\u001B[0m', time: local(3, 47, 41, 123.456), level: 'error'},
	{format: 'Rails-style coloured level after the time', line: '\u001B[2m2026-11-26 03:47:41.123 +0000\u001B[0m \u001B[32m INFO\u001B[0m Completed 200 OK', time: utc(3, 47, 41, 123), level: 'info'},
	{format: 'a window title before the time', line: '\u001B]0;PWNED\u0007 2026-11-26T03:47:41Z WARN x', time: utc(3, 47, 41), level: 'warn'},
	{format: 'ISO with a space before a basic offset', line: '2026-11-26 04:47:41,5 +0100 INFO x', time: utc(3, 47, 41, 500), level: 'info'},
	// Lines without a time of their own
	{format: 'Go stack frame', line: '\t/src/runner/poll.go:42 +0x1d', time: null, level: null},
	{format: 'Go panic', line: 'panic: context deadline exceeded', time: null, level: null},
	{format: 'Python traceback', line: 'Traceback (most recent call last):', time: null, level: null},
	{format: 'Java frame', line: '    at com.example.Poller.run(Poller.java:42)', time: null, level: null},
	{format: 'empty', line: '', time: null, level: null},
	{format: 'JSON without time', line: '{"level":"info","msg":"no time here"}', time: null, level: 'info'},
	{format: 'impossible date', line: '2026-13-45 03:47:41 nope', time: null, level: null},
	{format: 'date only', line: '2026-11-26 release notes', time: null, level: null},
	{format: 'docker compose prefix', line: 'api  | 2026-11-26T03:47:41Z listening', time: utc(3, 47, 41), level: null},
	{format: 'a date deep in the message', line: 'restored backup from 2026-11-26T03:47:41Z after a long, long, long pause', time: null, level: null},
];

for (const c of CASES) {
	test(`parseLine: ${c.format}`, () => {
		const parsed = parseLine(c.line);
		if (c.time === null) {
			assert.equal(parsed.time, null, `no time expected in ${JSON.stringify(c.line)}`);
		} else {
			assert.notEqual(parsed.time, null, `a time expected in ${JSON.stringify(c.line)}`);
			assert.ok(Math.abs(parsed.time! - c.time) < 0.001, `${c.line}: got ${new Date(parsed.time!).toISOString()} (${parsed.time}), want ${new Date(c.time).toISOString()} (${c.time})`);
		}

		assert.equal(parsed.level, c.level, `level of ${JSON.stringify(c.line)}`);
	});
}

/** Edge lines for the byte fast path: near-misses of the layouts it reads. */
const FAST_EDGES = [
	'2026-11-26T03:47:41.123+02 short offset', '2026-11-26T03:47:41.123+0', '2026-11-26T03:47:41-', '2026-11-26T03:47:41.', '2026-11-26T03:47:41,5',
	'2026-11-26 03:47:41 UT', '2026-11-26 03:47:41 UTC', '2026/11/26 03:47:41+01:00 slash has no offset', '2026-11-26t03:47:41z lower',
	'2026-11-26T24:00:00Z', '2026-11-26T03:60:00Z', '2026-11-26T03:47:60Z leap', '2026-00-26T03:47:41Z', '2026-11-26', '2026-11-26T03:47',
	'  2026-11-26 03:47:41 [ERROR] indented', '	2026/11/26 03:47:41 | warn | piped', '2026-11-26 03:47:41 INFORMATIONAL', '2026-11-26 03:47:41 Informationally',
	'{"level":"WARNING","time":"2026-11-26T03:47:41Z"}', '{"level":"info","ts":1795664861.5}', '{"level":"info","ts":"1795664861123"}',
	'{"level":"info","msg":"x","time":"2026-11-26T03:47:41Z"}', '{"level":"informationalx","time":"2026-11-26T03:47:41Z"}',
	'2026-11-26 04:47:41.123 +0100 spaced offset', '2026-11-26 04:47:41 -05:00 spaced colon offset', '2026-11-26 04:47:41 +01 short', '2026-11-26 03:47:41 -- dashes',
	'2026-11-26 03:47:41 +2400 bad hour', '2026/11/26 03:47:41 +0100 slash', '2026-11-26 03:47:41 +01:7 x',
	'{"level":"info","time":"2026-11-26T03:47:41.1234567891+05:30"}', '{"level":"info","time":"nope"}', '{', '{"level":"', '   ', '1', '12:M',
];

/** The merge kernel's parse of the first line of `bytes`: null when it declines (leaves the line to parseLine). */
function kernelParse(bytes: Buffer): {time: number | null; level: string | null} | null {
	const layout = planLayout([[Buffer.from(' x ')]]);
	const kernel = new Kernel(makeMemory(layout), layout, 1);
	const {region, records: slot} = itemAt(itemAt(layout.slots, 0), 0);
	const records = kernel.records(slot);
	bytes.copy(kernel.bytes, region);
	kernel.x.parse(slot, region, region + bytes.length);
	if ((itemAt(records.flags, 0) & DECLINED) !== 0) {
		return null;
	}

	const time = itemAt(records.times, 0);
	return {time: Number.isNaN(time) ? null : time, level: itemAt(kernel.levelNames, itemAt(records.levels, 0))};
}

test('the merge kernel\'s parser agrees with parseLine on every line it accepts, whatever ends the line', () => {
	let accepted = 0;
	for (const line of [...CASES.map((c) => c.line), ...FAST_EDGES]) {
		const want = parseLine(line);
		for (const ending of ['\n', '\r\n', '\n2026-11-26T03:47:41Z next line', '\r\n{"level":"info"}']) {
			const got = kernelParse(Buffer.from(`${line}${ending}`, 'latin1'));
			if (got === null) {
				continue;
			}

			accepted++;
			assert.deepEqual(got, want, `${JSON.stringify(line + ending)}`);
		}
	}

	assert.ok(accepted > 100, `the kernel accepted only ${accepted} line endings`);
});

test('the merge kernel reads the common layouts itself: Temporal, zerolog, Go log, Python logging, blank', () => {
	const common = [
		'{"level":"info","ts":"2026-11-26T03:47:41.123Z","msg":"Started"}',
		'{"level":"warn","time":"2026-11-26T03:47:41.123Z","message":"slow"}',
		'2026/11/26 03:47:41.123456 task 7 poll',
		'2026-11-26 03:47:41,123 ERROR agent_runner: failed',
		'',
	];
	for (const line of common) {
		assert.deepEqual(kernelParse(Buffer.from(`${line}\n`)), parseLine(line), `declined or misread ${JSON.stringify(line)}`);
	}

	assert.equal(kernelParse(Buffer.from('2026-11-26T03:47:41Z no newline')), null, 'a line without its \\n is left to JS');
	for (const line of ['2026-11-26T03:47:41Z \u001B[31mERROR\u001B[0m x', '2026-11-26T03:47:41Z a\u0007b', '2026-11-26T03:47:41Z progress\r50%', '2026-11-26T03:47:41Z c1 \u009B2J', `2026-11-26T03:47:41Z ${'x'.repeat(20)}\u007F`]) {
		assert.equal(kernelParse(Buffer.from(`${line}\n`)), null, `a line with a control character is left to JS: ${JSON.stringify(line)}`);
	}

	assert.notEqual(kernelParse(Buffer.from('2026-11-26T03:47:41Z tab\tand CRLF\r\n')), null, 'tab and a CR before the newline are not control characters here');
});

test('the merge kernel\'s memory stays within its budget however many files are merged', () => {
	const label = [Buffer.from(' component[stdout] ')];
	const bytes = (count: number) => planLayout(Array.from({length: count}, () => label)).pages * 64 * 1024;
	assert.ok(bytes(1) < 8 * 1024 * 1024, `one file: ${bytes(1)} bytes`);
	for (const count of [8, 20, 40]) {
		assert.ok(bytes(count) <= 72 * 1024 * 1024, `${count} files: ${bytes(count)} bytes`);
	}

	assert.equal(planLayout([label]).chunk, 768 * 1024, 'a few files are read in large chunks');
	assert.ok(planLayout(Array.from({length: 40}, () => label)).chunk < 768 * 1024, 'many files in smaller ones');
});

test('isErrorLevel marks error, fatal, critical and panic only', () => {
	assert.deepEqual(['error', 'fatal', 'critical', 'panic', 'warn', 'info', null].map((l) => isErrorLevel(l)), [true, true, true, true, false, false, false]);
});

test('parseSince: durations, times and clock times; junk is a usage error', () => {
	const now = utc(12, 0, 0);
	assert.equal(parseSince('10m', now), now - 600_000);
	assert.equal(parseSince('90', now), now - 90_000);
	assert.equal(parseSince('2026-11-26T03:47:41Z', now), utc(3, 47, 41));
	assert.equal(parseSince('2026-11-26 03:47', now), local(3, 47, 0));
	assert.equal(parseSince('2026-11-26', now), local(0, 0, 0));
	const clock = parseSince('03:47', now);
	assert.ok(clock <= now && now - clock < 86_400_000, 'a clock time is within the last day');
	assert.equal(new Date(clock).getMinutes(), 47);
	assert.throws(() => parseSince('yesterday-ish', now), (error: Error & {exitCode?: number}) => error.exitCode === 2 && /neither a duration/.test(errorText(error)));
});

test('lineBoundsBackward: the lines of buf[from, to) newest first, as a forward split finds them: empty lines, no final newline, from > 0', () => {
	/** The reference: split forward on \n; a final \n ends the last line, no empty line after it. */
	const forward = (buf: Buffer, from: number, to: number): Array<[number, number]> => {
		const bounds: Array<[number, number]> = [];
		for (let start = from; start < to;) {
			const found = buf.indexOf(10, start);
			const end = found < 0 || found >= to ? to : found;
			bounds.push([start, end]);
			start = end + 1;
		}

		return bounds;
	};

	let seed = 7;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	for (let round = 0; round < 2000; round++) {
		const buf = Buffer.from(Array.from({length: Math.floor(random() * 24)}, () => (random() < 0.35 ? '\n' : 'a')).join(''));
		const from = Math.floor(random() * (buf.length + 1));
		const to = from + Math.floor(random() * (buf.length - from + 1));
		assert.deepEqual([...lineBoundsBackward(buf, from, to)].reverse(), forward(buf, from, to), `${JSON.stringify(buf.toString())} [${from}, ${to})`);
	}
});
