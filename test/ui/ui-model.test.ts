// The dashboard's pure parts: log buffer order and bounds, scrolling, search, formats, keymap.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {palette} from '../../source/colors.js';
import {statusTable} from '../../source/commands/status.js';
import {countdownText, failureLines, lastExitText, restartStopLine, stoppedBeforeError} from '../../source/messages.js';
import {describeStart, describeStop} from '../../source/ui/status-message.js';
import {batchDelay, MAX_BATCH_MS, MIN_BATCH_MS, recordFrame} from '../../source/ui/frame-cost.js';
import {formatCpu, formatPanelBytes, formatPanelCpu, formatPanelUptime} from '../../source/ui/format-panel.js';
import {formatAgo, formatBytes, formatUptime} from '../../source/units.js';
import {renderOnce} from '../../source/ui/headless.js';
import {commandFor, KEYMAP, keyTableMarkdown} from '../../source/ui/keymap.js';
import {computeLayout, panelWindow} from '../../source/ui/layout.js';
import {FOLLOW, LogBuffer, filterLines, findMatches, scrollBy, stepMatch, windowStart} from '../../source/ui/log-model.js';
import {applyEvent} from '../../source/ui/stack-model.js';
import {itemAt} from '../helpers.js';
import {component, line} from '../helpers/ui-fakes.js';

describe('LogBuffer', () => {
	it('places late lines by time and keeps arrival order for equal times', () => {
		const b = new LogBuffer(100);
		b.add([line('a', 10, 'a10'), line('a', 30, 'a30'), line('b', 20, 'b20'), line('c', 30, 'c30'), line('b', 5, 'b5'), line('d', 20, 'd20')]);
		assert.deepEqual(b.lines.map((l) => l.text), ['b5', 'a10', 'b20', 'd20', 'a30', 'c30']);
	});

	it('stays bounded: capacity plus one eviction chunk at most', () => {
		const b = new LogBuffer(1000);
		for (let i = 0; i < 50_000; i++) {
			b.add([line('a', i, `l${i}`)]);
			assert.ok(b.lines.length <= 2000);
		}

		assert.equal(b.lines.at(-1)!.text, 'l49999');
		assert.equal(b.added, 50_000);
	});

	it('keeps only the newest capacity lines of a burst, and its older errors still count', () => {
		const b = new LogBuffer(100);
		const burst = Array.from({length: 5000}, (_, i) => line(i === 10 ? 'x' : 'a', i, `l${i}`, i === 10 ? {level: 'error'} : {}));
		b.add(burst);
		assert.equal(b.lines.length, 100);
		assert.equal(b.lines[0]?.text, 'l4900');
		assert.equal(b.lastError.get('x')!.text, 'l10');
		assert.equal(b.added, 5000);
	});

	it('clips huge lines and tracks the last error per component', () => {
		const b = new LogBuffer(10);
		b.add([line('a', 1, 'x'.repeat(100_000)), line('a', 2, 'bad', {level: 'error'}), line('a', 3, 'trace', {stream: 'stderr'}), line('a', 1, 'older', {level: 'fatal'})]);
		assert.ok(b.lines.every((l) => l.text.length <= 2001));
		assert.equal(b.lastError.get('a')!.text, 'trace');
	});
});

describe('scroll and search', () => {
	const b = new LogBuffer(1000);
	b.add(Array.from({length: 100}, (_, i) => line(i % 2 ? 'odd' : 'even', i, i % 10 === 3 ? `match ${i}` : `line ${i}`)));
	const lines = b.lines;

	it('follows the tail, pauses on scroll up, follows again at the end', () => {
		assert.equal(windowStart(lines, FOLLOW, 10), 90);
		const up = scrollBy(lines, FOLLOW, 10, -9);
		assert.equal(up.follow, false);
		assert.equal(windowStart(lines, up, 10), 81);
		assert.deepEqual(scrollBy(lines, up, 10, 9), FOLLOW);
	});

	it('filters by component and by errors', () => {
		assert.equal(filterLines(lines, {component: 'odd', errorsOnly: false}).length, 50);
		assert.equal(filterLines(lines, {component: null, errorsOnly: true}).length, 0);
		assert.equal(filterLines(lines, {component: null, errorsOnly: false}), lines);
	});

	it('finds matches case-insensitively and steps with wrap-around', () => {
		const m = findMatches(lines, 'MATCH');
		assert.deepEqual(m, [3, 13, 23, 33, 43, 53, 63, 73, 83, 93]);
		assert.equal(stepMatch(lines, m, itemAt(lines, 13).seq, 0, true), 23);
		assert.equal(stepMatch(lines, m, itemAt(lines, 13).seq, 0, false), 3);
		assert.equal(stepMatch(lines, m, itemAt(lines, 93).seq, 0, true), 3);
		assert.equal(stepMatch(lines, m, itemAt(lines, 3).seq, 0, false), 93);
		assert.equal(stepMatch(lines, [], null, 0, true), undefined);
	});
});

