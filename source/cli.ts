#!/usr/bin/env node
// Entry: pick the verb, run it, own the exit code (docs/lifecycle.md#durations-and-exit-codes). Verbs load lazily so `status` starts fast.
import {EXIT, StigmerError} from './errors.js';
import {safeText} from './logs/sanitize.js';
import {HelpRequested, TOP_FLAGS} from './commands/flags.js';
import type {VerbContext} from './commands/completion.js';

/** A verb: its one-line summary, and its module, loaded only when run; each gets the table too (for `completion`). */
type Verb = {summary: string; load: () => Promise<{run: (argv: string[], context: VerbContext) => Promise<number>}>; hidden?: boolean};

const VERBS: Record<string, Verb> = {
	'server start': {summary: 'Clean up orphans, then (re)start the stack or the named components', load: async () => import('./commands/start.js')},
	'server stop': {summary: 'Stop the stack or the named components gracefully', load: async () => import('./commands/stop.js')},
	'server status': {summary: 'Show what runs (exit 0 healthy, 3 not)', load: async () => import('./commands/status.js')},
	'server run': {summary: 'Run the stack in the foreground: start, stream its logs, stop on Ctrl-C/SIGTERM', load: async () => import('./commands/run.js')},
	'server logs': {summary: 'Every component and stream, merged by timestamp', load: async () => import('./commands/logs.js')},
	'server restart': {summary: 'Removed: use `server start`', load: async () => import('./commands/restart.js'), hidden: true},
	dash: {summary: 'Live dashboard (--once for a headless snapshot)', load: async () => import('./commands/dash.js')},
	'config check': {summary: 'Validate config.yaml, every error at once (touches nothing)', load: async () => import('./commands/config-check.js')},
	'config schema': {summary: 'Print the JSON Schema of config.yaml (for editors)', load: async () => import('./commands/config-schema.js')},
	'export systemd': {summary: 'Write systemd units for the stack; then start/stop/status act through systemctl', load: async () => import('./commands/export-systemd.js')},
	'export launchd': {summary: 'Write a macOS LaunchAgent that runs `stigmer server run`', load: async () => import('./commands/export-launchd.js')},
	completion: {summary: 'Print a shell completion script: bash, zsh or fish', load: async () => import('./commands/completion.js')},
	'internal-ready': {summary: '', load: async () => import('./commands/internal-ready.js'), hidden: true},
	'internal-server': {summary: '', load: async () => import('./builtins/server.js'), hidden: true},
	'internal-workflow-runner': {summary: '', load: async () => import('./builtins/workflow-runner.js'), hidden: true},
	'internal-agent-runner': {summary: '', load: async () => import('./builtins/agent-runner.js'), hidden: true},
};

/** Visible verbs under a group ('' for the top level), as `name → summary`. */
function visible(group: string): Array<[string, Verb]> {
	return Object.entries(VERBS).filter(([name, v]) => !v.hidden && (group === '' || name.startsWith(`${group} `)));
}

/** Words that follow `group` ('' = the top level): `server`, `dash`…, or `start`, `stop`… */
function nextWords(group: string): string[] {
	const words = visible(group).map(([name]) => {
		const [top = '', sub = ''] = name.split(' ');
		return group === '' ? top : sub;
	});
	return [...new Set(group === '' ? [...words, 'help'] : words)];
}

function isGroup(word: string | undefined): word is string {
	return word !== undefined && Object.keys(VERBS).some((name) => name.startsWith(`${word} `));
}

/** The usage of `stigmer` or of a group (`server`, `config`): its verbs with their summaries. */
function usage(group = ''): string {
	// Summaries start one column past the longest verb (`export systemd`), so every row keeps two spaces or more.
	const width = Math.max(...visible('').map(([name]) => name.length), 'help COMMAND'.length);
	const rows = visible(group).map(([name, v]) => `  stigmer ${name.padEnd(width)}  ${v.summary}`);
	return [
		`Usage: stigmer ${group === '' ? '<command>' : `${group} <command>`} [options]`,
		'',
		'Commands:',
		...rows,
		...(group === '' ? [`  stigmer ${'help COMMAND'.padEnd(width)}  The help of a command (as COMMAND --help)`] : []),
		'',
		'Options: --help, -h (on every command), --version, -v',
		'Environment: STIGMER_HOME (default ~/.stigmer), NO_COLOR, STIGMER_DEBUG=1',
	].join('\n');
}

/** An unknown command's one-line error, with the closest word and, for a top-level slip like `start`, its group. */
function unknownCommand({closest, didYouMean}: Suggest, group: string, word: string): string {
	const shown = `unknown command "${word}"`;
	const here = didYouMean(word, nextWords(group));
	if (here !== '' || group !== '') {
		return `${shown}${here}`;
	}

	const nested = visible('').map(([name]) => name).filter((name) => name.includes(' '));
	const guess = closest(word, nested.map((name) => name.split(' ')[1] ?? ''));
	const full = nested.find((name) => name.endsWith(` ${guess}`));
	return full === undefined ? shown : `${shown}; did you mean "${full}"?`;
}

