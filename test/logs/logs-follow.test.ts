// Following (docs/logs.md): new lines as written, through rename and copy-truncate rotation, files that
// appear later, and half-written lines; each line exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {createRequire, syncBuiltinESMExports} from 'node:module';
import path from 'node:path';
import {test} from 'node:test';
import {readAndFollow, type LogLine, type LogSelection} from '../../source/logs/index.js';
import {followLogs} from '../helpers/log-readers.js';
import {homeAt} from '../../source/paths.js';
import {itemAt, logsHome, waitFor} from '../helpers.js';

const require = createRequire(import.meta.url);
const makeHome = (): {home: string; logs: string} => logsHome('stigmer-follow-');

/** A home whose live workflow-runner.log holds `text`. */
function liveHome(text: string): {home: string; logs: string; live: string} {
	const {home, logs} = logsHome('stigmer-follow-', {'workflow-runner.log': text});
	return {home, logs, live: path.join(logs, 'workflow-runner.log')};
}

const stamp = (i: number) => new Date(Date.UTC(2026, 10, 26, 3, 0, 0) + i).toISOString();
const line = (i: number) => `${stamp(i)} line ${i}\n`;
const texts = (lines: LogLine[]) => lines.map((l) => l.text);
const expected = (from: number, to: number) => Array.from({length: to - from}, (_, k) => line(from + k).slice(0, -1));
/** A few ms for the follower to run between writes: the point is that it reads while lines are still being written. */
const tick = async () => new Promise((r) => setTimeout(r, 5));
/** A line stamped after all the others, appended last: once it is followed, a scan has run after every other write. */
const SENTINEL = `${stamp(10_000_000)} sentinel`;

/** Collects batches, asserting each is in time order; the sentinel is counted apart from `seen`. */
function collector() {
	const seen: LogLine[] = [];
	let sentinels = 0;
	const onLines = (batch: LogLine[]) => {
		for (let i = 1; i < batch.length; i++) {
			assert.ok(itemAt(batch, i).time >= itemAt(batch, i - 1).time, 'a batch is in time order');
		}

		for (const l of batch) {
			if (l.text === SENTINEL) {
				sentinels++;
			} else {
				seen.push(l);
			}
		}
	};

	/**
	 * Append the sentinel to `file` and wait until it is followed: the scans that would repeat or
	 * release an earlier line (a rotation drained twice, a half line let out) have run by then.
	 */
	const settle = async (file: string) => {
		const before = sentinels;
		fs.appendFileSync(file, `${SENTINEL}\n`);
		await waitFor(() => sentinels > before, `the sentinel line appended to ${path.basename(file)}`);
	};

	return {seen, onLines, settle};
}

const ONE: LogSelection = {components: ['workflow-runner'], streams: ['stdout']};
const TOTAL = 600;

/** Rotations of the live file as writers do them, after line i was appended (every 150 lines). */
const ROTATIONS: Array<{name: string; before: string; from: number; rotate: (logs: string, live: string, i: number) => void}> = [
	{
		name: 'rename rotation',
		// Line 0 is there before following begins: the follow starts after it.
		before: line(0),
		from: 1,
		rotate(logs, live, i) {
			if (i % 150 === 0) {
				fs.renameSync(live, path.join(logs, `workflow-runner.log.20261126T0300${String(i / 150).padStart(2, '0')}Z`));
			}
		},
	},
	{
		name: 'copy-truncate rotation, with the follower behind',
		before: '',
		from: 0,
		rotate(logs, live, i) {
			if (i % 150 === 149) {
				// logrotate's copytruncate, done right after a write: the follower has not read the last lines yet.
				// Our rotation names, then logrotate's dateext form: the follower finds the copy either way.
				const n = (i + 1) / 150;
				fs.copyFileSync(live, path.join(logs, n <= 2 ? `workflow-runner.log.20261126T03000${n}Z` : `workflow-runner.log-2026112603000${n}`));
				fs.truncateSync(live, 0);
			}
		},
	},
];

