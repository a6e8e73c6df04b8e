// The built CLI as the tests run it: where it is, a clean environment, running it with a bound, and
// showing its result in an assertion message.
import {spawn, type ChildProcess} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {stripAnsi} from './output.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built binary under test. */
export const CLI = path.join(ROOT, 'dist', 'bin', 'cli.js');
/** Tiny real programs used as user components. */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** A CLI call longer than this is hung (the slowest legitimate one waits out a few seconds of stop_timeout). */
const CLI_TIMEOUT_MS = 60_000;

/** argv for a fixture run by the same node as the tests. */
export function fixture(name: string, ...args: string[]): string[] {
	return [process.execPath, path.join(FIXTURES, name), ...args];
}

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number};

/** Environment for processes the tests start: no stray STIGMER_* from the caller (but STIGMER_SUPERVISOR_SHELL, to run suites under another shell), no colour. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if ((!key.startsWith('STIGMER_') || key === 'STIGMER_SUPERVISOR_SHELL') && key !== 'NODE_TEST_CONTEXT' && key !== 'FORCE_COLOR') {
			env[key] = value;
		}
	}

	return {...env, NO_COLOR: '1', ...extra};
}

/** Start the built CLI in a home without waiting (for tests that kill it mid-way). */
export function spawnCli(home: string, args: string[], env: Record<string, string> = {}): ChildProcess {
	return spawn(process.execPath, [CLI, ...args], {cwd: os.tmpdir(), env: cleanEnv({STIGMER_HOME: home, ...env}), stdio: ['ignore', 'pipe', 'pipe']});
}

/** Run the built CLI (`node dist/bin/cli.js ...args`: the bundle that ships) with STIGMER_HOME=home; throws if it hangs. */
export async function runCli(home: string, args: string[], options: {env?: Record<string, string>; timeoutMs?: number} = {}): Promise<CliResult> {
	const result = await collect(spawnCli(home, args, options.env), `stigmer ${args.join(' ')}`, options.timeoutMs ?? CLI_TIMEOUT_MS);
	return {...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr)};
}

/** Wait for a started child (stdout and stderr piped) to end and collect its output; SIGKILLs it and throws after timeoutMs. */
export async function collect(child: ChildProcess, what: string, timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
	const began = performance.now();
	const output = live(child);
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`${what} did not finish within ${timeoutMs}ms\nstdout:\n${output.stdout()}\nstderr:\n${output.stderr()}`));
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout: output.stdout(), stderr: output.stderr(), ms: performance.now() - began});
		});
	});
}

/** A spawned CLI's stdout and stderr so far, as they arrive (read them while it still runs). */
export function live(child: ChildProcess): {stdout: () => string; stderr: () => string} {
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	return {stdout: () => stdout, stderr: () => stderr};
}

/** One line summary of a CLI result, for assertion messages. */
export function show(result: CliResult): string {
	return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}
