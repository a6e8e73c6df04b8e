// What an acceptance tester saw in tmux at 80×24, on one small stack: addresses that come only from a readiness
// probe, an emoji line cut whole (raw bytes from capture-pane -e), a `server stop` from another terminal
// announced within a second, and `'/text' Enter` sent in one write closing the search box so `q` quits.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {CLI, cli, suiteCleanup, Tmux, tmuxAvailable} from '../helpers/dash.js';
import {freePort, makeHome, waitFor, type TestHome} from '../helpers.js';

/** The status line: the row above the footer. */
const statusLine = (screen: string): string => screen.trimEnd().split('\n').at(-2) ?? '';
/** The SPEC's "within a second", with room for a tmux capture and a loaded 2-core machine. */
const ANNOUNCE_MS = 1500;

describe('dash at 80×24: what an acceptance tester saw', {skip: tmuxAvailable() ? false : 'tmux is not installed'}, () => {
	const tmux = new Tmux();
	after(() => tmux.kill());
	const homes = suiteCleanup();
	let home: TestHome;
	let web: number;
	let cache: number;
	before(async () => {
		[web, cache] = [await freePort(), await freePort()];
		home = await makeHome(undefined, {
			builtins: false,
			components: {
				web: {command: [process.execPath, '-e', `require('http').createServer((q, s) => s.end('ok')).listen(${web}, '127.0.0.1')`], ready: {http: `http://127.0.0.1:${web}/`}},
				cache: {command: [process.execPath, '-e', `require('net').createServer((s) => s.end()).listen(${cache}, '127.0.0.1')`], ready: {tcp: cache}},
				emo: {command: [process.execPath, '-e', `console.log('a ' + '\\u{1F600}'.repeat(36) + ' end'); setInterval(() => {}, 60000)`]},
			},
		});
		homes.after(async () => home.cleanup());
		await home.start();
		tmux.start(`STIGMER_HOME='${home.dir}' TERM=xterm-256color exec '${process.execPath}' '${CLI}' dash`, 80, 24);
	});

	it('a readiness probe\'s address shows in the panels and in --once', async () => {
		await tmux.shows((s) => s.includes(`:${web}`) && s.includes(`:${cache}`), `:${web} and :${cache} in the panels`);
		const once = cli(home.dir, ['dash', '--once']);
		assert.match(once.stdout, new RegExp(`web .*http://127\\.0\\.0\\.1:${web}\\b`), once.stdout);
		assert.match(once.stdout, new RegExp(`cache .*127\\.0\\.0\\.1:${cache}\\b`), once.stdout);
	});

	it('an emoji line is cut whole at the edge, with an ellipsis', async () => {
		await tmux.shows('😀', 'the emoji line');
		const raw = tmux.capture(true);
		const row = raw.split('\n').find((r) => r.includes('😀')) ?? '';
		assert.ok(!row.includes('\uFFFD'), `no replacement character (half an emoji): ${JSON.stringify(row)}`);
		assert.match(row, /😀(?:\u001B\[[\d;]*m)*…/, `an ellipsis after the last whole emoji: ${JSON.stringify(row)}`);
	});

	it('a server stop from another terminal is announced within a second', async () => {
		await tmux.shows((s) => /cache ● running/.test(s), 'cache running');
		const stop = await home.cli(['server', 'stop', 'cache']);
		assert.equal(stop.code, 0, stop.stderr);
		await tmux.shows((s) => statusLine(s).includes('○ cache stopped'), 'the stop on the status line', ANNOUNCE_MS);
	});

	it('/text and Enter in one write close the search box: q then quits', async () => {
		tmux.keys('/stop the RSjk', 'Enter');
		await tmux.shows('search "stop the RSjk"', 'the search kept, the box closed');
		tmux.keys('q');
		// The pane runs the dashboard with exec: when it quits, the session ends.
		await waitFor(() => !tmux.alive(), 'q to quit the dashboard (the box closed, q no longer text)', 5000);
	});
});
