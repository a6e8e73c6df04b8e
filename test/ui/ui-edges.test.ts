// The dashboard's real edges on real files: the facts watch and the log feed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {factsWatch, logFeed} from '../../source/ui/live-deps.js';
import type {IncomingLine} from '../../source/ui/types.js';
import {homeAt} from '../../source/paths.js';
import {waitFor} from '../helpers.js';

function home(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-ui-edges-')));
	fs.mkdirSync(path.join(dir, 'data', 'logs'), {recursive: true});
	return dir;
}

describe('factsWatch', () => {
	it('fires for a PID file written atomically or removed, a state file, config.yaml; not for log appends', async () => {
		const h = home();
		let changes = 0;
		const watcher = factsWatch(homeAt(h))(() => {
			changes++;
		});
		try {
			// chokidar reports ready asynchronously; a first PID file proves the watch is live.
			const pid = path.join(h, 'data', 'workflow-runner.pid');
			await waitFor(() => {
				fs.writeFileSync(`${pid}.tmp`, '{}');
				fs.renameSync(`${pid}.tmp`, pid);
				return changes > 0;
			}, 'a change event for a renamed PID file', 5000);
			// Events of the retries above may still be in flight under load: let them settle (bounded).
			for (let last = -1, deadline = Date.now() + 5000; last !== changes && Date.now() < deadline;) {
				last = changes;
				await new Promise((r) => setTimeout(r, 300));
			}

			const seen = changes;
			for (let i = 0; i < 50; i++) {
				fs.appendFileSync(path.join(h, 'data', 'logs', 'workflow-runner.log'), `line ${i}\n`);
			}

			// A negative check: a wake-up caused by these appends would have arrived within this time.
			await new Promise((r) => setTimeout(r, 300));
			assert.equal(changes, seen, 'log appends do not wake the status poll');
			fs.rmSync(pid);
			await waitFor(() => changes > seen, 'an event for the removed PID file', 5000);
			// A supervisor's record (an exit, a backoff) and config.yaml wake it too.
			const beforeState = changes;
			const state = path.join(h, 'data', 'workflow-runner.state');
			fs.writeFileSync(`${state}.tmp`, '{}');
			fs.renameSync(`${state}.tmp`, state);
			await waitFor(() => changes > beforeState, 'an event for a state file written atomically', 5000);
			const beforeConfig = changes;
			fs.writeFileSync(path.join(h, 'config.yaml'), 'version: 1\n');
			await waitFor(() => changes > beforeConfig, 'an event for config.yaml', 5000);
		} finally {
			await watcher.close();
			fs.rmSync(h, {recursive: true, force: true});
		}
	});
});

describe('logFeed', () => {
	it('delivers the backlog, then appended lines, with their own times', async () => {
		const h = home();
		const file = path.join(h, 'data', 'logs', 'agent-runner.log');
		fs.writeFileSync(file, '2026-11-26 03:47:41,123 INFO agent_runner: old line\n');
		const got: IncomingLine[] = [];
		let failure: Error | undefined;
		const feed = logFeed(homeAt(h)).follow(
			['agent-runner'],
			(lines) => got.push(...lines),
			(error) => {
				failure = error;
			},
		);
		try {
			await waitFor(() => got.some((l) => l.text.endsWith('old line')), 'the backlog line', 5000);
			const old = got.find((l) => l.text.endsWith('old line'))!;
			assert.equal(old.component, 'agent-runner');
			assert.equal(old.stream, 'stdout');
			assert.equal(old.level, 'info');
			assert.equal(old.time, new Date(2026, 10, 26, 3, 47, 41, 123).getTime(), 'local time, as docs/logs.md says');
			fs.appendFileSync(file, '2026-11-26 03:47:42,000 ERROR agent_runner: new line\n');
			await waitFor(() => got.some((l) => l.text.endsWith('new line')), 'the appended line', 5000);
			assert.equal(got.find((l) => l.text.endsWith('new line'))!.level, 'error');
			assert.equal(got.filter((l) => l.text.endsWith('old line')).length, 1, 'no line twice');
			assert.equal(failure, undefined);
		} finally {
			await feed.close();
			fs.rmSync(h, {recursive: true, force: true});
		}
	});
});
