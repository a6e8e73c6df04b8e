// Helpers for the dashboard's end-to-end tests: a real stack in a temp home, the built CLI, tmux.
import assert from 'node:assert/strict';
import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {after, before} from 'node:test';
import type {StatusReport} from '../../source/engine/types.js';
import {itemAt} from '../../source/item-at.js';
import {CLI} from './cli.js';
import {makeHome, type TestHome} from './homes.js';
import {holds, type Expected} from './output.js';
import {waitFor} from './wait.js';

/** The CLI under test: the one helpers/cli.ts names (the shipped bundle). */
export {CLI} from './cli.js';
/** Any CLI call that takes longer is a hang, not a slow machine. */
const CLI_TIMEOUT_MS = 60_000;

/** Where a temp home's cleanup is registered: a test's context (`it('…', async (t) => …)`), or suiteCleanup(). */
export type Cleanup = {after: (fn: () => Promise<void>) => void};

/**
 * Cleanup for homes made in a suite's `before` hook, whose context has no `after`. Call it in the
 * describe body below the suite's own after hooks: it runs after them, when the suite is done.
 */
export function suiteCleanup(): Cleanup {
	const cleanups: Array<() => Promise<void>> = [];
	after(async () => {
		for (const cleanup of cleanups) {
			await cleanup();
		}
	});
	return {after: (fn) => cleanups.push(fn)};
}

/**
 * A temp STIGMER_HOME with its own server port and temporal disabled (helpers/homes.ts makeHome), stopped,
 * cleared of its processes and removed after `t`.
 */
export async function tempHome(t: Cleanup): Promise<string> {
	const home = await makeHome(undefined);
	t.after(async () => home.cleanup());
	return home.dir;
}

/** A tempHome whose stack `server start` has started (exit 0, else the assertion shows why). */
export async function startedHome(t: Cleanup): Promise<string> {
	const home = await tempHome(t);
	const started = cli(home, ['server', 'start']);
	assert.equal(started.status, 0, `server start: ${started.stdout}${started.stderr}`);
	return home;
}

/** Run the built CLI in `home`; stdout is a pipe (not a terminal). */
export function cli(home: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
	return spawnSync(process.execPath, [CLI, ...args], {env: {...process.env, STIGMER_HOME: home, NO_COLOR: '1', ...env}, encoding: 'utf8', timeout: CLI_TIMEOUT_MS});
}

/** `server status --json` of a home. */
export function statusOf(home: string): StatusReport {
	return JSON.parse(cli(home, ['server', 'status', '--json']).stdout) as StatusReport;
}

/**
 * How long a wait on a real stack in a real terminal may take: a first paint, a restart, a stop,
 * on a loaded 2-core machine.
 */
export const DASH_WAIT_MS = 15_000;
/** Each look at the screen runs tmux: at most 20 a second. */
const SCREEN_POLL_MS = 50;

/** A private tmux server (its own socket): nothing we do touches the user's tmux. */
export class Tmux {
	readonly socket = `stigmer-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	run(args: string[]): string {
		const result = spawnSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', timeout: 10_000});
		if (result.status !== 0) {
			throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
		}

		return result.stdout;
	}

	/** A detached session of `columns`×`rows` running `command` through sh. */
	start(command: string, columns = 160, rows = 45): void {
		this.run(['new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', 'main', command]);
	}

	/** The visible screen, plain (or with escapes when `ansi`). */
	capture(ansi = false): string {
		return this.run(['capture-pane', '-p', ...(ansi ? ['-e'] : []), '-t', 'main']);
	}

	/** Wait until the screen contains `expected` (a string), matches it (a RegExp) or satisfies it; returns that screen. */
	async shows(expected: Expected, what = String(expected), timeoutMs = DASH_WAIT_MS): Promise<string> {
		const test = holds(expected);
		return waitFor(() => {
			const shown = this.capture();
			return test(shown) ? shown : undefined;
		}, `the screen to show ${what}`, timeoutMs, SCREEN_POLL_MS);
	}

	keys(...keys: string[]): void {
		this.run(['send-keys', '-t', 'main', ...keys]);
	}

	/** The pid of the pane's process (the command, when it was started with exec). */
	panePid(): number {
		return Number(this.run(['list-panes', '-t', 'main', '-F', '#{pane_pid}']).trim());
	}

	alive(): boolean {
		return spawnSync('tmux', ['-L', this.socket, 'has-session', '-t', 'main'], {timeout: 10_000}).status === 0;
	}

	/** Ends only this private tmux server (and the processes in its panes). */
	kill(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server'], {timeout: 10_000});
	}
}

export function tmuxAvailable(): boolean {
	return spawnSync('tmux', ['-V'], {timeout: 10_000}).status === 0;
}

/** The text inside the bordered panel titled `name` on a captured screen (wide layout). */
export function panelOf(screen: string, name: string): string {
	const rows = screen.split('\n');
	const titleRow = rows.findIndex((r) => new RegExp(`[▶ ] ${name}\\b`).test(r));
	if (titleRow < 0) {
		return '';
	}

	const panel = rows.slice(titleRow);
	const title = itemAt(panel, 0);
	const chars = [...title];
	const col = [...title.slice(0, title.indexOf(name))].length;
	const left = chars.lastIndexOf('│', col);
	const right = chars.indexOf('│', col);
	const out: string[] = [];
	for (const row of panel) {
		if (row.includes('╰')) {
			break;
		}

		out.push([...row].slice(left + 1, right).join('').trim());
	}

	return out.join('\n');
}

/** Where a suite's dashboard runs: a home (the suite's own by default), a size, extra env assignments and arguments. */
export type DashOptions = {dir?: string; columns?: number; rows?: number; env?: string; args?: string};

/**
 * For a describe body: a started stack in a temp home made before the suite, and `open()` to run `stigmer dash`
 * in private tmux servers (TERM=xterm-256color); every tmux is ended after the suite, then every home.
 */
export function dashSuite(): {home: () => TestHome; open: (options?: DashOptions) => Tmux; homes: Cleanup} {
	let home: TestHome | undefined;
	const opened: Tmux[] = [];
	before(async () => {
		home = await makeHome(undefined);
		homes.after(async () => home!.cleanup());
		await home.start();
	});
	after(() => {
		for (const tmux of opened) {
			tmux.kill();
		}
	});
	const homes = suiteCleanup();
	const open = ({dir = home!.dir, columns = 160, rows = 45, env = '', args = ''}: DashOptions = {}): Tmux => {
		const tmux = new Tmux();
		opened.push(tmux);
		tmux.start(`STIGMER_HOME='${dir}' TERM=xterm-256color ${env} exec '${process.execPath}' '${CLI}' dash ${args}`, columns, rows);
		return tmux;
	};

	return {home: () => home!, open, homes};
}
