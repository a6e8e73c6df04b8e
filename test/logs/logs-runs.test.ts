// Lines without a time belong to their run (docs/logs.md): every reader places them between their run's
// spawn and exit, from data/logs/<component>.runs (`<ms> spawn|exit <.log size> <.err size>`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {test} from 'node:test';
import {writeAll, type LogLine, type LogSelection} from '../../source/logs/index.js';
import {parseRuns, readRunsBack, RunPlacer, runsFileOf} from '../../source/logs/runs.js';
import {readMerged, sourcesAt} from '../helpers/log-readers.js';
import {logsHome, makeHome, show, statusJson, waitFor} from '../helpers.js';

const T0 = Date.UTC(2026, 10, 26, 3, 47, 0);
const iso = (ms: number) => new Date(ms).toISOString();

type Run = {spawnAt: number; exitAt?: number; lines: string[]};

/** A crash-looping component with no timestamps of its own: its .log and its .runs, as the supervisor writes them. */
function crashLoop(runs: Run[], before = ''): {log: string; runs: string} {
	let log = before;
	let record = '';
	for (const run of runs) {
		record += `${run.spawnAt} spawn ${Buffer.byteLength(log)} 0\n`;
		log += run.lines.map((l) => `${l}\n`).join('');
		if (run.exitAt !== undefined) {
			record += `${run.exitAt} exit ${Buffer.byteLength(log)} 0\n`;
		}
	}

	return {log, runs: record};
}

const BOOM: Run[] = [
	{spawnAt: T0, exitAt: T0 + 500, lines: ['starting 1', 'working 1']},
	{spawnAt: T0 + 2000, exitAt: T0 + 2300, lines: ['starting 2', `${iso(T0 + 2100)} dated in run 2`, 'trace of run 2']},
	{spawnAt: T0 + 6000, exitAt: T0 + 6100, lines: [`${iso(T0 + 5000)} a clock behind`, 'after the clock behind']},
	{spawnAt: T0 + 14_000, lines: ['starting 4']},
];
/** What each boom line's time must be. */
const EXPECTED: Record<string, number> = {
	'starting 1': T0,
	'working 1': T0,
	'starting 2': T0 + 2000,
	'trace of run 2': T0 + 2100,
	'after the clock behind': T0 + 6000,
	'starting 4': T0 + 14_000,
};

function boomHome(): string {
	const boom = crashLoop(BOOM);
	const clock = [1000, 3000, 10_000, 15_000].map((d) => `${iso(T0 + d)} clock +${d}\n`).join('');
	return logsHome('stigmer-runs-', {'boom.log': boom.log, 'boom.runs': boom.runs, 'clock.log': clock}).home;
}

const SELECTION: LogSelection = {components: ['boom', 'clock'], streams: ['stdout']};

function checkBoom(lines: Array<{text: string; time: number}>, what: string): void {
	for (const l of lines) {
		const want = EXPECTED[l.text];
		if (want !== undefined) {
			assert.equal(iso(l.time), iso(want), `${what}: "${l.text}"`);
		}
	}
}

async function writeAllLines(home: string, selection: LogSelection, threads: boolean): Promise<Array<{text: string; time: number; inherited: boolean}>> {
	const sink = new PassThrough();
	const chunks: Buffer[] = [];
	sink.on('data', (c: Buffer) => chunks.push(c));
	await writeAll(sourcesAt(home, selection), {json: true, color: false}, sink, {threads});
	return Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => {
		const o = JSON.parse(l) as {text: string; time: string; inherited: boolean};
		return {text: o.text, time: Date.parse(o.time), inherited: o.inherited};
	});
}

