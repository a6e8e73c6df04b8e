// What a person sees, in whole frames and the pure functions behind them: colour without CI, styles
// without colour, the footer and help at 80×24, ports in every layout, words instead of bare dashes,
// crashes announced, components added to the config.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import type {ComponentStatus, StatusReport} from '../../source/engine/types.js';
import {palette} from '../../source/colors.js';
import {changeText} from '../../source/messages.js';
import {chalkLevel, stripColors} from '../../source/ui/color-mode.js';
import {formatReady} from '../../source/ui/format-panel.js';
import {renderOnce} from '../../source/ui/headless.js';
import {footerBindings, KEYMAP} from '../../source/ui/keymap.js';
import {fitFooter} from '../../source/ui/panels/footer.js';
import {helpLayout, wrappedRows} from '../../source/ui/panels/help-overlay.js';
import {announce, newsLine} from '../../source/ui/stack-model.js';
import {waitFor} from '../helpers.js';
import {component, fakeDeps, line, mountApp} from '../helpers/ui-fakes.js';

const SMALL = {columns: 80, rows: 24};
const STACK = () => [component('temporal', 'disabled'), component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'running')];
const report = (components: ComponentStatus[]): StatusReport => ({home: '/h', healthy: false, components});
/** A colour SGR code (foreground or background, 16/256/true colour). */
const COLOR_CODE = /\u001B\[(?:[\d;]*;)?(?:3[0-79]|4[0-79]|9[0-7]|10[0-7]|38;|48;)[\d;]*m/;

describe('colour mode', () => {
	const depth = (bits: number) => ({getColorDepth: () => bits});
	it('colour follows the terminal, never CI variables', () => {
		const seen: object[] = [];
		const stream = {
			getColorDepth(env: object) {
				seen.push(env);
				return 8;
			},
		};
		assert.equal(chalkLevel(true, stream, {CI: 'true', CONTINUOUS_INTEGRATION: '1', TERM: 'xterm-256color'}), 2);
		assert.ok(seen.every((env) => !('CI' in env) && !('CONTINUOUS_INTEGRATION' in env)), 'CI variables are not shown to the colour decision');
		assert.equal(chalkLevel(true, depth(24)), 3);
		assert.equal(chalkLevel(true, depth(1)), 1, 'colour asked for: at least 16 colours');
		assert.equal(chalkLevel(false, depth(24)), 1, 'no colour: styles still written (colours stripped from frames)');
	});

	const table: Array<[string, string]> = [
		['\u001B[31mred\u001B[39m', 'red'],
		['\u001B[1;31mbold red\u001B[0m', '\u001B[1mbold red\u001B[0m'],
		['\u001B[7m\u001B[38;5;196mx\u001B[39m\u001B[27m', '\u001B[7mx\u001B[27m'],
		['\u001B[48;2;1;2;3;4mu\u001B[49;24m', '\u001B[4mu\u001B[24m'],
		['\u001B[43m\u001B[30m\u001B[4mmatch\u001B[24m\u001B[39m\u001B[49m', '\u001B[4mmatch\u001B[24m'],
		['\u001B[mreset', '\u001B[mreset'],
		['\u001B[2K\u001B[1Acursor', '\u001B[2K\u001B[1Acursor'],
	];
	for (const [input, output] of table) {
		it(`stripColors ${JSON.stringify(input)}`, () => {
			assert.equal(stripColors(input), output);
		});
	}
});

describe('footer and help at 80×24', () => {
	const text = (bindings: ReturnType<typeof fitFooter>) => bindings.map((b) => `${b.footerLabel ?? b.label} ${b.short}`).join('  ');
	for (const width of [40, 60, 80, 120, 200]) {
		it(`the footer keeps ? help and q quit at ${width} columns, and fits`, () => {
			const shown = text(fitFooter(footerBindings(), width));
			assert.match(shown, /\? help {2}q quit$/);
			assert.ok(shown.length <= width || width < 20, `${shown.length} > ${width}: ${shown}`);
		});
	}

	it('the footer gives way from the end of the table and keeps its order', () => {
		const all = footerBindings();
		const kept = fitFooter(all, 80);
		assert.ok(kept.length < all.length, 'something gave way at 80 columns');
		assert.deepEqual(kept, all.filter((b) => kept.includes(b)), 'table order');
		assert.equal(kept[0]?.command, 'up', 'the first entries stay');
	});

	it('wrappedRows counts word-wrapped rows', () => {
		assert.equal(wrappedRows('abc def', 7), 1);
		assert.equal(wrappedRows('abc def', 6), 2);
		assert.equal(wrappedRows('a'.repeat(25), 10), 3);
	});

	it('the help overlay fits 80×24 with every text whole', () => {
		// The overlay's place at 80×24: the frame (23 rows) less the title and the footer.
		assert.equal(helpLayout(KEYMAP, 80, 21).fits, true);
	});

	it('frames at 80×24: the footer shows ? help and q quit; the help overlay cuts no line', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SMALL, until: '● running'});
		const frame = stripVTControlCharacters(app.frame());
		assert.match(frame.split('\n').at(-1) ?? '', /\? help {2}q quit/);
		await app.press('?');
		const help = stripVTControlCharacters(await app.shows('Keys ·', 'the help overlay'));
		assert.ok(!help.includes('…'), `no cut line:\n${help}`);
		const flat = help.replaceAll(/\s+/g, ' ');
		for (const b of KEYMAP) {
			assert.ok(flat.includes(b.help), `help shows "${b.help}" whole:\n${help}`);
		}

		assert.match(help.split('\n').at(-1) ?? '', /\? help {2}q quit/, 'the footer stays under the overlay');
	});
});

