// Dashboard component tests: whole frames after key presses, over a fake engine and log feed.
import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import type {ComponentState} from '../../source/engine/types.js';
import {component, FakeStdin, FakeStdout, fakeDeps, line, waitFor, type Fake} from '../ui-fakes.js';

// Ink reads CI at import: interactive behaviour (resize, input) needs CI off (STYLE Ink notes).
process.env['CI'] = 'false';
const {render} = await import('ink');
const {App} = await import('../../source/ui/app.js');
const React = await import('react');

type Mounted = {stdin: FakeStdin; stdout: FakeStdout; lastFrame: () => string | undefined; unmount: () => void};
const mounted: Mounted[] = [];
after(() => {
	for (const m of mounted) {
		m.unmount();
	}
});

/** Render the app on a fake terminal of the given size (ink-testing-library's is fixed at 100 columns). */
function renderApp(props: Parameters<typeof App>[0], size: {columns: number; rows: number}): Mounted {
	const stdout = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	const instance = render(React.createElement(App, props), {stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout(80, 24) as never, debug: true, exitOnCtrlC: false, patchConsole: false});
	const m = {stdin, stdout, lastFrame: stdout.lastFrame, unmount: () => instance.unmount()};
	mounted.push(m);
	return m;
}

const WIDE = {columns: 160, rows: 45};
const NARROW = {columns: 80, rows: 40};
const STACK = () => [component('temporal', 'disabled'), component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'running')];

function mount(fake: Fake, size = WIDE, capacity?: number) {
	return renderApp({deps: fake.deps, capacity}, size);
}

