// What an acceptance tester saw in tmux, held by whole frames over a fake engine: a burst of keys read key by
// key, a pending confirmation that events cannot push off the status line, outside stops announced, addresses
// from a readiness probe, and wide characters cut whole (docs/dashboard.md).
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import stringWidth from 'string-width';
import {palette} from '../../source/colors.js';
import {chunks, clip} from '../../source/ui/clip.js';
import {cutUnits} from '../../source/ui/cut-units.js';
import {renderOnce} from '../../source/ui/headless.js';
import {rowText} from '../../source/ui/panels/log-pane.js';
import {pressesOf} from '../../source/ui/presses.js';
import {waitFor} from '../helpers.js';
import {component, fakeDeps, line, mountApp, WIDE} from '../helpers/ui-fakes.js';

const STACK = () => [component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'running')];
const SMALL = {columns: 80, rows: 24};
/** Let a moment pass in which a wrong action would show: for checks that something did not happen. */
const quietFor = async (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A lone half of a surrogate pair: a terminal draws it as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const graphemes = (text: string) => [...new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(stripVTControlCharacters(text))].map((g) => g.segment);
/** `cut` (less its ellipsis) is the text's first whole characters. */
const wholePrefix = (cut: string, text: string): boolean => {
	const kept = graphemes(cut).slice(0, -1);
	return kept.every((g, i) => g === graphemes(text)[i]);
};

describe('a burst of keys is read key by key', () => {
	it('pressesOf splits a plain chunk, keeps a flagged key whole', () => {
		assert.deepEqual(pressesOf('ab\rq', {}), [{input: 'a', key: {}}, {input: 'b', key: {}}, {input: '', key: {return: true}}, {input: 'q', key: {}}]);
		assert.deepEqual(pressesOf('x\u007F\u0003', {}), [{input: 'x', key: {}}, {input: '', key: {delete: true}}, {input: 'c', key: {ctrl: true}}]);
		assert.deepEqual(pressesOf('', {pageUp: true}), [{input: '', key: {pageUp: true}}], 'an escape sequence Ink parsed stays one press');
		assert.deepEqual(pressesOf('😀', {}), [{input: '😀', key: {}}], 'one emoji is one press');
	});

	it('/text and Enter in one read close the box; the key after it acts (q quits)', async (t) => {
		const fake = fakeDeps(STACK());
		let quit = false;
		const app = await mountApp(t, fake, {until: '● running', onQuit: () => (quit = true)});
		fake.push([line('workflow-runner', Date.now(), 'we stop the RSjk queue now'), line('agent-runner', Date.now() + 1, 'poller idle')]);
		await app.shows('RSjk queue', 'the line');
		await app.press('/stop the RSjk\r');
		await app.shows('search "stop the RSjk" 1/1', 'Enter closed the box and kept the search');
		assert.doesNotMatch(app.frame(), /Enter keep · Esc clear/, 'the search box is closed');
		await app.press('q');
		await waitFor(() => quit, 'q quits once the box is closed');
		assert.deepEqual(fake.calls, [], 'no action ran');
	});

	it('/text, Enter and keys in one read: the keys after Enter act, n steps the matches', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		fake.push([line('agent-runner', Date.now(), 'poller one'), line('agent-runner', Date.now() + 1, 'poller two')]);
		await app.shows('poller two', 'the lines');
		await app.press('/poller\rn');
		await app.shows('search "poller" 1/2', 'n after Enter moved to the other match, not into the query');
		await app.press('/poll');
		await app.shows('/poll', 'a read of / and text while closed: / opens the box, the rest is its text');
		await app.press('er\r');
		await app.shows('search "poller" 2/2', 'Enter in a later read closes it');
		assert.deepEqual(fake.calls, [], 'no action ran');
	});
});

describe('a bracketed paste is text, never keys', () => {
	it('a pasted newline does not close the box, and pasted letters after it run nothing', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		await app.press('/');
		await app.press('\u001B[200~stop\rrRsS\u001B[201~');
		await app.shows('/stoprRsS', 'the whole paste in the box');
		await quietFor(100);
		assert.deepEqual(fake.calls, [], 'no action ran');
		await app.press('\r');
		await app.shows('no match for "stoprRsS"', 'Enter typed after it closes the box');
	});

	it('a paste while the box is closed opens it with the pasted text', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		await app.press('\u001B[200~rs\u001B[201~');
		await app.shows('/rs', 'the paste searched');
		await app.press('\u001B');
		await app.press('\u001B[200~/poller\u001B[201~');
		await app.shows('/poller', 'a leading / opens the box, as typed');
		await quietFor(100);
		assert.deepEqual(fake.calls, [], 'no action ran');
	});
});

describe('a pending confirmation', () => {
	it('stays on the status line while events arrive, and y confirms it', async (t) => {
		const flappy = (extra: Parameters<typeof component>[2] = {}) => component('flappy', 'backoff', {restarts: 1, reason: 'exit code 3; restart 1 of 5', nextRestartAt: new Date(Date.now() + 900).toISOString(), ...extra});
		const fake = fakeDeps([...STACK(), flappy()]);
		const app = await mountApp(t, fake, {until: '↻ backoff'});
		await app.press('R');
		await app.shows('Restart the whole stack? y to confirm', 'R asks');
		fake.setComponents([...STACK(), component('flappy', 'running', {restarts: 2})]);
		fake.pidChanged();
		await app.shows((f) => !f.includes('↻ backoff'), 'the poll saw flappy restart');
		await quietFor(100);
		assert.match(app.frame(), /Restart the whole stack\? y to confirm/, 'the question is still on the status line');
		assert.doesNotMatch(app.frame(), /flappy restarted/, 'the event waits under it');
		await app.press('y');
		await waitFor(() => fake.calls.length === 1, 'y confirmed');
		assert.deepEqual(fake.calls[0], {verb: 'start', components: undefined});
	});
});