for (const rotation of ROTATIONS) {
	test(`follow across ${rotation.name}: every line exactly once, in order`, async () => {
		const {home, logs, live} = liveHome(rotation.before);
		const {seen, onLines, settle} = collector();
		const follower = await followLogs(home, ONE, onLines);
		try {
			for (let i = rotation.from; i < TOTAL; i++) {
				fs.appendFileSync(live, line(i));
				rotation.rotate(logs, live, i);
				if (i % 40 === 0) {
					await tick();
				}
			}

			await waitFor(() => seen.length >= TOTAL - rotation.from, `${TOTAL - rotation.from} followed lines (have ${seen.length})`);
			await settle(live);
			assert.deepEqual(texts(seen), expected(rotation.from, TOTAL));
		} finally {
			await follower.close();
		}
	});
}

test('follow after a rename rotation: lines written to the new file do not make it re-read data/logs', async () => {
	const {home, logs, live} = liveHome(line(0));
	const {seen, onLines, settle} = collector();
	const follower = await followLogs(home, ONE, onLines);
	// Directory reads, sync or not, by anyone in this process (chokidar reads fs/promises' binding: synced below).
	const fsp = require('node:fs/promises') as typeof import('node:fs/promises');
	const original = {readdir: fsp.readdir, readdirSync: fs.readdirSync};
	let reads = 0;
	const counted = <F extends (...args: never[]) => unknown>(f: F) => ((...args: Parameters<F>) => {
		reads++;
		return f(...args);
	}) as unknown as F;
	try {
		// A start's rotation: the live file renamed away, the writer's new file a moment later.
		fs.renameSync(live, path.join(logs, 'workflow-runner.log.20261126T030000Z'));
		await tick();
		fs.writeFileSync(live, line(1));
		await waitFor(() => seen.length === 1, 'the first line of the new file');
		fsp.readdir = counted(original.readdir);
		fs.readdirSync = counted(original.readdirSync);
		syncBuiltinESMExports();
		// A writer appending a line every few ms for half a second: each append wakes the follower.
		for (let i = 2; i < 100; i++) {
			fs.appendFileSync(live, line(i));
			await tick();
		}

		await settle(live);
		assert.deepEqual(texts(seen), expected(1, 100));
		// chokidar, its only file renamed away, watched data/logs for it and re-read the directory (an lstat per entry) on every append: ~100 here.
		assert.ok(reads <= 2, `data/logs read ${reads} times while lines were appended`);
	} finally {
		fsp.readdir = original.readdir;
		fs.readdirSync = original.readdirSync;
		syncBuiltinESMExports();
		await follower.close();
	}
});

test('follow: files created later, a deleted file, a half-written line held until its newline', async () => {
	const {home, logs} = makeHome();
	const {seen, onLines, settle} = collector();
	const follower = await followLogs(home, {components: ['workflow-runner', 'agent-runner']}, onLines);
	try {
		const err = path.join(logs, 'agent-runner.err');
		fs.writeFileSync(err, `${stamp(1)} ERROR first\n${stamp(2)} half`);
		await waitFor(() => seen.length === 1, 'the line of a file created after following began');
		assert.deepEqual(seen.map((l) => [l.text, l.level, l.stream]), [[`${stamp(1)} ERROR first`, 'error', 'stderr']]);
		// Through a third file: appended to agent-runner.err, the sentinel would complete the half line.
		await settle(path.join(logs, 'agent-runner.log'));
		assert.equal(seen.length, 1, 'a line without its newline is held back');
		const before = Date.now();
		fs.appendFileSync(err, '-written\r\n\tcontinued\n');
		await waitFor(() => seen.length === 3, 'the completed line and its continuation');
		const after = Date.now();
		assert.deepEqual(texts(seen.slice(1)), [`${stamp(2)} half-written`, '\tcontinued']);
		assert.equal(itemAt(seen, 2).inherited, true);
		// While following, a line without a time takes the time it arrived (not its file's last time, from an earlier run maybe).
		assert.ok(itemAt(seen, 2).time >= before && itemAt(seen, 2).time <= after, `arrival time ${itemAt(seen, 2).time} in [${before}, ${after}]`);
		fs.rmSync(err);
		const out = path.join(logs, 'workflow-runner.log');
		fs.writeFileSync(out, line(3));
		fs.writeFileSync(err, line(4));
		await waitFor(() => seen.length === 5, 'lines of a recreated file');
		assert.deepEqual(texts(seen.slice(3)), expected(3, 5));
	} finally {
		await follower.close();
	}
});