const tick = async (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function press(stdin: {write: (s: string) => void}, keys: string) {
	stdin.write(keys);
	await tick();
}

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
		it(`shows the ${state} badge`, async () => {
			const fake = fakeDeps([component('stigmer-server', 'running'), component('workflow-runner', state)]);
			const app = mount(fake);
			await waitFor(() => (app.lastFrame() ?? '').includes(badge), `badge "${badge}"`);
			const frame = app.lastFrame()!;
			if (state === 'crashed') {
				assert.match(frame, /exited without a stop/);
			}

			if (state === 'disabled') {
				assert.match(frame, /temporal binary not found/);
			}

			app.unmount();
		});
	}

	it('lays panels side by side when wide, with every field', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, WIDE);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		const lines = app.lastFrame()!.split('\n');
		const titleRow = lines.find((l) => l.includes('stigmer-server'))!;
		for (const name of ['temporal', 'workflow-runner', 'agent-runner']) {
			assert.ok(titleRow.includes(name), `${name} on the same row as stigmer-server:\n${app.lastFrame()}`);
		}

		const frame = app.lastFrame()!;
		assert.match(frame, /pid 4014/);
		assert.match(frame, /up 2m(?!\d)/);
		assert.match(frame, /cpu 0% /);
		assert.match(frame, /mem 43 MB/);
		assert.match(frame, /(?<!not )ready/, 'shows ready, not "not ready"');
		assert.match(frame, /restarts 0/);
		assert.match(frame, /orphans 0/);
		assert.match(frame, /▶ temporal/, 'first component selected');
		assert.ok(lines.length <= WIDE.rows - 1, `frame of ${lines.length} rows fits rows - 1`);
		app.unmount();
	});

	it('stacks panels when narrow', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, NARROW);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		const lines = app.lastFrame()!.split('\n');
		const rows = ['temporal', 'stigmer-server', 'workflow-runner', 'agent-runner'].map((n) => lines.findIndex((l) => l.includes(n)));
		assert.ok(rows.every((r) => r >= 0), 'every component shown');
		assert.deepEqual([...rows].sort((a, b) => a - b), rows, 'in config order');
		assert.equal(new Set(rows).size, 4, `one row each:\n${app.lastFrame()}`);
		assert.ok(lines.every((l) => l.length <= NARROW.columns), 'no line wider than the terminal');
		app.unmount();
	});

	it('shows orphans, the last error line, and the restarts and last exit its supervisor recorded', async () => {
		const fake = fakeDeps([component('stigmer-server', 'running'), component('workflow-runner', 'running', {orphans: [{pid: 68_550, startedAt: 'x'}]})]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('orphans 1 (68550)'), 'orphans');
		fake.push([line('workflow-runner', Date.now(), 'context deadline exceeded', {level: 'error'})]);
		await waitFor(() => (app.lastFrame() ?? '').includes('last error: context deadline exceeded'), 'last error');
		// Persisted by the supervisor (SPEC 4.8): shown even though this dashboard never saw the restarts happen.
		const lastExit = {code: null, signal: 'SIGKILL', at: new Date(Date.now() - 180_000).toISOString(), uptimeMs: 5000};
		fake.setComponents([component('stigmer-server', 'running'), component('workflow-runner', 'running', {pid: 9999, restarts: 3, lastExit})]);
		fake.pidChanged();
		await waitFor(() => /restarts 3 · last exit SIGKILL · 3m ago/.test(app.lastFrame() ?? ''), 'restarts and the last exit');
		app.unmount();
	});

	it('a component in backoff: its last exit and a countdown that moves each second', async () => {
		const now = Date.now();
		const fake = fakeDeps([component('workflow-runner', 'backoff', {
			restarts: 2, reason: 'exit code 3; restart 2 of 5', supervisorPid: 4100,
			lastExit: {code: 3, signal: null, at: new Date(now - 12_000).toISOString(), uptimeMs: 1200},
			nextRestartAt: new Date(now + 4500).toISOString(),
		})]);
		const app = mount(fake, WIDE);
		await waitFor(() => (app.lastFrame() ?? '').includes('↻ backoff'), 'backoff badge');
		const frame = app.lastFrame()!;
		assert.match(frame, /restarts 2 · last exit 3 · 1\ds ago/);
		assert.match(frame, /restarting in [45]s \(exit code 3; restart 2 of 5\)/);
		await waitFor(() => /restarting in [23]s/.test(app.lastFrame() ?? ''), 'the countdown moves', 3500);
		app.unmount();
	});

	it('a failed component shows why; r starts it afresh', async () => {
		const fake = fakeDeps([component('workflow-runner', 'failed', {
			restarts: 5, reason: 'exit code 3; gave up after 5 restarts in 14s',
			lastExit: {code: 3, signal: null, at: new Date(Date.now() - 20_000).toISOString(), uptimeMs: 900},
		})]);
		const app = mount(fake, WIDE);
		await waitFor(() => (app.lastFrame() ?? '').includes('✖ failed'), 'failed badge');
		const frame = app.lastFrame()!;
		assert.match(frame, /exit code 3; gave up after 5 restarts in 14s/);
		assert.match(frame, /restarts 5 · last exit 3 · 2\ds ago/);
		await press(app.stdin, 'r');
		await waitFor(() => fake.calls.some((c) => c.verb === 'start' && c.components?.[0] === 'workflow-runner'), 'r starts the failed component');
		app.unmount();
	});

	it('reacts at once to a PID file change, not only on the timer', async () => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'running');
		fake.setComponents([component('workflow-runner', 'crashed')]);
		fake.pidChanged();
		await waitFor(() => (app.lastFrame() ?? '').includes('✖ crashed'), 'crashed', 500);
		app.unmount();
	});
});

describe('dashboard liveness', () => {
	it('a process that dies without a PID-file change shows within about a second', async () => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'running');
		const polls = fake.statusCalls();
		fake.setComponents([component('workflow-runner', 'crashed')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('✖ crashed'), 'crashed after a liveness tick', 2000);
		assert.ok(fake.statusCalls() - polls <= 2, 'one full poll, triggered by the dead pid');
		app.unmount();
	});
});