/** "Did you mean": loaded only for a mistyped command line, so `status` starts without it. */
type Suggest = typeof import('./suggest.js');

/** Print to stderr and return exit 2: a mistyped command line (docs/lifecycle.md#durations-and-exit-codes). */
function usageError(message: string, group = ''): number {
	process.stderr.write(`stigmer: ${shown(message)}\n\n${usage(group)}\n`);
	return EXIT.usage;
}

async function main(argv: string[]): Promise<number> {
	if (process.platform === 'win32') {
		throw new StigmerError('stigmer does not support Windows: it runs on Linux and macOS.');
	}

	const [first, second] = argv;
	if (first === '--version' || first === '-v') {
		const {packageVersion} = await import('./version.js');
		process.stdout.write(`${packageVersion()}\n`);
		return EXIT.ok;
	}

	if (first === undefined) {
		process.stderr.write(`${usage()}\n`);
		return EXIT.usage;
	}

	if (first === '--help' || first === '-h') {
		process.stdout.write(`${usage()}\n`);
		return EXIT.ok;
	}

	if (first === 'help') {
		// `stigmer help server start` is `stigmer server start --help`.
		return argv.length === 1 ? help(usage()) : main([...argv.slice(1), '--help']);
	}

	const two = `${first} ${second ?? ''}`.trim();
	const name = VERBS[two] ? two : VERBS[first] && !isGroup(first) ? first : undefined;
	const verb = name === undefined ? undefined : VERBS[name];
	if (name === undefined || verb === undefined) {
		const suggest = await import('./suggest.js');
		if (first.startsWith('-')) {
			return usageError(suggest.unknownFlag([first], TOP_FLAGS, 'stigmer'));
		}

		if (!isGroup(first)) {
			return usageError(unknownCommand(suggest, '', first));
		}

		if (second === '--help' || second === '-h') {
			return help(usage(first));
		}

		if (second === undefined) {
			return usageError(`${/^[aeiou]/.test(first) ? 'an' : 'a'} ${first} subcommand is required`, first);
		}

		return usageError(second.startsWith('-') ? suggest.unknownFlag([second], ['--help', '-h'], `stigmer ${first}`) : unknownCommand(suggest, first, second), first);
	}

	const rest = argv.slice(name.split(' ').length);
	const module = await verb.load();
	try {
		return await module.run(rest, {verbs: VERBS});
	} catch (error: unknown) {
		if (error instanceof HelpRequested) {
			return help(error.text);
		}

		throw error;
	}
}

/** Help asked for explicitly: stdout, exit 0 (docs/cli.md). */
function help(text: string): number {
	process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
	return EXIT.ok;
}

/** A message made safe for a terminal line by line (its own line breaks kept). */
function shown(message: string): string {
	return message.split('\n').map((line) => safeText(line, {color: false})).join('\n');
}

/** Print what ended the CLI: one line for the user's errors (docs/lifecycle.md#durations-and-exit-codes), the stack for a bug; the exit code it carries. */
async function fail(error: unknown): Promise<void> {
	process.exitCode = error instanceof StigmerError ? error.exitCode : EXIT.failure;
	const errno = error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
	if ((error instanceof StigmerError || errno) && process.env['STIGMER_DEBUG'] !== '1') {
		// A system call that failed (full disk, read-only or vanished file) is the user's to fix: one line, no stack (docs/lifecycle.md#durations-and-exit-codes).
		// Names echoed from argv or config may carry escape sequences: shown as text, never run by the terminal. An engine error's facts are worded by messages.ts,
		// loaded here, on failure only: imported at the top it would put the bundle's core chunk in every verb's start (rollup.config.mjs).
		const {errorText} = await import('./messages.js');
		process.stderr.write(`stigmer: ${shown(errorText(error))}\n`);
	} else {
		process.stderr.write(`stigmer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	}
}

/** The first error writing stdout; EPIPE (a reader that left, `| head`) ends the output quietly. */
let outputError: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (outputError === undefined && error.code !== 'EPIPE') {
		// docs/lifecycle.md#durations-and-exit-codes: output that cannot be written (a full disk) is one line and exit 1, never an unhandled 'error' event.
		process.stderr.write(`stigmer: cannot write to standard output: ${error.message}\n`);
		process.exitCode = EXIT.failure; // The error may come after the verb returned its code, or before.
	}

	outputError ??= error;
});

// No top-level await: the shipped CLI is CommonJS (rollup.config.mjs).
main(process.argv.slice(2)).then((code) => {
	process.exitCode = outputError !== undefined && outputError.code !== 'EPIPE' ? EXIT.failure : code;
}, fail);