describe('changes from another terminal are announced', () => {
	it('an outside stop of one component takes the status line within a second', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		fake.setComponents([component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'stopped')]);
		fake.pidChanged();
		await app.shows('○ agent-runner stopped', 'the stop on the status line', 1000);
		fake.setComponents(STACK());
		fake.pidChanged();
		await app.shows(/● agent-runner started \(pid \d+\)/, 'a start from outside too', 1000);
	});


	it('the dashboard\'s own s keeps its outcome: the poll after it does not announce the stop again', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {until: '● running'});
		await app.press('jj');
		await app.shows('▶ agent-runner', 'agent-runner selected (two presses in one read)');
		const release = fake.hold();
		await app.press('s');
		await waitFor(() => fake.calls.length === 1, 'stop called');
		// Stopped before the engine answers, and no poll in between: the poll after the action is the first to see it.
		fake.setComponents([component('stigmer-server', 'running'), component('workflow-runner', 'running'), component('agent-runner', 'stopped')]);
		release();
		await app.shows('agent-runner stopped in 12ms', 'the outcome');
		await app.shows('○ stopped', 'the panel from the poll after it');
		await quietFor(300);
		assert.match(app.frame(), /agent-runner stopped in 12ms/, 'still the outcome');
	});
});

describe('an address from a readiness probe', () => {
	const probed = () => [
		component('stigmer-server', 'running'),
		component('web', 'running', {port: null, address: 'http://127.0.0.1:17512'}),
		component('cache', 'running', {port: null, address: '127.0.0.1:17513'}),
	];
	for (const size of [WIDE, SMALL]) {
		it(`shows in the panels at ${size.columns}×${size.rows}`, async (t) => {
			const fake = fakeDeps(probed());
			const app = await mountApp(t, fake, {size, until: '● running'});
			const frame = stripVTControlCharacters(app.frame());
			assert.match(frame, /:17512\b/, frame);
			assert.match(frame, /:17513\b/, frame);
			assert.match(frame, /:7234\b/, frame);
			assert.doesNotMatch(frame, /127\.0\.0\.1/, `an address on this machine is shortened to :PORT:\n${frame}`);
		});
	}

	it('shows in --once, whole', () => {
		const text = renderOnce({home: '/h', healthy: true, components: probed()}, [], [], palette(false), false);
		assert.match(text, /web .* http:\/\/127\.0\.0\.1:17512 /);
		assert.match(text, /cache .* 127\.0\.0\.1:17513 /);
	});
});

describe('wide characters are cut whole, by display width', () => {
	const emoji = `a ${'😀'.repeat(36)} end`;
	it('a log row of emoji at 80 columns ends in an ellipsis, never half an emoji', () => {
		const row = stripVTControlCharacters(rowText({line: {time: Date.now(), component: 'agent-runner', stream: 'stdout', level: null, text: emoji, seq: 1}, color: 'cyan', query: '', current: false, width: 80, nameWidth: 12}));
		assert.doesNotMatch(row, LONE_SURROGATE, JSON.stringify(row));
		assert.ok(row.endsWith('…'), row);
		assert.ok(stringWidth(row) <= 80 && stringWidth(row) >= 79, `${stringWidth(row)} columns: ${row}`);
	});

	it('clip, chunks and cutUnits never split a character', () => {
		const family = '👨‍👩‍👧';
		for (const text of [emoji, `ab${family.repeat(5)}cd`, `x${'🇫🇷'.repeat(9)}`, `\u001B[31m${'配置'.repeat(9)}\u001B[0m`]) {
			for (let width = 1; width < 24; width++) {
				const cut = clip(text, width);
				assert.ok(stringWidth(cut) <= width, `${JSON.stringify(cut)} fits ${width}`);
				assert.doesNotMatch(cut, LONE_SURROGATE);
				assert.ok(wholePrefix(cut, text), `whole characters: ${JSON.stringify(cut)}`);
				const plain = stripVTControlCharacters(text);
				const pieces = chunks(plain, width);
				for (const piece of pieces) {
					assert.ok(stringWidth(piece) <= Math.max(width, 2), `${JSON.stringify(piece)} fits ${width}`);
					assert.doesNotMatch(piece, LONE_SURROGATE);
				}

				// Nothing lost, and every piece ends between graphemes (a flag or a ZWJ family never split).
				assert.equal(pieces.join(''), plain);
				assert.deepEqual(pieces.flatMap((piece) => graphemes(piece)), graphemes(plain), `whole graphemes: ${JSON.stringify(pieces)}`);
			}
		}

		assert.equal(cutUnits('ab😀', 3), 'ab…', 'one unit fewer than half an emoji');
		assert.equal(cutUnits('ab😀', 4), 'ab😀');
	});

	it('the emoji line in the pane at 80 columns: no replacement character, an ellipsis', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SMALL, until: '● running'});
		fake.push([line('agent-runner', Date.now(), emoji)]);
		const frame = await app.shows('😀', 'the emoji line');
		const row = stripVTControlCharacters(frame.split('\n').find((l) => l.includes('😀')) ?? '');
		assert.doesNotMatch(row, LONE_SURROGATE, JSON.stringify(row));
		assert.match(row, /😀…$/, row);
	});
});