test('a crash loop without timestamps: each undated line keeps its run, in the tail, -n 0 on one thread and two', async () => {
	const home = boomHome();
	const all = await readMerged(home, SELECTION, {tail: 0});
	checkBoom(all, 'tail reader, -n 0');
	// Each run sits between the other component's lines of its time, never borrowing the previous run's time.
	assert.deepEqual(all.map((l) => l.text.replace(/^\S+Z (clock)/, '$1')), [
		'starting 1', 'working 1', 'clock +1000', 'starting 2', `${iso(T0 + 2100)} dated in run 2`, 'trace of run 2',
		'clock +3000', `${iso(T0 + 5000)} a clock behind`, 'after the clock behind', 'clock +10000', 'starting 4', 'clock +15000',
	]);
	for (const n of [1, 2, 3, 5, 8]) {
		const tail = await readMerged(home, SELECTION, {tail: n});
		assert.deepEqual(tail, all.slice(-n), `-n ${n} is the last ${n} of the full merge`);
	}

	for (const threads of [false, true]) {
		const written = await writeAllLines(home, SELECTION, threads);
		checkBoom(written, `writeAll, threads ${threads}`);
		assert.deepEqual(written.map((l) => [l.text, l.time, l.inherited]), all.map((l: LogLine) => [l.text, Math.floor(l.time), l.inherited]), `writeAll (threads ${threads}) agrees with the tail reader`);
	}
});

test('rotated runs: a rotated .log is placed by the .runs rotated with it; lines outside every run keep the old rule', async () => {
	const old = crashLoop([{spawnAt: T0, exitAt: T0 + 100, lines: ['old run']}, {spawnAt: T0 + 1000, exitAt: T0 + 1100, lines: ['old run 2']}]);
	// The live file starts with a line written before any recorded spawn (an older stigmer): it takes the file's first time.
	const live = crashLoop([{spawnAt: T0 + 5000, lines: ['live run']}], `before any run\n${iso(T0 + 4000)} dated before the run\n`);
	const home = logsHome('stigmer-runs-', {
		'boom.log.20261126T034700Z': old.log,
		'boom.runs.20261126T034700Z': old.runs,
		'boom.log': live.log,
		'boom.runs': live.runs,
	}).home;
	const expected = [['old run', T0], ['old run 2', T0 + 1000], ['before any run', T0 + 4000], [`${iso(T0 + 4000)} dated before the run`, T0 + 4000], ['live run', T0 + 5000]];
	const one: LogSelection = {components: ['boom']};
	assert.deepEqual((await readMerged(home, one, {tail: 0})).map((l) => [l.text, l.time]), expected);
	assert.deepEqual((await readMerged(home, one, {tail: 1})).map((l) => [l.text, l.time]), expected.slice(-1));
	assert.deepEqual((await writeAllLines(home, one, false)).map((l) => [l.text, l.time]), expected);
});

test('-n N reads only the end of a long .runs file', async () => {
	// 100,000 old runs (about 4 MB of records) that wrote nothing, then one that wrote the tail.
	let records = '';
	for (let i = 0; i < 100_000; i++) {
		records += `${T0 + i} spawn 0 0\n${T0 + i} exit 0 0\n`;
	}

	const last = T0 + 200_000;
	records += `${last} spawn 0 0\n`;
	const {home, logs} = logsHome('stigmer-runs-', {'boom.log': 'one\ntwo\nthree\n', 'boom.runs': records});
	assert.ok(fs.statSync(path.join(logs, 'boom.runs')).size > 3_000_000);
	const readSync = fs.readSync;
	let bytes = 0;
	fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
		const n = readSync(...args);
		bytes += n;
		return n;
	}) as typeof fs.readSync;
	let lines: LogLine[];
	try {
		lines = await readMerged(home, {components: ['boom']}, {tail: 2});
	} finally {
		fs.readSync = readSync;
	}

	assert.deepEqual(lines.map((l) => [l.text, l.time]), [['two', last], ['three', last]]);
	assert.ok(bytes < 64 * 1024, `read ${bytes} bytes for a two-line tail`);
});