describe('every layout shows the port; no bare dashes', () => {
	for (const size of [SMALL, {columns: 120, rows: 40}, {columns: 160, rows: 45}]) {
		it(`${size.columns}×${size.rows}`, async (t) => {
			const fake = fakeDeps([...STACK(), component('stopped-one', 'stopped')]);
			const app = await mountApp(t, fake, {size, until: '● running'});
			const frame = stripVTControlCharacters(app.frame());
			assert.match(frame, /:7234\b/, `the server's port:\n${frame}`);
			assert.doesNotMatch(frame, /(?:pid|up|cpu|mem|ready|·) -(?:\s|$)/m, `no bare - placeholder:\n${frame}`);
			assert.match(frame, /no process/, 'a component without a process says so');
		});
	}

	it('--once says no process, not a row of dashes', () => {
		const text = renderOnce(report([component('w', 'stopped'), component('s', 'running')]), [], [], palette(false), false);
		assert.match(text, /stopped +no process {2}not ready/);
		assert.doesNotMatch(text, / -(?: |$)/m, text);
	});

	it('readiness in words', () => {
		assert.equal(formatReady({state: 'running', ready: true}), 'ready');
		assert.equal(formatReady({state: 'stopped', ready: false}), 'not ready');
	});
});

describe('crashes and give-ups are announced', () => {
	const now = Date.parse('2026-12-07T00:00:10Z');
	it('changeText words each change nobody asked for, and nothing else', () => {
		const running = component('w', 'running');
		assert.equal(changeText(running, component('w', 'crashed', {reason: 'pid 5 exited without a stop'}), now), '✖ w crashed: pid 5 exited without a stop');
		assert.equal(changeText(running, component('w', 'failed', {reason: 'gave up after 5 restarts'}), now), '✖ w failed: gave up after 5 restarts');
		assert.equal(changeText(running, component('w', 'backoff', {reason: 'exit code 3; restart 3 of 5', nextRestartAt: '2026-12-07T00:00:14Z'}), now), '↻ w exited (exit code 3; restart 3 of 5), restarting in 4s');
		assert.equal(changeText(running, component('w', 'running', {restarts: 1, lastExit: {code: null, signal: 'SIGKILL', at: '2026-12-07T00:00:09Z', uptimeMs: 1}}), now), '↻ w restarted by its supervisor after exit SIGKILL (restart 1)');
		assert.equal(changeText(component('w', 'backoff'), component('w', 'running', {pid: 4242, restarts: 1}), now), '● w restarted (pid 4242)', 'the `restarting in 1s` of the exit does not stay once it ran again');
		assert.equal(changeText(running, component('w', 'stopped'), now), '○ w stopped', 'a stop from another terminal is announced');
		assert.equal(changeText(component('w', 'stopped'), component('w', 'running', {pid: 4242}), now), '● w started (pid 4242)', 'and a start');
		assert.equal(changeText(running, component('w', 'running', {cpuPercent: 9}), now), undefined, 'nothing else');
		assert.equal(changeText(component('w', 'disabled'), component('w', 'stopped'), now), undefined, 'enabled in config.yaml: no stop to announce');
		assert.equal(changeText(component('w', 'crashed'), component('w', 'crashed'), now), undefined, 'said once');
	});

	it('announce picks the change and its tone', () => {
		const before = report([component('a', 'running'), component('w', 'running')]);
		assert.deepEqual(newsLine(announce(before, report([component('a', 'running'), component('w', 'crashed', {reason: 'x'})]), now)), {text: '✖ w crashed: x', tone: 'error'});
		assert.equal(newsLine(announce(before, before, now)), undefined);
		assert.equal(newsLine(announce(before, report([component('a', 'running')]), now)), undefined, 'a component removed is no crash');
		const both = announce(before, report([component('a', 'stopped'), component('w', 'crashed', {reason: 'x'})]), now);
		assert.deepEqual(newsLine(both), {text: '○ a stopped · ✖ w crashed: x', tone: 'error'}, 'every change, in one line');
		assert.deepEqual(newsLine(both, (c) => c === 'a'), {text: '✖ w crashed: x', tone: 'error'}, 'our own stop of a left out, the outside crash of w still told');
		assert.deepEqual(newsLine(both, (c) => c === 'w'), {text: '○ a stopped', tone: 'info'}, 'whichever comes first');
		assert.equal(newsLine(both, () => true), undefined);
	});

	it('a crash seen by a poll takes the status line', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		fake.setComponents([component('temporal', 'disabled'), component('stigmer-server', 'running'), component('workflow-runner', 'crashed', {reason: 'pid 4015 exited without a stop'}), component('agent-runner', 'running')]);
		fake.pidChanged();
		await app.shows('✖ workflow-runner crashed: pid 4015 exited without a stop', 'the crash in the status line');
	});
});