describe('dashboard per-second refresh', () => {
	it('CPU, memory and uptime change every second from the process table, without a full status', async () => {
		// Started 59.5 s ago: the uptime crosses into its second minute at the first samples.
		const fake = fakeDeps([component('workflow-runner', 'running', {startedAt: new Date(Date.now() - 59_500).toISOString(), uptimeMs: 59_500})]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('cpu 0% · mem 43 MB'), 'the first status');
		assert.match(app.lastFrame()!, /up <1m/);
		const polls = fake.statusCalls();
		await waitFor(() => (app.lastFrame() ?? '').includes('up 1m'), 'the uptime from the clock', 2500);
		fake.setUsage('workflow-runner', {cpuPercent: 37.25, rssBytes: 120_400_000});
		await waitFor(() => (app.lastFrame() ?? '').includes('cpu 37% · mem 120 MB'), 'the sampled usage', 2500);
		assert.equal(fake.statusCalls(), polls, 'no full status in between');
		assert.ok(fake.sampleCalls() >= 1);
		app.unmount();
	});

	it('an unchanged sample repaints nothing', async () => {
		// Panels show uptime to the minute, so an idle sample changes no text.
		const fake = fakeDeps([component('workflow-runner', 'running', {startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(), uptimeMs: 3 * 3_600_000})]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('up 3h00m'), 'the first status');
		await waitFor(() => fake.sampleCalls() >= 1, 'a sample', 2500);
		const frames = app.stdout.frames.length;
		const samples = fake.sampleCalls();
		await waitFor(() => fake.sampleCalls() >= samples + 1, 'another sample', 2500);
		assert.equal(app.stdout.frames.length, frames, 'no frame for a sample that changes no text');
		app.unmount();
	});
});

describe('dashboard status errors', () => {
	it('a failing status poll shows in the status line and the dashboard keeps running', async () => {
		const fake = fakeDeps([component('workflow-runner', 'running')]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'running');
		const real = fake.deps.lifecycle.status;
		fake.deps.lifecycle.status = async () => {
			throw new Error('/h/config.yaml:3:5: unknown key "components.redis.prot"');
		};

		fake.pidChanged();
		await waitFor(() => (app.lastFrame() ?? '').includes('status failed: /h/config.yaml:3:5: unknown key'), 'the error');
		fake.deps.lifecycle.status = real;
		fake.pidChanged();
		await waitFor(() => !(app.lastFrame() ?? '').includes('status failed'), 'recovers once status works again');
		app.unmount();
	});
});

describe('dashboard settling', () => {
	it('polls every second while a component is starting, so readiness shows without a PID-file change', async () => {
		const fake = fakeDeps([component('workflow-runner', 'starting')]);
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('◐ starting'), 'starting');
		fake.setComponents([component('workflow-runner', 'running')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'running within about a second', 2000);
		app.unmount();
	});
});

