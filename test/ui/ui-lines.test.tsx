// Reading lines in the dashboard: JSON lines shown readable, Enter opens a line whole, w wraps,
// and an empty errors-only pane says so. Whole frames after key presses, over a fake log feed.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {clockTime} from '../../source/logs/format-line.js';
import {component, fakeDeps, line, mountApp} from '../helpers/ui-fakes.js';

const STACK = () => [component('stigmer-server', 'running'), component('workflow-runner', 'running')];
const SIZE = {columns: 120, rows: 40};
const ESC = '\u001B';
const ENTER = '\r';
/** A zerolog line as the stigmer server writes it: at 120 columns its message used to be cut off by the JSON around it. */
const ZEROLOG = '{"level":"info","time":"2026-11-26T03:47:53.420Z","message":"shutting down (received SIGTERM); draining 3 workflows before exit","component":"server","pending":3,"caller":"/src/server/shutdown.go:41"}';
const ZEROLOG_TIME = Date.parse('2026-11-26T03:47:53.420Z');

describe('dashboard: reading lines', () => {
	it('a JSON line is shown as LEVEL message key=value, its time in the time column only', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		fake.push([line('stigmer-server', ZEROLOG_TIME, ZEROLOG, {level: 'info'})]);
		const frame = await app.shows('INFO  shutting down (received SIGTERM); draining 3 workflows before exit', 'the readable form');
		const row = frame.split('\n').find((l) => l.includes('shutting down')) ?? '';
		assert.ok(row.startsWith(`${clockTime(ZEROLOG_TIME)} stigmer-server[out]`), row);
		assert.doesNotMatch(row, /2026-11-26|"level"|"message"/, 'neither the time nor the JSON around the message is repeated');
	});

	it('a panel\'s last error reads as the pane shows it', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		fake.push([line('workflow-runner', Date.now(), '{"level":"error","time":"2026-11-26T03:47:53Z","message":"poll failed","error":"deadline exceeded"}', {level: 'error'})]);
		const frame = await app.shows('last error: ERROR poll failed', 'the readable last error in the panel');
		assert.doesNotMatch(frame, /last error: \{/);
	});

	it('Enter opens the newest line in view whole, pretty-printed; Esc closes it', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		const now = Date.now();
		fake.push([line('workflow-runner', now, 'an older line'), line('stigmer-server', ZEROLOG_TIME + 1e12, ZEROLOG, {level: 'info'})]);
		await app.shows('INFO  shutting down', 'the line');
		await app.press(ENTER);
		const opened = await app.shows('Esc closes', 'the opened line');
		assert.match(opened, /^ {2}"message": "shutting down \(received SIGTERM\); draining 3 workflows before exit",$/m, opened);
		assert.match(opened, /^ {2}"caller": "\/src\/server\/shutdown.go:41"$/m);
		assert.doesNotMatch(opened, /● running/, 'the opened line takes the panels\' place');
		await app.press('r');
		assert.deepEqual(fake.calls, [], 'keys do not act while a line is open');
		await app.press(ESC);
		await app.shows((f) => f.includes('● running') && !f.includes('Esc closes'), 'closed again');
	});

	it('Enter opens the current search match; a long line wraps; escapes stay text', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		const now = Date.now();
		const long = `needle ${'x'.repeat(150)} TAIL-OF-THE-LINE title \u001B]0;PWNED\u0007 end`;
		fake.push([line('workflow-runner', now, long), line('workflow-runner', now + 1, 'a newer line')]);
		await app.shows('a newer line', 'lines');
		await app.press('/');
		await app.press('needle');
		await app.press(ENTER);
		await app.shows('search "needle" 1/1', 'the match current');
		await app.press(ENTER);
		const opened = await app.shows('Esc closes', 'the match opened');
		assert.match(opened, /TAIL-OF-THE-LINE title \\x1b\]0;PWNED\\x07 end/, opened);
		assert.ok(!app.stdout.frames.join('').includes('\u001B]0;'), 'no title sequence ever written');
		assert.ok(opened.split('\n').every((l) => l.length <= SIZE.columns), 'wrapped to the width');
		await app.press('q');
		await app.shows((f) => !f.includes('Esc closes'), 'q closes the line, not the dashboard');
	});

	it('an opened line taller than the screen scrolls with ↓ and PgDn', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: {columns: 100, rows: 16}, until: '● running'});
		const fields = Object.fromEntries(Array.from({length: 40}, (_, i) => [`field${i}`, i]));
		fake.push([line('stigmer-server', Date.now(), JSON.stringify({level: 'info', msg: 'big', ...fields}), {level: 'info'})]);
		await app.shows('INFO  big', 'the line');
		await app.press(ENTER);
		await app.shows((f) => f.includes('"field0": 0') && /rows 1–\d+ of 44/.test(f), 'the top of the opened line');
		await app.press('\u001B[6~');
		await app.press('\u001B[6~');
		await app.shows((f) => !f.includes('"field0": 0') && f.includes('"field20": 20'), 'two pages further');
		await app.press('G');
		await app.shows('"field39": 39', 'the end');
	});

	it('w wraps long lines in the pane, again cuts them', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		fake.push([line('workflow-runner', Date.now(), `start ${'y'.repeat(200)} WRAPPED-END`)]);
		await app.shows('start yyy', 'the line, cut');
		assert.doesNotMatch(app.frame(), /WRAPPED-END/);
		await app.press('w');
		const wrapped = await app.shows('WRAPPED-END', 'the end of the line on a row of its own');
		assert.match(wrapped, /· wrap ·/, 'the header says the pane wraps');
		assert.ok(wrapped.split('\n').every((l) => l.length <= SIZE.columns), 'no row wider than the terminal');
		await app.press('w');
		await app.shows((f) => !f.includes('WRAPPED-END') && f.includes('start yyy'), 'cut again');
	});

	it('e with no error lines says so', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		fake.push([line('stigmer-server', Date.now(), 'all fine', {level: 'info'})]);
		await app.shows('all fine', 'a line');
		await app.press('e');
		await app.shows((f) => f.includes('no error lines') && !f.includes('no log lines yet'), 'no error lines');
		await app.press('e');
		await app.press('/');
		await app.press('nothing-like-it');
		await app.shows('no line matches "nothing-like-it"', 'an empty search says so');
	});

	it('a search finds what a JSON line shows, not only its raw text', async (t) => {
		const fake = fakeDeps(STACK());
		const app = await mountApp(t, fake, {size: SIZE, until: '● running'});
		fake.push([line('stigmer-server', ZEROLOG_TIME, ZEROLOG, {level: 'info'}), line('stigmer-server', ZEROLOG_TIME + 1, 'pending=4 is not it')]);
		await app.shows('pending=4', 'lines');
		await app.press('/');
		await app.press('pending=3');
		await app.press(ENTER);
		await app.shows((f) => f.includes('search "pending=3" 1/1') && !f.includes('pending=4'), 'the JSON line found by its readable text');
	});
});
