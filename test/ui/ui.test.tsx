// Dashboard component tests: whole frames after key presses, over a fake engine and log feed.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import type {ComponentState} from '../../source/engine/types.js';
import {panelOf} from '../helpers/dash.js';
import {itemAt, waitFor} from '../helpers.js';
import {component, fakeDeps, line, mountApp, WIDE} from '../helpers/ui-fakes.js';

const NARROW = {columns: 80, rows: 40};
const STACK = () => [component('temporal', 'disabled'), component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'running')];

/** Let a moment pass in which a wrong action or repaint would show: for checks that something did not happen. */
const quietFor = async (ms: number) => new Promise((r) => setTimeout(r, ms));

const ARROW_DOWN = '\u001B[B';
const ARROW_UP = '\u001B[A';
const ESC = '\u001B';

describe('dashboard panels', () => {
	const cases: Array<[ComponentState, string]> = [
		['running', '● running'],
		['starting', '◐ starting'],
		['stopping', '◑ stopping'],
		['stopped', '○ stopped'],
		['crashed', '✖ crashed'],
		['disabled', '⊘ disabled'],
		['backoff', '↻ backoff'],
		['exited', '◌ exited'],
		['failed', '✖ failed'],
	];
	for (const [state, badge] of cases) {
		it(`shows the ${state} badge`, async (t) => {
			const fake = fakeDeps([component('stigmer-server', 'running'), component('workflow-runner', state)]);
			const app = await mountApp(t, fake);
			// In workflow-runner's own panel: stigmer-server's "● running" must not pass for it.
			const frame = await app.shows((f) => panelOf(f, 'workflow-runner').includes(badge), `badge "${badge}" in workflow-runner's panel`);
			if (state === 'crashed') {
				assert.match(panelOf(frame, 'workflow-runner'), /exited without a stop/);
			}

			if (state === 'disabled') {
				assert.match(panelOf(frame, 'workflow-runner'), /temporal binary not found/);
			}
		});
	}

	it('lays panels side by side when wide, with every field', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		const lines = app.frame().split('\n');
		const titleRow = lines.find((l) => l.includes('stigmer-server'))!;
		for (const name of ['temporal', 'workflow-runner', 'agent-runner']) {
			assert.ok(titleRow.includes(name), `${name} on the same row as stigmer-server:\n${app.frame()}`);
		}

		const frame = app.frame();
		assert.match(frame, /pid 4014/);
		assert.match(frame, /up 2m(?!\d)/);
		assert.match(frame, /cpu 0% /);
		assert.match(frame, /mem 43 MB/);
		assert.match(frame, /(?<!not )ready/, 'shows ready, not "not ready"');
		assert.match(frame, /restarts 0/);
		assert.match(frame, /orphans 0/);
		assert.match(frame, /▶ temporal/, 'first component selected');
		assert.ok(lines.length <= WIDE.rows - 1, `frame of ${lines.length} rows fits rows - 1`);
	});

	it('stacks panels when narrow', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: NARROW, until: '● running'});
		const lines = app.frame().split('\n');
		const rows = ['temporal', 'stigmer-server', 'workflow-runner', 'agent-runner'].map((n) => lines.findIndex((l) => l.includes(n)));
		assert.ok(rows.every((r) => r >= 0), 'every component shown');
		assert.deepEqual([...rows].sort((a, b) => a - b), rows, 'in config order');
		assert.equal(new Set(rows).size, 4, `one row each:\n${app.frame()}`);
		assert.ok(lines.every((l) => l.length <= NARROW.columns), 'no line wider than the terminal');
	});

	it('shows orphans, the last error line, and the restarts and last exit its supervisor recorded', async (t) => {
		const fake = fakeDeps([component('stigmer-server', 'running'), component('workflow-runner', 'running', {orphans: [{pid: 68_550, startedAt: 'x'}]})]);
		const app = await mountApp(t, fake, {until: 'orphans 1 (68550)'});
		fake.push([line('workflow-runner', Date.now(), 'context deadline exceeded', {level: 'error'})]);
		await app.shows('last error: context deadline exceeded', 'last error');
		// The line's own time is dropped: at 160 columns it left room for nothing else.
		fake.push([line('workflow-runner', Date.now(), '2026-12-01T03:50:44.902Z stigmer: workflow-runner exited with code 3 after 1.2s', {level: 'error'})]);
		await app.shows('last error: stigmer: workflow-runner exited with code 3', 'the last error without its time');
		// Persisted by the supervisor (docs/supervision.md): shown even though this dashboard never saw the restarts happen.
		const lastExit = {code: null, signal: 'SIGKILL', at: new Date(Date.now() - 180_000).toISOString(), uptimeMs: 5000};
		fake.setComponents([component('stigmer-server', 'running'), component('workflow-runner', 'running', {pid: 9999, restarts: 3, lastExit})]);
		fake.pidChanged();
		await app.shows(/restarts 3 · last exit SIGKILL · 3m ago/, 'restarts and the last exit');
	});

	it('a component in backoff: its last exit and a countdown that moves each second', async (t) => {
		const now = Date.now();
		const fake = fakeDeps([component('workflow-runner', 'backoff', {
			restarts: 2, reason: 'exit code 3; restart 2 of 5', supervisorPid: 4100,
			lastExit: {code: 3, signal: null, at: new Date(now - 12_000).toISOString(), uptimeMs: 1200},
			nextRestartAt: new Date(now + 4500).toISOString(),
		})]);
		const app = await mountApp(t, fake, {until: '↻ backoff'});
		const frame = app.frame();
		assert.match(frame, /restarts 2 · last exit 3 · 1\ds ago/);
		assert.match(frame, /restarting in [45]s \(exit code 3; restart 2 of 5\)/);
		await app.shows(/restarting in [23]s/, 'the countdown moves', 3500);
	});

	it('a failed component shows why; r starts it afresh', async (t) => {
		const fake = fakeDeps([component('workflow-runner', 'failed', {
			restarts: 5, reason: 'exit code 3; gave up after 5 restarts in 14s',
			lastExit: {code: 3, signal: null, at: new Date(Date.now() - 20_000).toISOString(), uptimeMs: 900},
		})]);
		const app = await mountApp(t, fake, {until: '✖ failed'});
		const frame = app.frame();
		assert.match(frame, /exit code 3; gave up after 5 restarts in 14s/);
		assert.match(frame, /restarts 5 · last exit 3 · 2\ds ago/);
		await app.press('r');
		await waitFor(() => fake.calls.some((c) => c.verb === 'start' && c.components?.[0] === 'workflow-runner'), 'r starts the failed component');
	});

	it('reacts at once to a PID file change, not only on the timer', async (t) => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = await mountApp(t, fake, {until: '● running'});
		fake.setComponents([component('workflow-runner', 'crashed')]);
		fake.pidChanged();
		await app.shows('✖ crashed', 'crashed', 500);
	});
});