test('follow: a 10 MB line arriving in pieces is cut to the bound, and the lines around it are intact', async () => {
	const {home, live} = liveHome('');
	const {seen, onLines} = collector();
	const follower = await followLogs(home, ONE, onLines);
	try {
		fs.appendFileSync(live, `${line(1)}${stamp(2)} `);
		const piece = 'y'.repeat(1024 * 1024);
		for (let k = 0; k < 10; k++) {
			fs.appendFileSync(live, piece);
			await tick();
		}

		fs.appendFileSync(live, `\n${line(3)}`);
		await waitFor(() => seen.length === 3, 'three lines');
		const [before, cut = '', after] = texts(seen);
		assert.deepEqual([before, after], [line(1).slice(0, -1), line(3).slice(0, -1)]);
		assert.ok(cut.startsWith(`${stamp(2)} yyy`), cut.slice(0, 80));
		assert.match(cut, /… \[\d+ more bytes cut\]$/);
		assert.ok(cut.length < 1024 * 1024 + 100);
		assert.equal(itemAt(seen, 1).time, Date.parse(stamp(2)));
	} finally {
		await follower.close();
	}
});

test('follow starts before the log directory exists', async () => {
	const {home} = makeHome();
	fs.rmSync(path.join(home, 'data'), {recursive: true});
	const {seen, onLines} = collector();
	const follower = await followLogs(home, ONE, onLines);
	try {
		fs.mkdirSync(path.join(home, 'data', 'logs'), {recursive: true});
		fs.writeFileSync(path.join(home, 'data', 'logs', 'workflow-runner.log'), line(7));
		await waitFor(() => seen.length === 1, 'a line once the directory and file appear');
		assert.deepEqual(texts(seen), expected(7, 8));
	} finally {
		await follower.close();
	}
});

test('readAndFollow while a writer runs: tail plus followed lines hold every line exactly once', async () => {
	const {home, live} = liveHome(expected(0, 100).map((l) => `${l}\n`).join(''));
	let i = 100;
	let writing = true;
	const writer = (async () => {
		while (writing && i < 2000) {
			fs.appendFileSync(live, line(i++));
			await new Promise((r) => setImmediate(r));
		}
	})();
	const {seen, onLines, settle} = collector();
	const result = await readAndFollow(homeAt(home), ONE, {tail: 0}, onLines);
	try {
		// Let the writer go on a while after the read: those lines reach the follower only.
		const atRead = i;
		await waitFor(() => i >= Math.min(atRead + 200, 2000), 'the writer to write 200 more lines');
		writing = false;
		await writer;
		await waitFor(() => result.lines.length + seen.length >= i, `all ${i} lines (have ${result.lines.length} + ${seen.length})`);
		await settle(live);
		assert.deepEqual([...texts(result.lines), ...texts(seen)], expected(0, i));
	} finally {
		await result.close();
	}
});

test('a 300,000-line burst reaches the follower (the dashboard\'s feed) in bounded batches, every line once', async () => {
	const {home, live} = liveHome('');
	let count = 0;
	let largest = 0;
	let wrong = '';
	let settled = false;
	const follower = await followLogs(home, ONE, (batch) => {
		largest = Math.max(largest, batch.length);
		for (const l of batch) {
			if (l.text === SENTINEL) {
				settled = true;
				continue;
			}

			if (wrong === '' && l.text !== line(count).slice(0, -1)) {
				wrong = `line ${count}: ${l.text}`;
			}

			count++;
		}
	});
	try {
		const total = 300_000;
		fs.appendFileSync(live, Array.from({length: total}, (_, i) => line(i)).join(''));
		await waitFor(() => count >= total, `${total} lines (have ${count})`, 60_000);
		fs.appendFileSync(live, `${SENTINEL}\n`);
		await waitFor(() => settled, 'the sentinel line after the burst');
		assert.equal(count, total);
		assert.equal(wrong, '', 'in order, each once');
		assert.ok(largest <= 10_000, `a batch of ${largest} lines: a burst is handed on in bounded pieces`);
	} finally {
		await follower.close();
	}
});
