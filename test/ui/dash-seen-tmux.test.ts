// What a newcomer saw in the dashboard (tmux, capture-pane): a broken config.yaml named on the status line
// until it is fixed, at launch and live; a runner that waits for its stopped server says so; the status line
// moves on once a killed component runs again.
import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {DASH_WAIT_MS, dashSuite, panelOf, statusOf, tmuxAvailable} from '../helpers/dash.js';
import {makeHome, testConfig, waitFor, type TestHome} from '../helpers.js';

/** The status line: the row above the footer. */
const statusLine = (screen: string): string => screen.trimEnd().split('\n').at(-2) ?? '';

/** The default test config with a typo under stigmer-server (`prot` for `port`). */
const broken = (home: TestHome): string => testConfig(home.port).replace(/^( +)port: (\d+)$/m, '$1port: $2\n$1prot: 1');

describe('dash: what a newcomer saw', {skip: tmuxAvailable() ? false : 'tmux is not installed'}, () => {
	const suite = dashSuite();
	const {homes} = suite;
	let home: TestHome;
	before(() => {
		home = suite.home();
	});
	const dash = (dir: string) => suite.open({dir});

	it('a config.yaml broken at launch is named on the status line until it is fixed', async () => {
		const idle = await makeHome(undefined);
		homes.after(async () => idle.cleanup());
		assert.match(broken(idle), /prot: 1/);
		idle.writeConfigText(broken(idle));
		const tmux = dash(idle.dir);
		// The dashboard's own frame (its footer below the status line), not a warning printed before its first paint.
		const screen = await tmux.shows((s) => s.includes('? help') && statusLine(s).includes('unknown key "components.stigmer-server.prot"'), 'the config warning on the status line');
		assert.ok(statusLine(screen).startsWith(`${idle.configFile}:`), `the file first:\n${screen}`);
		idle.writeConfig();
		await tmux.shows((s) => !s.includes('unknown key') && statusLine(s).includes('component'), 'the warning gone once the file is fixed');
		tmux.kill();
	});

	it('a config.yaml broken while the dashboard runs is named within a few seconds, and the panels go on', async () => {
		const tmux = dash(home.dir);
		await tmux.shows((s) => panelOf(s, 'stigmer-server').includes('● running'), 'the server running');
		home.writeConfigText(broken(home));
		try {
			// The dashboard's own frame (its footer below the status line), not a warning printed before its first paint.
		const screen = await tmux.shows((s) => s.includes('? help') && statusLine(s).includes('unknown key "components.stigmer-server.prot"'), 'the config warning on the status line');
			assert.match(panelOf(screen, 'stigmer-server'), /● running/, `the last valid config still drives the panels:\n${screen}`);
		} finally {
			home.writeConfig();
		}

		await tmux.shows((s) => !s.includes('unknown key'), 'the warning gone once the file is fixed');
		tmux.kill();
	});

	it('the status line moves on once a killed runner runs again', async () => {
		const tmux = dash(home.dir);
		const running = await waitFor(() => {
			const c = statusOf(home.dir).components.find((x) => x.name === 'workflow-runner');
			return c?.state === 'running' && c.ready && c.pid !== null ? c : undefined;
		}, 'workflow-runner running and ready', 30_000);
		await tmux.shows((s) => panelOf(s, 'workflow-runner').includes(`pid ${running.pid}`), 'the runner panel');
		process.kill(running.pid!, 'SIGKILL'); // Our test home's own component; its supervisor restarts it.
		await tmux.shows((s) => statusLine(s).includes('restarting in'), 'the exit announced with its countdown');
		const again = await waitFor(() => {
			const c = statusOf(home.dir).components.find((x) => x.name === 'workflow-runner');
			return c?.state === 'running' && c.pid !== null && c.pid !== running.pid ? c : undefined;
		}, 'workflow-runner running again', 30_000);
		const screen = await tmux.shows((s) => statusLine(s).includes(`workflow-runner restarted (pid ${again.pid})`), 'the restart announced');
		assert.doesNotMatch(statusLine(screen), /restarting in/);
		tmux.kill();
	});

	it('80 columns: a line\'s own timestamp is not repeated after the time column, and names pad to the longest shown', async () => {
		const stamped = await makeHome(undefined, {builtins: false, components: {stamp: {command: [process.execPath, '-e', 'console.error(new Date().toISOString() + " stamp: hello"); setInterval(() => {}, 1000)']}}});
		homes.after(async () => stamped.cleanup());
		await stamped.start();
		const tmux = suite.open({dir: stamped.dir, columns: 80, rows: 24});
		const logRow = (s: string) => s.split('\n').find((r) => /^\d\d:\d\d:\d\d\.\d{3} stamp/.test(r));
		const screen = await tmux.shows((s) => logRow(s) !== undefined, 'the stamped line in the log pane');
		assert.match(logRow(screen) ?? '', /^\d\d:\d\d:\d\d\.\d{3} stamp\[err\] stamp: hello/, `one time, one space after the name:\n${screen}`);
		tmux.kill();
	});

	it('after `server stop stigmer-server` the runner panels say what they wait for', async () => {
		const tmux = dash(home.dir);
		await tmux.shows((s) => panelOf(s, 'workflow-runner').includes('● running'), 'the runner running');
		const stop = await home.cli(['server', 'stop', 'stigmer-server']);
		assert.equal(stop.code, 0, stop.stderr);
		await tmux.shows((s) => panelOf(s, 'workflow-runner').includes('waiting for stigmer-server'), 'the runner panel naming the server', DASH_WAIT_MS);
		tmux.kill();
	});
});