describe('dashboard liveness', () => {
	it('a process that dies without a PID-file change shows within about a second', async (t) => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = await mountApp(t, fake, {until: '● running'});
		const polls = fake.statusCalls();
		fake.setComponents([component('workflow-runner', 'crashed')]);
		await app.shows('✖ crashed', 'crashed after a liveness tick', 2000);
		assert.ok(fake.statusCalls() - polls <= 2, 'one full poll, triggered by the dead pid');
	});
});

describe('dashboard per-second refresh', () => {
	it('CPU, memory and uptime change every second from the process table, without a full status', async (t) => {
		// Started 59.5 s ago: the uptime crosses into its second minute at the first samples.
		const fake = fakeDeps([component('workflow-runner', 'running', {startedAt: new Date(Date.now() - 59_500).toISOString(), uptimeMs: 59_500})]);
		const app = await mountApp(t, fake, {until: 'cpu 0% · mem 43 MB'});
		assert.match(app.frame(), /up <1m/);
		const polls = fake.statusCalls();
		await app.shows('up 1m', 'the uptime from the clock', 2500);
		fake.setUsage('workflow-runner', {cpuPercent: 37.25, rssBytes: 120_400_000});
		await app.shows('cpu 37% · mem 120 MB', 'the sampled usage', 2500);
		assert.equal(fake.statusCalls(), polls, 'no full status in between');
		assert.ok(fake.sampleCalls() >= 1);
	});

	it('an unchanged sample repaints nothing', async (t) => {
		// Panels show uptime to the minute, so an idle sample changes no text.
		const fake = fakeDeps([component('workflow-runner', 'running', {startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(), uptimeMs: 3 * 3_600_000})]);
		const app = await mountApp(t, fake, {until: 'up 3h00m'});
		// The first tick sets the panels' clock (one repaint, written a batch later, later still under load):
		// count from the start of the second sample, to the start of the next, by when its repaint would be out.
		await waitFor(() => fake.sampleCalls() >= 2, 'two samples', 3500);
		const frames = app.stdout.frames.length;
		const samples = fake.sampleCalls();
		await waitFor(() => fake.sampleCalls() >= samples + 1, 'another sample', 2500);
		assert.equal(app.stdout.frames.length, frames, 'no frame for a sample that changes no text');
	});
});

