// Helpers for the dashboard's end-to-end tests: a real stack in a temp home, the built CLI, tmux.
import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {StatusReport} from '../source/engine/types.js';

export const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'source', 'cli.js');
/** Any CLI call that takes longer is a hang, not a slow machine. */
const CLI_TIMEOUT_MS = 60_000;

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

/** A temp STIGMER_HOME with its own server port and temporal disabled. */
export async function tempHome(prefix = 'stigmer-dash-'): Promise<string> {
	const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
	const port = await freePort();
	fs.writeFileSync(path.join(home, 'config.yaml'), `version: 1\ncomponents:\n  stigmer-server:\n    port: ${port}\n  temporal:\n    enabled: false\n`);
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

/** Pids of live processes carrying this home's marker for `component` (Linux /proc). */
export function markedPids(home: string, component: string): number[] {
	const found: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) {
			continue;
		}

		try {
			const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
			const state = /\) (\S)/.exec(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
			if (env.includes(`STIGMER_HOME=${home}`) && env.includes(`STIGMER_COMPONENT=${component}`) && !env.includes('STIGMER_SUPERVISOR=1') && state !== 'Z') {
				found.push(Number(entry));
			}
		} catch {}
	}

	return found;
}

/** Wait until `check` returns a value other than undefined/false, polling; throws `what` at the deadline. */
export async function until<T>(check: () => T | undefined | false, what: string, deadlineMs = 15_000, everyMs = 50): Promise<T> {
	const end = Date.now() + deadlineMs;
	for (;;) {
		const value = check();
		if (value !== undefined && value !== false) {
			return value;
		}

		if (Date.now() > end) {
			throw new Error(`timed out after ${deadlineMs}ms waiting for ${what}`);
		}

		await new Promise((r) => setTimeout(r, everyMs));
	}
}

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

	const chars = [...rows[titleRow]!];
	const at = chars.join('').indexOf(name);
	const col = [...rows[titleRow]!.slice(0, at)].length;
	const left = chars.lastIndexOf('│', col);
	const right = chars.indexOf('│', col);
	const out: string[] = [];
	for (let r = titleRow; r < rows.length && !rows[r]!.includes('╰'); r++) {
		out.push([...rows[r]!].slice(left + 1, right).join('').trim());
	}

	return out.join('\n');
}