describe('formats', () => {
	const table: Array<[number | null, string]> = [[null, '-'], [0, '0s'], [42_000, '42s'], [192_000, '3m12s'], [7_500_000, '2h05m'], [273_600_000, '3d04h']];
	for (const [ms, text] of table) {
		it(`uptime ${ms} → ${text}`, () => {
			assert.equal(formatUptime(ms), text);
		});
	}

	const panel: Array<[number | null, string]> = [[null, '—'], [0, '<1m'], [59_999, '<1m'], [60_000, '1m'], [192_000, '3m'], [3_599_999, '59m'], [7_500_000, '2h05m'], [273_600_000, '3d04h']];
	for (const [ms, text] of panel) {
		it(`panel uptime ${ms} → ${text} (to the minute: no repaint each second)`, () => {
			assert.equal(formatPanelUptime(ms), text);
		});
	}

	it('uptime reads the same in `server status` and `dash --once` (3m12s, not 3m in one and 3m12s in the other)', () => {
		const report = {home: '/h', healthy: true, components: [component('w', 'running', {uptimeMs: 192_000})]};
		const [header = '', row = ''] = statusTable(report, palette(false)).split('\n');
		assert.equal(row.slice(header.indexOf('UPTIME')).split(/\s+/)[0], '3m12s');
		assert.match(renderOnce(report, [], [], palette(false), false), /up 3m12s /);
	});

	it('bytes and cpu', () => {
		assert.equal(formatBytes(43_000_000), '43.0 MB');
		assert.equal(formatBytes(512), '512 B');
		assert.equal(formatBytes(null), '-');
		assert.equal(formatCpu(0.123), '0.1%');
		assert.equal(formatCpu(null), '-');
		assert.equal(formatPanelBytes(43_210_000), '43 MB');
		assert.equal(formatPanelBytes(1_234_000_000), '1.2 GB');
		assert.equal(formatPanelBytes(512), '512 B');
		assert.equal(formatPanelCpu(0.4), '0%');
		assert.equal(formatPanelCpu(37.5), '38%');
		assert.equal(formatPanelCpu(null), '—', 'a panel never shows a bare -');
		assert.equal(formatPanelBytes(null), '—');
	});
});

describe('keymap', () => {
	it('maps keys to actions from the one table', () => {
		assert.equal(commandFor('j', {}), 'down');
		assert.equal(commandFor('', {downArrow: true}), 'down');
		assert.equal(commandFor('r', {}), 'restart');
		assert.equal(commandFor('R', {}), 'restartAll');
		assert.equal(commandFor('c', {ctrl: true}), 'quit');
		assert.equal(commandFor('c', {}), undefined);
		assert.equal(commandFor('', {pageUp: true}), 'pageUp');
	});

	it('has no key bound twice, and dangerous keys are the ones that act on the stack', () => {
		const seen = new Set<string>();
		for (const b of KEYMAP) {
			for (const k of b.keys) {
				const id = JSON.stringify(k);
				assert.ok(!seen.has(id), `${id} bound twice`);
				seen.add(id);
			}
		}

		assert.deepEqual(KEYMAP.filter((b) => b.dangerous).map((b) => b.command), ['restart', 'stop', 'restartAll', 'stopAll']);
	});

	it('generates the README table', () => {
		const md = keyTableMarkdown();
		assert.equal(md.split('\n').length, KEYMAP.length + 2);
		assert.match(md, /\| `q` \/ `Ctrl-C` \| Quit the dashboard; the stack keeps running \|/);
	});
});