describe('dashboard status errors', () => {
	it('a failing status poll shows in the status line and the dashboard keeps running', async (t) => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = await mountApp(t, fake, {until: '● running'});
		const real = fake.deps.lifecycle.status;
		fake.deps.lifecycle.status = async () => {
			throw new Error('/h/config.yaml:3:5: unknown key "components.redis.prot"');
		};

		fake.pidChanged();
		await app.shows('status failed: /h/config.yaml:3:5: unknown key', 'the error');
		fake.deps.lifecycle.status = real;
		fake.pidChanged();
		await app.shows((f) => !f.includes('status failed'), 'recovers once status works again');
	});
});

describe('dashboard settling', () => {
	it('polls every second while a component is starting, so readiness shows without a PID-file change', async (t) => {
		const fake = fakeDeps([component('workflow-runner', 'starting')]);
		const app = await mountApp(t, fake, {until: '◐ starting'});
		fake.setComponents([component('workflow-runner', 'running')]);
		await app.shows('● running', 'running within about a second', 2000);
	});
});

describe('dashboard keys', () => {
	it('r and s act on the selected component; R and S on all', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		await app.press('j');
		await app.press(ARROW_DOWN);
		await app.shows('▶ workflow-runner', 'workflow-runner selected');
		await app.press('r');
		await waitFor(() => fake.calls.length === 1, 'start called');
		assert.deepEqual(fake.calls[0], {verb: 'start', components: ['workflow-runner']});
		await app.shows('✓ workflow-runner pid 5000 ready in 42ms', 'start result in the status line');
		await app.press('s');
		await waitFor(() => fake.calls.length === 2, 'stop called');
		assert.deepEqual(fake.calls[1], {verb: 'stop', components: ['workflow-runner']});
		await app.shows('workflow-runner stopped in 12ms', 'stop result');
		await app.press(ARROW_UP);
		await app.shows('▶ stigmer-server', 'up selects the previous');
		await app.press('R');
		await app.shows('Restart the whole stack? y to confirm', 'R asks first');
		assert.equal(fake.calls.length, 2, 'nothing acted before y');
		await app.press('y');
		await waitFor(() => fake.calls.length === 3, 'restart all');
		assert.deepEqual(fake.calls[2], {verb: 'start', components: undefined});
		await app.shows((f) => !f.includes('restarting the stack…'), 'restart all done');
		await app.press('S');
		await app.shows('Stop the whole stack? y to confirm', 'S asks first');
		await app.press('n');
		await app.shows('cancelled', 'any other key cancels');
		assert.equal(fake.calls.length, 3);
		await app.press('S');
		await app.press('y');
		await waitFor(() => fake.calls.length === 4, 'stop all');
		assert.deepEqual(fake.calls[3], {verb: 'stop', components: undefined});
	});

	it('shows an action\'s progress in the panel and waiting for the lock in the status line', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		await app.press('j');
		await app.press('j');
		let release = fake.hold();
		await app.press('r');
		await app.shows((f) => f.includes('◐ starting') && f.includes('pid 5000, waiting until ready…'), 'starting progress in the panel');
		await app.press('s');
		await app.shows('busy: restarting workflow-runner is still running', 'a second action waits its turn');
		release();
		await app.shows('✓ workflow-runner pid 5000 ready in 42ms', 'result');
		release = fake.hold();
		await app.press('s');
		await app.shows((f) => f.includes('◑ stopping') && f.includes('waiting for pid 4121 (server start)'), 'stopping progress and the lock wait, naming the holder');
		release();
		await app.shows('workflow-runner stopped in 12ms', 'stop result');
	});

	it('acting on a disabled component says why, and calls nothing', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '▶ temporal'});
		await app.press('r');
		await app.shows('temporal is disabled: temporal binary not found', 'why disabled');
		assert.equal(fake.calls.length, 0);
	});

	it('a failing action shows the error and the dashboard keeps working', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		await app.press('jj');
		await app.shows('▶ workflow-runner', 'selected');
		fake.failNext(new Error('another stigmer holds the lock'));
		await app.press('r');
		await app.shows('✗ restart workflow-runner failed: another stigmer holds the lock', 'error line');
		await app.press('s');
		await app.shows('workflow-runner stopped in 12ms', 'next action works');
	});

	it('a paste into the search box is text: /stop the RSjk searches and runs nothing, the selection stays', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		fake.push([line('workflow-runner', Date.now(), 'we stop the RSjk queue now')]);
		await app.shows((f) => f.includes('● running') && f.includes('RSjk queue'), 'status and a line');
		await app.press('j');
		await app.shows('▶ stigmer-server', 'stigmer-server selected');
		// One chunk, as a terminal delivers a paste: `/` opens the box, every character after it is text.
		await app.press('/stop the RSjk');
		await app.shows('/stop the RSjk', 'the pasted text stands in the search box');
		await app.press('sSrRjkq');
		await app.shows('/stop the RSjksSrRjkq', 'keys typed into the box are text too');
		// Had a key acted, its call would have been made within this (the fake engine records it synchronously).
		await quietFor(100);
		assert.deepEqual(fake.calls, [], 'no action ran');
		assert.match(app.frame(), /▶ stigmer-server/, 'the selection did not move');
		for (let i = 0; i < 'sSrRjkq'.length; i++) {
			await app.press('\u007F');
		}

		await app.press('\r');
		await app.shows('search "stop the RSjk" 1/1', 'Enter closes the box and keeps the search');
		await app.press('f');
		await app.shows('only stigmer-server', 'keys act again once the box is closed');
		assert.deepEqual(fake.calls, [], 'still nothing stopped or restarted');
	});

	it('hostile log text reaches the screen escaped: no title, clipboard or clear sequence, no wide-character overflow', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		const now = Date.now();
		fake.push([
			line('workflow-runner', now, 'title \u001B]0;PWNED\u0007 clip \u001B]52;c;aGk=\u0007 clear \u001B[2J\u001B[H end'),
			line('agent-runner', now + 1, '\u001B[31m配置ファイルが見つかりません 🚨🚨 エラー\u001B[0m '.repeat(8), {level: 'error'}),
		]);
		await app.shows('title \\x1b]0;PWNED\\x07 clip \\x1b]52;c;aGk=\\x07 clear \\x1b[2J\\x1b[H end', 'the escapes shown as text');
		await app.shows('last error: 配置ファイル', 'the wide last error in its panel');
		const frame = app.frame();
		assert.ok(!/\u001B\]|\u001B\[2J|\u0007/.test(app.stdout.frames.join('')), 'no OSC, clear or BEL ever written');
		assert.match(itemAt(frame.split('\n'), 0), /stigmer/, 'the title line is still the first line');
		const {default: stringWidth} = await import('string-width');
		const widest = Math.max(...frame.split('\n').map((l) => stringWidth(l)));
		assert.ok(widest <= WIDE.columns, `a line of ${widest} columns on a ${WIDE.columns}-column terminal`);
		assert.ok(frame.split('\n').length <= WIDE.rows, 'the frame fits the terminal');
	});

	it('a CJK/emoji last error keeps the layout at every width: title on the first line, no line wider than the terminal', async (t) => {
		const {default: stringWidth} = await import('string-width');
		const bad: string[] = [];
		for (const size of [WIDE, {columns: 161, rows: 45}, {columns: 131, rows: 45}, NARROW, {columns: 100, rows: 30}]) {
			for (const prefix of ['', 'a', 'ab', 'abc']) {
				const fake = fakeDeps(STACK());
				const app = await mountApp(t, fake, {size, until: '● running'});
				fake.push([line('agent-runner', Date.now(), `${prefix}${'配置ファイルが見つかりません 🚨🚨 エラー'.repeat(8)}`, {level: 'error'})]);
				await app.shows('last error: ', 'the last error in its panel');
				await app.press('/');
				await app.press(`${prefix}検索🔍`.repeat(30));
				await app.shows('検索', 'a wide search query');
				const lines = app.frame().split('\n');
				const widest = lines.reduce((w, l) => (stringWidth(l) > stringWidth(w) ? l : w), '');
				if (!itemAt(lines, 0).startsWith('stigmer dash') || stringWidth(widest) > size.columns || lines.length > size.rows) {
					bad.push(`${size.columns}×${size.rows} "${prefix}": first line ${JSON.stringify(lines[0])}, ${lines.length} lines, widest ${stringWidth(widest)}: ${JSON.stringify(widest)}`);
				}

				app.unmount();
			}
		}

		assert.deepEqual(bad, [], 'every frame fits its terminal');
	});

	it('f filters the logs to the selected component, again shows all', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		const now = Date.now();
		fake.push([line('stigmer-server', now, 'server says hi'), line('workflow-runner', now + 1, 'runner polls')]);
		await app.shows((f) => f.includes('runner polls') && f.includes('server says hi'), 'both lines');
		await app.press('j');
		await app.press('f');
		await app.shows((f) => !f.includes('runner polls'), 'runner line filtered out');
		assert.match(app.frame(), /only stigmer-server/);
		assert.match(app.frame(), /server says hi/);
		await app.press('f');
		await app.shows('runner polls', 'all again');
	});

	it('e shows error lines only, again every line', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		const now = Date.now();
		fake.push([line('stigmer-server', now, 'all fine here', {level: 'info'}), line('agent-runner', now + 1, 'boom: queue unreachable', {level: 'error'}), line('agent-runner', now + 2, 'Traceback (most recent call last):', {stream: 'stderr'})]);
		await app.shows('all fine here', 'lines');
		await app.press('e');
		await app.shows((f) => !f.includes('all fine here'), 'info line hidden');
		assert.match(app.frame(), /boom: queue unreachable/);
		assert.match(app.frame(), /Traceback/);
		assert.match(app.frame(), /errors only/);
		await app.press('e');
		await app.shows('all fine here', 'all lines again');
	});

	it('/ filters the pane to matches with k/N; n/N step through them and the view follows', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 160, rows: 22}});
		const now = Date.now();
		const lines = Array.from({length: 200}, (_, i) => line('workflow-runner', now + i, i % 10 === 7 ? `needle number ${i}` : `hay ${i}`));
		fake.push(lines);
		await app.shows('hay 199', 'tail shown');
		await app.press('/');
		await app.press('needle');
		await app.shows((f) => f.includes('/needle') && f.includes('search "needle" 20 matches') && !f.includes('hay '), 'the pane filtered while typing');
		await app.press('\r');
		await app.shows('search "needle" 20/20', 'Enter keeps the filter; the newest match is current');
		const shown = app.frame().split('\n').filter((l) => l.includes('needle number'));
		assert.ok(shown.length > 1 && shown.every((l) => !l.includes('hay')), app.frame());
		assert.match(app.frame(), /needle number 197/);
		for (let k = 19; k >= 1; k--) {
			await app.press('N');
		}

		await app.shows((f) => f.includes('search "needle" 1/20') && f.includes('needle number 7') && !f.includes('needle number 197'), 'N back to the first match, the view following it');
		await app.press('N');
		await app.shows((f) => f.includes('search "needle" 20/20') && f.includes('needle number 197'), 'N wraps around to the newest');
		await app.press('n');
		await app.shows((f) => f.includes('search "needle" 1/20') && f.includes('needle number 7'), 'n wraps forward to the first');
		await app.press('n');
		await app.shows('search "needle" 2/20', 'n moves on');
		await app.press(ESC);
		await app.shows((f) => !f.includes('search "') && f.includes('hay '), 'Esc clears the filter');
		await app.press('/');
		await app.press(ESC);
		await app.shows((f) => !f.includes('search "') && !f.includes('/needle'), 'Esc in the box clears the search');
	});

	it('/ highlights the matches in the log pane', async (t) => {
		// Colour for this test only (the other tests read plain frames): a highlight is a colour.
		const {default: chalk} = await import('chalk');
		const level = chalk.level;
		chalk.level = 1;
		t.after(() => {
			chalk.level = level;
		});
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		fake.push([line('workflow-runner', Date.now(), 'a needle in the hay')]);
		await app.shows((f) => stripVTControlCharacters(f).includes('a needle in the hay'), 'the line');
		assert.ok(!app.frame().includes(chalk.bgYellow.black.underline('needle')), 'nothing highlighted before a search');
		await app.press('/');
		await app.press('needle');
		await app.press('\r');
		await app.shows(chalk.bgYellow.black.underline('needle'), 'the match highlighted');
	});

	it('PgUp pauses following and new lines do not move the view; g goes to the top', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 160, rows: 22}});
		const now = Date.now();
		fake.push(Array.from({length: 100}, (_, i) => line('agent-runner', now + i, `row ${i}`)));
		await app.shows('row 99', 'tail');
		await app.press('\u001B[5~');
		await app.shows((f) => f.includes('paused') && !f.includes('row 99'), 'paused a page up');
		const before = app.frame().split('\n').filter((l) => l.includes('row '));
		fake.push([line('agent-runner', now + 500, 'row new')]);
		await app.shows(/paused at \d+\/101\b/, 'the new line counted in the pane\'s header');
		const afterLines = app.frame().split('\n').filter((l) => l.includes('row '));
		assert.deepEqual(afterLines, before, 'view holds still while paused');
		await app.press('g');
		await app.shows((f) => f.includes('row 0 ') || /row 0$/m.test(f), 'top');
		for (let i = 0; i < 20; i++) {
			await app.press('\u001B[6~');
		}

		await app.shows((f) => f.includes('row new') && f.includes('following'), 'PgDn to the end follows again');
	});

	it('late lines are placed by their time', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		const now = Date.now();
		fake.push([line('stigmer-server', now, 'first'), line('stigmer-server', now + 20, 'third')]);
		await app.shows('third', 'lines');
		fake.push([line('workflow-runner', now + 10, 'second (late)')]);
		await app.shows('second (late)', 'late line');
		const frame = app.frame();
		assert.ok(frame.indexOf('first') < frame.indexOf('second (late)') && frame.indexOf('second (late)') < frame.indexOf('third'), frame);
	});

	it('? shows every key of the keymap, and closes again', async (t) => {
		const {KEYMAP} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake);
		await app.press('?');
		await app.shows('Keys ·', 'help overlay');
		for (const b of KEYMAP) {
			assert.ok(app.frame().includes(b.help), `help lists "${b.help}"`);
		}

		await app.press('r');
		assert.equal(fake.calls.length, 0, 'keys do not act while help is open');
		await app.press(ESC);
		await app.shows((f) => !f.includes('Keys ·'), 'help closed');
	});

	it('? fits a short terminal in columns, every key still listed', async (t) => {
		const {KEYMAP} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 100, rows: 16}});
		await app.press('?');
		await app.shows('Keys ·', 'help overlay');
		const frame = app.frame();
		for (const b of KEYMAP) {
			assert.ok(frame.includes(b.label), `help lists ${b.label}:\n${frame}`);
		}

		assert.ok(frame.split('\n').length <= 15, 'frame stays at rows - 1');
	});

	it('the footer is generated from the keymap', async (t) => {
		const {footerBindings} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 200, rows: 45}, until: '● running'});
		const footer = app.frame().split('\n').at(-1)!;
		for (const b of footerBindings()) {
			assert.ok(footer.includes(`${b.footerLabel ?? b.label} ${b.short}`), `footer has ${b.short}: ${footer}`);
		}
	});

	it('q quits without stopping anything', async (t) => {
		const fake = fakeDeps(STACK());
		let quit = false;
		const app = await mountApp(t, fake, {onQuit: () => {
			quit = true;
		}});
		await app.press('q');
		await waitFor(() => quit, 'onQuit');
		assert.equal(fake.calls.length, 0);
	});

	it('keeps the buffer bounded and renders only the window', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 160, rows: 30}, capacity: 1000});
		const now = Date.now();
		for (let batch = 0; batch < 10; batch++) {
			fake.push(Array.from({length: 1000}, (_, i) => line('agent-runner', now + batch * 1000 + i, `n${batch * 1000 + i}`)));
		}

		await app.shows('n9999', 'newest line');
		await app.press('g');
		await app.shows('paused at 1/', 'top');
		const total = Number(itemAt(/paused at 1\/(\d+)/.exec(app.frame()) ?? [], 1));
		assert.ok(total <= 2000, `buffer bounded: ${total} lines kept`);
		assert.ok(!app.frame().includes('n0 '), 'oldest lines evicted');
	});
});

describe('dashboard resize', () => {
	it('re-lays out on a terminal resize: wide to stacked and back', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		const sameRow = (frame: string) => frame.split('\n').some((l) => l.includes('stigmer-server') && l.includes('agent-runner'));
		assert.ok(sameRow(app.frame()), 'side by side at 160 columns');
		app.stdout.resize(80, 30);
		const stacked = await app.shows((f) => !sameRow(f) && f.includes('agent-runner'), 'stacked at 80 columns');
		assert.ok(stacked.split('\n').length <= 29, 'frame follows the new height');
		app.stdout.resize(160, 45);
		await app.shows(sameRow, 'side by side again');
	});
});
