// A real systemd user manager for the engine tests (test/fixtures/systemd-user.sh): commands run inside its
// namespaces through nsenter, with the environment `systemctl --user` needs. Every wait is bounded.
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {CLI, cleanEnv, collect, FIXTURES, type CliResult} from './cli.js';
import {stripAnsi} from './output.js';

const SCRIPT = path.join(FIXTURES, 'systemd-user.sh');
/** The manager listens within ~100 ms; 15 s on a loaded 2-core machine is a hung one. */
const MANAGER_START_MS = 15_000;
/** How long the script may take to kill the namespace and remove its cgroup tree. */
const MANAGER_STOP_MS = 15_000;
/** One command inside: the slowest is a `server stop` waiting out a stop_timeout. */
const COMMAND_TIMEOUT_MS = 60_000;
/** The script's "this machine cannot run it" exit. */
const SKIP_EXIT = 77;
/** No suite keeps a manager longer than this (run.mjs's own per-file limit is 240 s). */
const MANAGER_LIFETIME_MS = 300_000;

export type UserManager = {
	/** The cgroup directory the script made for this manager (stigmer-test-<its pid>): gone after stop. */
	cgroupDir: string;
	/** The user unit directory the manager reads ($XDG_CONFIG_HOME/systemd/user). */
	unitDir: string;
	/** The environment of every command inside (XDG_RUNTIME_DIR, HOME, XDG_CONFIG_HOME) plus `env`. */
	env: (env?: Record<string, string>) => NodeJS.ProcessEnv;
	/** Run argv inside the namespaces; its output, colour stripped. */
	run: (argv: string[], options?: {env?: Record<string, string>; timeoutMs?: number}) => Promise<CliResult>;
	/** The built CLI inside, with STIGMER_HOME=home. */
	cli: (home: string, args: string[], options?: {env?: Record<string, string>; timeoutMs?: number}) => Promise<CliResult>;
	/** `systemctl --user show UNIT -p …` as a record. */
	show: (unit: string, properties: string[]) => Promise<Record<string, string>>;
	/** Kill the namespace and remove the cgroup tree (also run after the test). */
	stop: () => Promise<void>;
};

/** Start a confined `systemd --user`; a string (the reason) when this machine cannot run one. */
export async function startUserManager(t: TestContext): Promise<UserManager | string> {
	const state = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-systemd-'));
	const child = spawn(SCRIPT, [state], {stdio: ['ignore', 'pipe', 'pipe']});
	const done = collect(child, 'systemd-user.sh', MANAGER_LIFETIME_MS);
	const target = path.join(state, 'target');
	const deadline = Date.now() + MANAGER_START_MS;
	let exited: CliResult | undefined;
	void done.then((result) => {
		exited = result;
	}, () => undefined);
	while (!fs.existsSync(target) && exited === undefined && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 25));
	}

	const stop = async () => {
		if (exited === undefined) {
			child.kill('SIGTERM');
			await Promise.race([done, new Promise((r) => setTimeout(r, MANAGER_STOP_MS))]);
		}

		fs.rmSync(state, {recursive: true, force: true});
	};

	if (!fs.existsSync(target)) {
		await stop();
		if (exited?.code === SKIP_EXIT) {
			return exited.stdout.trim().replace(/^skip: /, '');
		}

		throw new Error(`systemd --user did not start within ${MANAGER_START_MS}ms: ${exited?.stderr ?? ''}${readOr(path.join(state, 'manager.log'))}`);
	}

	t.after(stop);
	const pid = fs.readFileSync(target, 'utf8').trim();
	const inside = {XDG_RUNTIME_DIR: '/run/user/0', HOME: path.join(state, 'home'), XDG_CONFIG_HOME: path.join(state, 'config')};
	const env = (extra: Record<string, string> = {}) => cleanEnv({...inside, ...extra});
	const run = async (argv: string[], options: {env?: Record<string, string>; timeoutMs?: number} = {}) => {
		const process_: ChildProcess = spawn('nsenter', ['--target', pid, '--mount', '--pid', '--cgroup', '--', ...argv], {cwd: os.tmpdir(), env: env(options.env), stdio: ['ignore', 'pipe', 'pipe']});
		const result = await collect(process_, argv.join(' '), options.timeoutMs ?? COMMAND_TIMEOUT_MS);
		return {...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr)};
	};

	return {
		cgroupDir: `/sys/fs/cgroup/unified/stigmer-test-${child.pid}`,
		unitDir: path.join(inside.XDG_CONFIG_HOME, 'systemd', 'user'),
		env,
		run,
		cli: async (home, args, options = {}) => run([process.execPath, CLI, ...args], {...options, env: {STIGMER_HOME: home, ...options.env}}),
		async show(unit, properties) {
			const result = await run(['systemctl', '--user', 'show', unit, ...properties.map((p) => `--property=${p}`)]);
			return Object.fromEntries(result.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
		},
		stop,
	};
}

function readOr(file: string): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}
