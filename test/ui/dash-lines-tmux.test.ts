// A long zerolog line as a person sees it in `stigmer dash` (tmux 120×40, the screen with its colours):
// the message readable in the pane, Enter shows the line whole, Esc closes it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {after, before, describe, it} from 'node:test';
import {CLI, suiteCleanup, tempHome, Tmux, tmuxAvailable} from '../helpers/dash.js';

/** The server's shutdown line as zerolog writes it: at 120 columns its message was cut off by the JSON around it. */
const message = 'shutting down (received SIGTERM from the terminal); draining 3 workflows, then closing the task queue connection';
const zerolog = (time: string) => JSON.stringify({level: 'info', time, message, component: 'server', pending: 3, caller: '/src/server/shutdown.go:41'});

describe('dash: reading a long JSON line in a terminal', {skip: tmuxAvailable() ? false : 'tmux is not installed'}, () => {
	let home: string;
	const tmux = new Tmux();

	before(async () => {
		home = await tempHome(homes);
		fs.mkdirSync(path.join(home, 'data', 'logs'), {recursive: true});
		fs.writeFileSync(path.join(home, 'data', 'logs', 'stigmer-server.log'), `${new Date(Date.now() - 60_000).toISOString()} starting\n${zerolog(new Date().toISOString())}\n`);
		tmux.start(`STIGMER_HOME='${home}' TERM=xterm-256color exec '${process.execPath}' '${CLI}' dash`, 120, 40);
	});

	after(() => {
		tmux.kill();
	});
	const homes = suiteCleanup();

	it('the message is visible in the pane; Enter shows the line whole, Esc closes it', async () => {
		const pane = await tmux.shows('INFO  shutting down (received SIGTERM from the terminal)', 'the readable line in the pane');
		const row = pane.split('\n').find((l) => l.includes('shutting down')) ?? '';
		assert.match(row, /^\d\d:\d\d:\d\d\.\d{3} stigmer-server\[out\] +INFO {2}shutting down/, row);
		assert.doesNotMatch(row, /"level"|"time"/, 'no JSON around the message');
		tmux.keys('Enter');
		await tmux.shows('Esc closes', 'the line opened whole');
		// As painted (capture-pane -e), escapes removed: the message wraps at 120 columns, so compare without blanks.
		const opened = stripVTControlCharacters(tmux.capture(true));
		const squeezed = (text: string) => text.replaceAll(/\s+/g, '');
		assert.ok(squeezed(opened).includes(squeezed(`"message": "${message}",`)), opened);
		assert.match(opened, /^ {2}"caller": "\/src\/server\/shutdown.go:41"$/m);
		assert.ok(opened.split('\n').every((l) => l.length <= 120), 'wrapped to the terminal');
		tmux.keys('Escape');
		await tmux.shows((screen) => !screen.includes('Esc closes') && screen.includes('INFO  shutting down'), 'closed: the pane again');
	});
});