test('the .runs format: pairs, a spawn without its exit, malformed records, names beside rotated logs', () => {
	const runs = parseRuns('100 spawn 0 10\n200 exit 5 20\n300 spawn 5 20\n400 spawn 9 25\ngarbage\n500 exit 12 30\n600 exit 99 99\n700 spawn 12 30', 'stderr');
	assert.deepEqual(runs, [
		{from: 10, to: 20, spawnAt: 100, exitAt: 200},
		{from: 20, to: 25, spawnAt: 300, exitAt: 400},
		{from: 25, to: 30, spawnAt: 400, exitAt: 500},
		{from: 30, to: Number.POSITIVE_INFINITY, spawnAt: 700, exitAt: Number.POSITIVE_INFINITY},
	]);
	const placer = new RunPlacer(runs);
	// Outside every run: NaN (the caller's rule); at a run's start: its spawn; after a dated line: its time, kept within [spawn, exit].
	assert.deepEqual([placer.place(5, Number.NaN), placer.place(10, Number.NaN), placer.place(12, 150), placer.place(15, Number.NaN), placer.place(16, 900), placer.place(17, Number.NaN), placer.place(22, Number.NaN), placer.place(40, Number.NaN)], [Number.NaN, 100, 150, 150, 900, 200, 300, 700]);
	// A spawn below the last run's end: the file was truncated, and only the runs after it describe its bytes.
	assert.deepEqual(parseRuns('100 spawn 0 0\n200 exit 50 0\n300 spawn 50 0\n400 exit 80 0\n500 spawn 0 0\n', 'stdout'), [{from: 0, to: Number.POSITIVE_INFINITY, spawnAt: 500, exitAt: Number.POSITIVE_INFINITY}]);
	assert.equal(runsFileOf('/h/data/logs/boom.err'), '/h/data/logs/boom.runs');
	assert.equal(runsFileOf('/h/data/logs/boom.log.20261126T034700Z-1'), '/h/data/logs/boom.runs.20261126T034700Z-1');
	assert.equal(runsFileOf('/h/data/logs/daemon.log'), undefined);
	const {logs} = logsHome('stigmer-runs-', {'x.runs': '100 spawn 0 0\n200 exit 10 0\n300 spawn 10 0\n'});
	assert.deepEqual(readRunsBack(path.join(logs, 'x.log'), 'stdout', 12), [{from: 10, to: Number.POSITIVE_INFINITY, spawnAt: 300, exitAt: Number.POSITIVE_INFINITY}]);
});

test('end to end: a crash-looping component that prints no times, under its real supervisor: each run\'s lines at that run\'s spawn', {timeout: 90_000}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {boom: {command: ['sh', '-c', 'echo starting; sleep 0.4; echo failing now; exit 3'], ready: {after: '100ms'}, max_restarts: 2, restart_delay: '300ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start));
	await waitFor(async () => (await statusJson(home)).byName.get('boom')?.state === 'failed', 'boom to give up', 30_000);
	const runsFile = path.join(home.dataDir, 'logs', 'boom.runs');
	if (!fs.existsSync(runsFile)) {
		t.skip('the supervisor does not write data/logs/<component>.runs yet');
		return;
	}

	const spawns = parseRuns(fs.readFileSync(runsFile, 'latin1'), 'stdout').map((r) => r.spawnAt);
	assert.equal(spawns.length, 3, fs.readFileSync(runsFile, 'latin1'));
	const logs = await home.cli(['server', 'logs', '-c', 'boom', '--stdout', '-n', '0', '--no-follow', '--json']);
	assert.equal(logs.code, 0, show(logs));
	const lines = logs.stdout.trim().split('\n').map((l) => JSON.parse(l) as {time: string; text: string; inherited: boolean});
	assert.deepEqual(lines.map((l) => l.text), ['starting', 'failing now', 'starting', 'failing now', 'starting', 'failing now']);
	assert.deepEqual(lines.map((l) => Date.parse(l.time)), spawns.flatMap((at) => [at, at]), 'each run\'s lines at its own spawn time');
	assert.ok(spawns.every((at, i) => i === 0 || at > (spawns[i - 1] ?? 0)), `spawn times increase: ${spawns.join(', ')}`);
	const tail = await home.cli(['server', 'logs', '-c', 'boom', '--stdout', '-n', '3', '--no-follow', '--json']);
	assert.deepEqual(tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), lines.slice(-3), '-n 3 agrees');
});