describe('dashboard keys', () => {
	it('r and s act on the selected component; R and S on all', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		await press(app.stdin, 'j');
		await press(app.stdin, ARROW_DOWN);
		await waitFor(() => (app.lastFrame() ?? '').includes('▶ workflow-runner'), 'workflow-runner selected');
		await press(app.stdin, 'r');
		await waitFor(() => fake.calls.length === 1, 'start called');
		assert.deepEqual(fake.calls[0], {verb: 'start', components: ['workflow-runner']});
		await waitFor(() => (app.lastFrame() ?? '').includes('✓ workflow-runner pid 5000 ready in 42ms'), 'start result in the status line');
		await press(app.stdin, 's');
		await waitFor(() => fake.calls.length === 2, 'stop called');
		assert.deepEqual(fake.calls[1], {verb: 'stop', components: ['workflow-runner']});
		await waitFor(() => (app.lastFrame() ?? '').includes('workflow-runner stopped in 12ms'), 'stop result');
		await press(app.stdin, ARROW_UP);
		await waitFor(() => (app.lastFrame() ?? '').includes('▶ stigmer-server'), 'up selects the previous');
		await press(app.stdin, 'R');
		await waitFor(() => (app.lastFrame() ?? '').includes('Restart the whole stack? y to confirm'), 'R asks first');
		assert.equal(fake.calls.length, 2, 'nothing acted before y');
		await press(app.stdin, 'y');
		await waitFor(() => fake.calls.length === 3, 'restart all');
		assert.deepEqual(fake.calls[2], {verb: 'start', components: undefined});
		await waitFor(() => !(app.lastFrame() ?? '').includes('restarting the stack…'), 'restart all done');
		await press(app.stdin, 'S');
		await waitFor(() => (app.lastFrame() ?? '').includes('Stop the whole stack? y to confirm'), 'S asks first');
		await press(app.stdin, 'n');
		await waitFor(() => (app.lastFrame() ?? '').includes('cancelled'), 'any other key cancels');
		assert.equal(fake.calls.length, 3);
		await press(app.stdin, 'S');
		await press(app.stdin, 'y');
		await waitFor(() => fake.calls.length === 4, 'stop all');
		assert.deepEqual(fake.calls[3], {verb: 'stop', components: undefined});
		app.unmount();
	});

	it('shows an action\'s progress in the panel and waiting for the lock in the status line', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		await press(app.stdin, 'j');
		await press(app.stdin, 'j');
		let release = fake.hold();
		await press(app.stdin, 'r');
		await waitFor(() => (app.lastFrame() ?? '').includes('◐ starting') && (app.lastFrame() ?? '').includes('pid 5000, waiting until ready…'), 'starting progress in the panel');
		await press(app.stdin, 's');
		await waitFor(() => (app.lastFrame() ?? '').includes('busy: restarting workflow-runner is still running'), 'a second action waits its turn');
		release();
		await waitFor(() => (app.lastFrame() ?? '').includes('✓ workflow-runner pid 5000 ready in 42ms'), 'result');
		release = fake.hold();
		await press(app.stdin, 's');
		await waitFor(() => (app.lastFrame() ?? '').includes('◑ stopping') && (app.lastFrame() ?? '').includes('waiting for pid 4121 (server start)'), 'stopping progress and the lock wait, naming the holder');
		release();
		await waitFor(() => (app.lastFrame() ?? '').includes('workflow-runner stopped in 12ms'), 'stop result');
		app.unmount();
	});

	it('acting on a disabled component says why, and calls nothing', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('▶ temporal'), 'temporal selected');
		await press(app.stdin, 'r');
		await waitFor(() => (app.lastFrame() ?? '').includes('temporal is disabled: temporal binary not found'), 'why disabled');
		assert.equal(fake.calls.length, 0);
		app.unmount();
	});

	it('a failing action shows the error and the dashboard keeps working', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await press(app.stdin, 'jj');
		await waitFor(() => (app.lastFrame() ?? '').includes('▶ workflow-runner'), 'selected');
		fake.failNext(new Error('another stigmer holds the lock'));
		await press(app.stdin, 'r');
		await waitFor(() => (app.lastFrame() ?? '').includes('✗ restart workflow-runner failed: another stigmer holds the lock'), 'error line');
		await press(app.stdin, 's');
		await waitFor(() => (app.lastFrame() ?? '').includes('workflow-runner stopped in 12ms'), 'next action works');
		app.unmount();
	});

	it('a paste into the search box is text: /stop the RSjk searches and runs nothing, the selection stays', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		fake.push([line('workflow-runner', Date.now(), 'we stop the RSjk queue now')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running') && (app.lastFrame() ?? '').includes('RSjk queue'), 'status and a line');
		await press(app.stdin, 'j');
		await waitFor(() => (app.lastFrame() ?? '').includes('▶ stigmer-server'), 'stigmer-server selected');
		// One chunk, as a terminal delivers a paste: `/` opens the box, every character after it is text.
		await press(app.stdin, '/stop the RSjk');
		await waitFor(() => (app.lastFrame() ?? '').includes('/stop the RSjk'), 'the pasted text stands in the search box');
		await press(app.stdin, 'sSrRjkq');
		await waitFor(() => (app.lastFrame() ?? '').includes('/stop the RSjksSrRjkq'), 'keys typed into the box are text too');
		await tick(100);
		assert.deepEqual(fake.calls, [], 'no action ran');
		assert.match(app.lastFrame()!, /▶ stigmer-server/, 'the selection did not move');
		for (let i = 0; i < 'sSrRjkq'.length; i++) {
			await press(app.stdin, '\u007F');
		}

		await press(app.stdin, '\r');
		await waitFor(() => (app.lastFrame() ?? '').includes('search "stop the RSjk" 1 match'), 'Enter closes the box and keeps the search');
		await press(app.stdin, 'f');
		await waitFor(() => (app.lastFrame() ?? '').includes('only stigmer-server'), 'keys act again once the box is closed');
		assert.deepEqual(fake.calls, [], 'still nothing stopped or restarted');
		app.unmount();
	});

	it('hostile log text reaches the screen escaped: no title, clipboard or clear sequence, no wide-character overflow', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		const t = Date.now();
		fake.push([
			line('workflow-runner', t, 'title \u001B]0;PWNED\u0007 clip \u001B]52;c;aGk=\u0007 clear \u001B[2J\u001B[H end'),
			line('agent-runner', t + 1, '\u001B[31m配置ファイルが見つかりません 🚨🚨 エラー\u001B[0m '.repeat(8), {level: 'error'}),
		]);
		await waitFor(() => (app.lastFrame() ?? '').includes('title \\x1b]0;PWNED\\x07 clip \\x1b]52;c;aGk=\\x07 clear \\x1b[2J\\x1b[H end'), 'the escapes shown as text');
		await waitFor(() => (app.lastFrame() ?? '').includes('last error: 配置ファイル'), 'the wide last error in its panel');
		const frame = app.lastFrame()!;
		assert.ok(!/\u001B\]|\u001B\[2J|\u0007/.test(app.stdout.frames.join('')), 'no OSC, clear or BEL ever written');
		assert.match(frame.split('\n')[0]!, /stigmer/, 'the title line is still the first line');
		const {default: stringWidth} = await import('string-width');
		const widest = Math.max(...frame.split('\n').map((l) => stringWidth(l)));
		assert.ok(widest <= WIDE.columns, `a line of ${widest} columns on a ${WIDE.columns}-column terminal`);
		assert.ok(frame.split('\n').length <= WIDE.rows, 'the frame fits the terminal');
		app.unmount();
	});

	it('a CJK/emoji last error keeps the layout at every width: title on the first line, no line wider than the terminal', async () => {
		const {default: stringWidth} = await import('string-width');
		const bad: string[] = [];
		for (const size of [WIDE, {columns: 161, rows: 45}, {columns: 131, rows: 45}, NARROW, {columns: 100, rows: 30}]) {
			for (const prefix of ['', 'a', 'ab', 'abc']) {
				const fake = fakeDeps(STACK());
				const app = mount(fake, size);
				await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
				fake.push([line('agent-runner', Date.now(), `${prefix}${'配置ファイルが見つかりません 🚨🚨 エラー'.repeat(8)}`, {level: 'error'})]);
				await waitFor(() => (app.lastFrame() ?? '').includes('last error: '), 'the last error in its panel');
				await press(app.stdin, '/');
				await press(app.stdin, `${prefix}検索🔍`.repeat(30));
				await waitFor(() => (app.lastFrame() ?? '').includes('検索'), 'a wide search query');
				const lines = app.lastFrame()!.split('\n');
				const widest = lines.reduce((w, l) => (stringWidth(l) > stringWidth(w) ? l : w), '');
				if (!lines[0]!.startsWith('stigmer dash') || stringWidth(widest) > size.columns || lines.length > size.rows) {
					bad.push(`${size.columns}×${size.rows} "${prefix}": first line ${JSON.stringify(lines[0])}, ${lines.length} lines, widest ${stringWidth(widest)}: ${JSON.stringify(widest)}`);
				}

				app.unmount();
			}
		}

		assert.deepEqual(bad, [], 'every frame fits its terminal');
	});

	it('f filters the logs to the selected component, again shows all', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		const t = Date.now();
		fake.push([line('stigmer-server', t, 'server says hi'), line('workflow-runner', t + 1, 'runner polls')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('runner polls') && (app.lastFrame() ?? '').includes('server says hi'), 'both lines');
		await press(app.stdin, 'j');
		await press(app.stdin, 'f');
		await waitFor(() => !(app.lastFrame() ?? '').includes('runner polls'), 'runner line filtered out');
		assert.match(app.lastFrame()!, /only stigmer-server/);
		assert.match(app.lastFrame()!, /server says hi/);
		await press(app.stdin, 'f');
		await waitFor(() => (app.lastFrame() ?? '').includes('runner polls'), 'all again');
		app.unmount();
	});

	it('e shows error lines only, again every line', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		const t = Date.now();
		fake.push([line('stigmer-server', t, 'all fine here', {level: 'info'}), line('agent-runner', t + 1, 'boom: queue unreachable', {level: 'error'}), line('agent-runner', t + 2, 'Traceback (most recent call last):', {stream: 'stderr'})]);
		await waitFor(() => (app.lastFrame() ?? '').includes('all fine here'), 'lines');
		await press(app.stdin, 'e');
		await waitFor(() => !(app.lastFrame() ?? '').includes('all fine here'), 'info line hidden');
		assert.match(app.lastFrame()!, /boom: queue unreachable/);
		assert.match(app.lastFrame()!, /Traceback/);
		assert.match(app.lastFrame()!, /errors only/);
		await press(app.stdin, 'e');
		await waitFor(() => (app.lastFrame() ?? '').includes('all fine here'), 'all lines again');
		app.unmount();
	});

	it('/ searches with highlight, n/N step through matches', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, {columns: 160, rows: 22});
		const t = Date.now();
		const lines = Array.from({length: 200}, (_, i) => line('workflow-runner', t + i, i % 50 === 7 ? `needle number ${i}` : `hay ${i}`));
		fake.push(lines);
		await waitFor(() => (app.lastFrame() ?? '').includes('hay 199'), 'tail shown');
		await press(app.stdin, '/');
		await press(app.stdin, 'needle');
		await waitFor(() => (app.lastFrame() ?? '').includes('/needle'), 'search prompt');
		await press(app.stdin, '\r');
		await waitFor(() => (app.lastFrame() ?? '').includes('needle number 157'), 'newest match revealed');
		assert.match(app.lastFrame()!, /search "needle" 4 matches/);
		assert.match(app.lastFrame()!, /paused/);
		await press(app.stdin, 'N');
		await waitFor(() => (app.lastFrame() ?? '').includes('needle number 107') && !(app.lastFrame() ?? '').includes('needle number 157'), 'previous match');
		await press(app.stdin, 'N');
		await waitFor(() => (app.lastFrame() ?? '').includes('needle number 57') && !(app.lastFrame() ?? '').includes('needle number 107'), 'previous again');
		await press(app.stdin, 'n');
		await waitFor(() => (app.lastFrame() ?? '').includes('needle number 107') && !(app.lastFrame() ?? '').includes('needle number 57'), 'next match');
		const highlighted = app.stdout.frames.at(-1)!;
		assert.ok(highlighted.includes('needle'), 'match on screen');
		await press(app.stdin, 'G');
		await waitFor(() => (app.lastFrame() ?? '').includes('hay 199') && (app.lastFrame() ?? '').includes('following'), 'G follows again');
		await press(app.stdin, '/');
		await press(app.stdin, ESC);
		await waitFor(() => !(app.lastFrame() ?? '').includes('search "'), 'Esc clears the search');
		app.unmount();
	});

	it('PgUp pauses following and new lines do not move the view; g goes to the top', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, {columns: 160, rows: 22});
		const t = Date.now();
		fake.push(Array.from({length: 100}, (_, i) => line('agent-runner', t + i, `row ${i}`)));
		await waitFor(() => (app.lastFrame() ?? '').includes('row 99'), 'tail');
		await press(app.stdin, '\u001B[5~');
		await waitFor(() => (app.lastFrame() ?? '').includes('paused') && !(app.lastFrame() ?? '').includes('row 99'), 'paused a page up');
		const before = app.lastFrame()!.split('\n').filter((l) => l.includes('row '));
		fake.push([line('agent-runner', t + 500, 'row new')]);
		await tick(200);
		const afterLines = app.lastFrame()!.split('\n').filter((l) => l.includes('row '));
		assert.deepEqual(afterLines, before, 'view holds still while paused');
		await press(app.stdin, 'g');
		await waitFor(() => (app.lastFrame() ?? '').includes('row 0 ') || /row 0$/m.test(app.lastFrame() ?? ''), 'top');
		for (let i = 0; i < 20; i++) {
			await press(app.stdin, '\u001B[6~');
		}

		await waitFor(() => (app.lastFrame() ?? '').includes('row new') && (app.lastFrame() ?? '').includes('following'), 'PgDn to the end follows again');
		app.unmount();
	});

	it('late lines are placed by their time', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		const t = Date.now();
		fake.push([line('stigmer-server', t, 'first'), line('stigmer-server', t + 20, 'third')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('third'), 'lines');
		fake.push([line('workflow-runner', t + 10, 'second (late)')]);
		await waitFor(() => (app.lastFrame() ?? '').includes('second (late)'), 'late line');
		const frame = app.lastFrame()!;
		assert.ok(frame.indexOf('first') < frame.indexOf('second (late)') && frame.indexOf('second (late)') < frame.indexOf('third'), frame);
		app.unmount();
	});

	it('? shows every key of the keymap, and closes again', async () => {
		const {KEYMAP} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = mount(fake);
		await press(app.stdin, '?');
		await waitFor(() => (app.lastFrame() ?? '').includes('Keys ('), 'help overlay');
		for (const b of KEYMAP) {
			assert.ok(app.lastFrame()!.includes(b.help), `help lists "${b.help}"`);
		}

		await press(app.stdin, 'r');
		assert.equal(fake.calls.length, 0, 'keys do not act while help is open');
		await press(app.stdin, ESC);
		await waitFor(() => !(app.lastFrame() ?? '').includes('Keys ('), 'help closed');
		app.unmount();
	});

	it('? fits a short terminal in columns, every key still listed', async () => {
		const {KEYMAP} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = mount(fake, {columns: 100, rows: 16});
		await press(app.stdin, '?');
		await waitFor(() => (app.lastFrame() ?? '').includes('Keys ('), 'help overlay');
		const frame = app.lastFrame()!;
		for (const b of KEYMAP) {
			assert.ok(frame.includes(b.label), `help lists ${b.label}:\n${frame}`);
		}

		assert.ok(frame.split('\n').length <= 15, 'frame stays at rows - 1');
		app.unmount();
	});

	it('the footer is generated from the keymap', async () => {
		const {footerBindings} = await import('../../source/ui/keymap.js');
		const fake = fakeDeps(STACK());
		const app = mount(fake, {columns: 200, rows: 45});
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		const footer = app.lastFrame()!.split('\n').at(-1)!;
		for (const b of footerBindings()) {
			assert.ok(footer.includes(`${b.footerLabel ?? b.label} ${b.short}`), `footer has ${b.short}: ${footer}`);
		}

		app.unmount();
	});

	it('q quits without stopping anything', async () => {
		const fake = fakeDeps(STACK());
		let quit = false;
		const app = renderApp({deps: fake.deps, onQuit: () => {
			quit = true;
		}}, WIDE);
		await press(app.stdin, 'q');
		await waitFor(() => quit, 'onQuit');
		assert.equal(fake.calls.length, 0);
	});

	it('keeps the buffer bounded and renders only the window', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, {columns: 160, rows: 30}, 1000);
		const t = Date.now();
		for (let batch = 0; batch < 10; batch++) {
			fake.push(Array.from({length: 1000}, (_, i) => line('agent-runner', t + batch * 1000 + i, `n${batch * 1000 + i}`)));
		}

		await waitFor(() => (app.lastFrame() ?? '').includes('n9999'), 'newest line');
		await press(app.stdin, 'g');
		await waitFor(() => (app.lastFrame() ?? '').includes('paused at 1/'), 'top');
		const total = Number(/paused at 1\/(\d+)/.exec(app.lastFrame()!)![1]);
		assert.ok(total <= 2000, `buffer bounded: ${total} lines kept`);
		assert.ok(!app.lastFrame()!.includes('n0 '), 'oldest lines evicted');
		app.unmount();
	});
});

describe('dashboard resize', () => {
	it('re-lays out on a terminal resize: wide to stacked and back', async () => {
		const fake = fakeDeps(STACK());
		const app = mount(fake, WIDE);
		await waitFor(() => (app.lastFrame() ?? '').includes('● running'), 'status');
		const sameRow = () => (app.lastFrame() ?? '').split('\n').some((l) => l.includes('stigmer-server') && l.includes('agent-runner'));
		assert.ok(sameRow(), 'side by side at 160 columns');
		app.stdout.resize(80, 30);
		await waitFor(() => !sameRow() && (app.lastFrame() ?? '').includes('agent-runner'), 'stacked at 80 columns');
		assert.ok(app.lastFrame()!.split('\n').length <= 29, 'frame follows the new height');
		app.stdout.resize(160, 45);
		await waitFor(sameRow, 'side by side again');
		app.unmount();
	});
});
