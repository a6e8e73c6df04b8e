// Hostile log text and pasted keys in the dashboard, end to end on a real stack (issue 10):
// `dash --once` and the live dashboard in tmux show escape sequences as text (the pane title, the
// clipboard and the screen stay ours), and a paste into the search box acts on nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {CLI, cli, startedHome, statusOf, suiteCleanup, Tmux, tmuxAvailable} from '../helpers/dash.js';
import {itemAt, unsafeLeft, waitFor} from '../helpers.js';

const TITLE = '\u001B]0;PWNED\u0007';
const CLIPBOARD = '\u001B]52;c;cm0gLXJmIH4=\u0007';
const CLEAR = '\u001B[2J\u001B[H';
/** A line with all three escape families, as a component might write it. */
const hostile = (tag: string) => `${new Date().toISOString()} ${tag} title ${TITLE} clip ${CLIPBOARD} clear ${CLEAR} end\n`;
/** A wide, coloured error line: the panel's last error. */
const wideError = () => `${new Date().toISOString()} \u001B[31mERROR\u001B[0m 配置ファイルが見つかりません 🚨 ${CLEAR}\n`;

describe('dash with hostile text', () => {
	let home: string;
	let logs: string;

	before(async () => {
		home = await startedHome(homes);
		logs = path.join(home, 'data', 'logs');
		fs.appendFileSync(path.join(logs, 'workflow-runner.log'), hostile('backlog'));
		fs.appendFileSync(path.join(logs, 'agent-runner.log'), wideError());
	});

	after(() => {
		cli(home, ['server', 'stop']);
	});
	const homes = suiteCleanup();

	it('dash --once shows the escapes as text, piped and coloured', () => {
		for (const env of [{}, {NO_COLOR: '', FORCE_COLOR: '1'}] as Array<Record<string, string>>) {
			const r = cli(home, ['dash', '--once'], env);
			const what = `dash --once ${JSON.stringify(env)}`;
			assert.equal(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
			assert.deepEqual(unsafeLeft(r.stdout), [], `${what}: control characters reached stdout`);
			assert.ok(r.stdout.includes('backlog title \\x1b]0;PWNED\\x07 clip \\x1b]52;c;cm0gLXJmIH4=\\x07 clear \\x1b[2J\\x1b[H end'), `${what}: the log line shown escaped`);
			assert.match(r.stdout, /last error: .*ERROR.*配置ファイルが見つかりません 🚨 \\x1b\[2J\\x1b\[H/, `${what}: the last error escaped`);
		}
	});

	describe('in a terminal', {skip: tmuxAvailable() ? false : 'tmux is not installed'}, () => {
		const tmux = new Tmux();
		let exitFile: string;

		before(() => {
			exitFile = path.join(home, 'dash-exit-code');
			tmux.start(`STIGMER_HOME='${home}' '${process.execPath}' '${CLI}' dash; echo $? > '${exitFile}'; sleep 30`);
			// An OSC 52 that got through would land in a tmux paste buffer.
			tmux.run(['set-option', '-g', 'set-clipboard', 'on']);
		});

		after(() => {
			tmux.kill();
		});

		const title = () => tmux.run(['display-message', '-p', '-t', 'main', '#{pane_title}']).trim();

		it('backlog and live lines: escapes shown as text, pane title, clipboard and screen untouched', async () => {
			await tmux.shows((screen) => screen.split('● running').length === 4 && screen.includes('backlog title'), 'panels and the backlog', 20_000);
			const titleBefore = title();
			fs.appendFileSync(path.join(logs, 'workflow-runner.log'), hostile('live'));
			fs.appendFileSync(path.join(logs, 'agent-runner.log'), wideError());
			const shown = await tmux.shows('live title \\x1b]0;PWNED\\x07', 'the live hostile line, escaped', 10_000);
			assert.equal(title(), titleBefore, 'the pane title is unchanged');
			assert.notEqual(title(), 'PWNED');
			assert.equal(tmux.run(['list-buffers']).trim(), '', 'nothing reached the clipboard');
			assert.match(itemAt(shown.split('\n'), 0), /^stigmer dash /, 'the title line is still on top');
			assert.match(shown, /clip \\x1b\]52;c;cm0gLXJmIH4=\\x07 clear \\x1b\[2J\\x1b\[H end/);
			assert.match(shown, /last error: ERROR 配置/, 'the last error in its panel, without its own time');
			assert.match(shown, /ERROR 配置ファイルが見つかりません 🚨 \\x1b\[2J/, 'the wide error line in the log pane, escaped');
			assert.equal(shown.split('● running').length, 4, 'every panel still drawn');
		});

		it('a paste of "/stop the RSjk" is search text: nothing stopped or restarted', async () => {
			const before = statusOf(home).components.map((c) => `${c.name}:${c.state}:${c.pid}`);
			await tmux.shows((screen) => screen.includes('▶ temporal') || screen.includes('▶ stigmer-server'), 'a selection');
			tmux.keys('j'); // stigmer-server: `s` would stop it
			await tmux.shows('▶ stigmer-server', 'stigmer-server selected');
			tmux.keys('-l', '/stop the RSjk');
			await tmux.shows((screen) => /\/stop the RSjk/.test(screen.split('\n').at(-3) ?? '') || screen.includes('/stop the RSjk '), 'the text in the search box');
			// A negative check: an action would show within a second (the stop itself, or its status line), so give it 1.5 s.
			await new Promise((r) => setTimeout(r, 1500));
			assert.deepEqual(statusOf(home).components.map((c) => `${c.name}:${c.state}:${c.pid}`), before, 'every component as it was');
			const screen = tmux.capture();
			assert.ok(screen.includes('▶ stigmer-server'), 'the selection did not move');
			assert.doesNotMatch(screen, /stopped in|ready in|stopping|restarting/);
			tmux.keys('Escape');
			await tmux.shows((s) => !s.includes('/stop the RSjk'), 'the search box closed by Esc');
			tmux.keys('q');
			const code = await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim(), 'the dashboard exits (its code written)');
			assert.equal(code, '0');
		});
	});
});