describe('layout and stack model', () => {
	it('side by side when wide, stacked when narrow, frame rows - 1', () => {
		const wide = computeLayout(160, 45, 4);
		assert.equal(wide.wide, true);
		assert.equal(wide.frameHeight, 44);
		assert.equal(wide.panelWidth, 40);
		assert.equal(computeLayout(80, 24, 4).wide, false);
		assert.ok(computeLayout(80, 10, 8).logHeight >= 3);
	});

	it('on a short terminal shows the panels that fit, a window that follows the selection', () => {
		const short = computeLayout(40, 10, 4);
		assert.equal(short.wide, false);
		assert.equal(short.panelSlots, 1);
		assert.ok(short.panelsHeight + short.logHeight + 4 <= short.frameHeight, 'the frame fits');
		assert.equal(computeLayout(160, 14, 4).wide, false, 'too short for bordered panels');
		assert.equal(computeLayout(80, 40, 4).panelSlots, 4);
		assert.deepEqual([0, 1, 2, 3].map((s) => panelWindow(4, 2, s)), [0, 0, 1, 2]);
		assert.equal(panelWindow(4, 4, 3), 0);
	});

	it('folds engine events into panel progress', () => {
		let p = applyEvent({}, {type: 'stopping', component: 'w'});
		assert.deepEqual(p['w'], {state: 'stopping', note: 'stopping…'});
		p = applyEvent(p, {type: 'stopped', outcome: {name: 'w', how: 'killed', ms: 5000, signal: 'SIGKILL'}});
		assert.equal(p['w']?.note, 'killed after 5s (SIGKILL)');
		assert.equal(applyEvent({}, {type: 'stopped', outcome: {name: 'w', how: 'stopped', ms: 3, signal: 'SIGTERM', waiting: true}})['w']?.note, 'stopped (was waiting to restart)');
		p = applyEvent(p, {type: 'failed', failure: {name: 'w', reason: 'exited with code 1', stderrTail: [], logPath: '/x', skipped: []}});
		assert.equal(p['w']?.state, 'failed');
		// A dependency brought first says why until it runs; a restart after a stop says `starting…`.
		let d = applyEvent({}, {type: 'dependency', component: 'db', dependents: ['app']});
		d = applyEvent(d, {type: 'starting', component: 'db'});
		assert.deepEqual(d['db'], {state: 'starting', note: 'first (app depends on it)'});
		d = applyEvent(d, {type: 'stopped', outcome: {name: 'app', how: 'stopped', ms: 3, signal: 'SIGTERM'}});
		assert.equal(applyEvent(d, {type: 'starting', component: 'app'})['app']?.note, 'starting…');
	});

	it('describes results in one line', () => {
		assert.equal(describeStart({cleaned: [{component: 'w', pids: [1, 2]}], stopped: [{name: 'w', how: 'stopped', ms: 4, signal: 'SIGTERM'}], started: [{name: 'w', pid: 3, readyMs: 9}], failures: [], dependencies: []}).text, '✓ w pid 3 ready in 9ms; cleaned up 2 orphaned w (pids 1, 2)');
		assert.equal(describeStop({stopped: [{name: 'w', how: 'not-running', ms: 0, signal: 'SIGTERM'}], cleaned: [], dependentsLeft: []}).text, '■ w was not running');
	});

	it('a start or stop that fails after stopping something says what, in the order it stopped (docs/lifecycle.md#durations-and-exit-codes)', () => {
		const stopped = (name: string, how: 'stopped' | 'killed' | 'not-running' = 'stopped') => ({name, how, ms: 5, signal: 'SIGTERM'});
		assert.equal(restartStopLine([stopped('app'), stopped('db', 'killed')]), 'stopped app, db before restarting them');
		assert.equal(restartStopLine([stopped('db'), stopped('x', 'not-running')]), 'stopped db before restarting it');
		assert.equal(restartStopLine([]), undefined);
		assert.equal(stoppedBeforeError('cannot write data/db.pid: no space left', ['app', 'db']), 'cannot write data/db.pid: no space left; stopped app, db before this failure');
		assert.equal(stoppedBeforeError('boom', []), 'boom');
	});

	it('a failed start quotes its stderr safely: in the status line and in `server start`\'s message', () => {
		const failure = {name: 'w', reason: 'exited with code 1', stderrTail: ['\u001B[31mpanic\u001B[0m \u001B]0;PWNED\u0007\u001B[2J'], logPath: '/x', skipped: []};
		assert.equal(describeStart({cleaned: [], stopped: [], started: [], failures: [failure], dependencies: []}).text, '✗ w: exited with code 1 — panic \\x1b]0;PWNED\\x07\\x1b[2J (log: /x)');
		const printed = failureLines([failure], palette(false)).join('\n');
		assert.match(printed, /^ {4}panic \\x1b\]0;PWNED\\x07\\x1b\[2J$/m);
		assert.doesNotMatch(printed, /[\u0000-\u0008\u000B-\u001F]/);
	});
});

