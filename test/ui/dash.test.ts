// `stigmer dash --once` / `--json` / non-terminal stdout, through the built CLI on a real stack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {cli, DASH_WAIT_MS, startedHome, suiteCleanup, tempHome} from '../helpers/dash.js';
import {waitFor} from '../helpers.js';

describe('dash headless', () => {
	let home: string;
	let stopped: string;

	before(async () => {
		home = await startedHome(homes);
		stopped = await tempHome(homes);
		// A line of our own with a known time, so the log section has something to assert.
		fs.appendFileSync(path.join(home, 'data', 'logs', 'agent-runner.err'), `${new Date().toISOString()} ERROR marker-line-for-dash-test\n`);
	});

	after(() => {
		cli(home, ['server', 'stop']);
	});
	const homes = suiteCleanup();

	it('--once prints every panel and the last merged log lines, exit 0 when healthy', async () => {
		const result = await waitFor(() => {
			const r = cli(home, ['dash', '--once']);
			return r.status === 0 && r.stdout.includes('marker-line-for-dash-test') ? r : undefined;
		}, 'a healthy snapshot with the marker line', DASH_WAIT_MS);
		const out = result.stdout;
		assert.match(out, /● healthy/);
		for (const name of ['stigmer-server', 'workflow-runner', 'agent-runner']) {
			assert.match(out, new RegExp(`● ${name}\\s+running\\s+pid \\d+`), `${name} panel`);
		}

		assert.match(out, /⊘ temporal\s+disabled/);
		assert.match(out, /disabled in config/);
		assert.match(out, /last error: .*marker-line-for-dash-test/, 'agent-runner panel shows its last error line');
		const logSection = out.slice(out.indexOf('── last'));
		const logLines = logSection.split('\n').slice(1).filter(Boolean);
		assert.ok(logLines.length > 0 && logLines.length <= 20, `at most 20 log lines, got ${logLines.length}`);
		assert.ok(logLines.every((l) => /^\d\d:\d\d:\d\d\.\d{3} \S+\[(stdout|stderr)\] /.test(l)), logSection);
		assert.doesNotMatch(out, /\u001B\[/, 'no escapes when stdout is not a terminal');
		assert.equal(result.stderr, '');
	});

	it('stdout that is not a terminal behaves as --once', () => {
		const r = cli(home, ['dash']);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /● healthy/);
		assert.match(r.stdout, /── last \d+ log lines/);
	});

	it('--json prints the status object plus logs (docs/logs.md objects)', () => {
		const r = cli(home, ['dash', '--json']);
		assert.equal(r.status, 0);
		const doc = JSON.parse(r.stdout) as {home: string; healthy: boolean; components: Array<{name: string; state: string}>; logs: Array<Record<string, unknown>>};
		assert.equal(doc.home, home);
		assert.equal(doc.healthy, true);
		assert.deepEqual(doc.components.map((c) => c.name), ['temporal', 'stigmer-server', 'workflow-runner', 'agent-runner']);
		assert.ok(doc.logs.length > 0 && doc.logs.length <= 20);
		for (const line of doc.logs) {
			assert.deepEqual(Object.keys(line).sort(), ['component', 'inherited', 'level', 'stream', 'text', 'time']);
			assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		}

		const times = doc.logs.map((l) => Date.parse(String(l['time'])));
		assert.deepEqual([...times].sort((a, b) => a - b), times, 'merged in time order');
	});

	it('exit 3 when something is not running, with the panels still printed', () => {
		const r = cli(stopped, ['dash', '--once']);
		assert.equal(r.status, 3, r.stderr);
		assert.match(r.stdout, /○ not healthy/);
		assert.match(r.stdout, /○ stigmer-server\s+stopped/);
		assert.match(r.stdout, /no log lines yet/);
		const json = cli(stopped, ['dash', '--once', '--json']);
		assert.equal(json.status, 3);
		assert.equal((JSON.parse(json.stdout) as {healthy: boolean}).healthy, false);
	});

	it('an unknown flag is a usage error (exit 2); a bad config is one warning naming the file, then the last valid one', async (t) => {
		const r = cli(home, ['dash', '--bogus']);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /unknown flag --bogus/);
		const bad = await tempHome(t);
		fs.writeFileSync(path.join(bad, 'config.yaml'), 'version: 1\ncomponents:\n  redis:\n    prot: 1\n');
		const b = cli(bad, ['dash', '--once']);
		assert.notEqual(b.status, 2);
		assert.match(b.stderr, /^stigmer: warning: [^\n]*config\.yaml:\d+:\d+[^\n]*\n$/);
	});
});