describe('components added to the config while it runs', () => {
	it('appear with their logs, and go with them', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		fake.setComponents([...STACK(), component('boom', 'failed', {reason: 'start failed: exited with code 3'})]);
		fake.pidChanged();
		await app.shows('boom', 'the new panel');
		await waitFor(() => fake.followed().some((names) => names.includes('boom')), 'a log feed that follows boom');
		fake.push([line('boom', Date.now(), 'boom says hello')]);
		await app.shows('boom says hello', 'its log line, through a follower of its own');
		fake.setComponents(STACK());
		fake.pidChanged();
		await app.shows((f) => !f.includes('boom'), 'the panel and its lines gone');
	});
});

describe('no colour keeps the marks', () => {
	it('frames through stripColors keep inverse selection and bold errors, and hold no colour', async (t) => {
		const {default: chalk} = await import('chalk');
		const level = chalk.level;
		chalk.level = 1;
		t.after(() => {
			chalk.level = level;
		});
		const fake = fakeDeps([component('temporal', 'disabled'), component('workflow-runner', 'crashed', {reason: 'pid 4015 exited without a stop'})]);
		const app = await mountApp(t, fake, {until: '✖ crashed'});
		const frame = stripColors(app.frame());
		assert.doesNotMatch(frame, COLOR_CODE);
		assert.match(frame, /\u001B\[7m\u001B\[1m▶ temporal/, 'the selection: inverse and bold');
		assert.match(frame, /\u001B\[1mpid 4015 exited without a stop/, 'the error: bold');
	});
});