describe('frame cost', () => {
	it('repaints 10 times a second while frames are cheap, backs off to the ceiling when they are not', () => {
		assert.equal(batchDelay(), MIN_BATCH_MS, 'no frame yet');
		recordFrame(2);
		assert.equal(batchDelay(), MIN_BATCH_MS);
		for (let i = 0; i < 30; i++) {
			recordFrame(60);
		}

		assert.equal(batchDelay(), MAX_BATCH_MS);
		for (let i = 0; i < 30; i++) {
			recordFrame(15);
		}

		assert.ok(batchDelay() > MIN_BATCH_MS && batchDelay() < MAX_BATCH_MS, `in between: ${batchDelay()}`);
	});
});

describe('supervision in panels (docs/supervision.md)', () => {
	const now = Date.parse('2026-11-26T03:50:00.000Z');
	const at = (agoMs: number) => new Date(now - agoMs).toISOString();

	it('last exit, age and countdown texts', () => {
		assert.deepEqual([formatAgo(12_400), formatAgo(185_000), formatAgo(7_300_000), formatAgo(200_000_000)], ['12s', '3m', '2h', '2d']);
		assert.equal(lastExitText({lastExit: {code: 3, signal: null, at: at(12_000), uptimeMs: 1200}}, now), 'last exit 3 · 12s ago');
		assert.equal(lastExitText({lastExit: {code: null, signal: 'SIGKILL', at: at(180_000), uptimeMs: 1}}, now), 'last exit SIGKILL · 3m ago');
		assert.equal(lastExitText({lastExit: null}, now), undefined);
		assert.equal(countdownText({state: 'backoff', nextRestartAt: new Date(now + 2100).toISOString()}, now), 'restarting in 3s');
		assert.equal(countdownText({state: 'running', nextRestartAt: null}, now), undefined);
	});

	it('dash --once shows restarts, last exit, the countdown and why it failed', () => {
		const report = {home: '/h', healthy: false, components: [
			component('flappy', 'backoff', {restarts: 2, reason: 'exit code 3; restart 2 of 5', lastExit: {code: 3, signal: null, at: at(12_000), uptimeMs: 1200}, nextRestartAt: new Date(now + 3000).toISOString()}),
			component('broken', 'failed', {restarts: 5, reason: 'exit code 3; gave up after 5 restarts in 14s', lastExit: {code: 3, signal: null, at: at(60_000), uptimeMs: 800}}),
		]};
		const text = renderOnce(report, [], [], palette(false), false, now);
		assert.match(text, /flappy\s+backoff .*restarts 2 {2}last exit 3 · 12s ago/);
		assert.match(text, /restarting in 3s \(exit code 3; restart 2 of 5\)/);
		assert.match(text, /broken\s+failed .*restarts 5 {2}last exit 3 · 1m ago/);
		assert.match(text, /exit code 3; gave up after 5 restarts in 14s/);
	});

	it('`server status` dates the last exit and counts down as `dash --once` does (1s ago, 3s; not 1.2s ago, 2.1s)', () => {
		const report = {home: '/h', healthy: false, components: [component('flappy', 'backoff', {restarts: 2, reason: 'exit code 3; restart 2 of 5', lastExit: {code: 3, signal: null, at: at(1200), uptimeMs: 900}, nextRestartAt: new Date(now + 2100).toISOString()})]};
		const [header = '', row = '', , note = ''] = statusTable(report, palette(false), now).split('\n');
		assert.equal(row.slice(header.indexOf('LAST EXIT'), header.indexOf('ORPHANS')).trimEnd(), '3 · 1s ago');
		assert.equal(note, 'flappy: backoff (exit code 3; restart 2 of 5; restarting in 3s)');
		const once = renderOnce(report, [], [], palette(false), false, now);
		assert.match(once, /last exit 3 · 1s ago/);
		assert.match(once, /restarting in 3s \(exit code 3; restart 2 of 5\)/);
	});
});
