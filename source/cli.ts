#!/usr/bin/env node
// Entry: pick the verb, run it, own the exit code (SPEC 7). Verbs load lazily so `status` starts fast.
import {EXIT, StigmerError} from './errors.js';

type Verb = {summary: string; load: () => Promise<{run: (argv: string[]) => Promise<number>}>; hidden?: boolean};

const VERBS: Record<string, Verb> = {
	'server start': {summary: 'Clean up orphans, then (re)start the stack or the named components', load: async () => import('./commands/start.js')},
	'server stop': {summary: 'Stop the stack or the named components gracefully', load: async () => import('./commands/stop.js')},
	'server status': {summary: 'Show what runs (exit 0 healthy, 3 not)', load: async () => import('./commands/status.js')},
	'server logs': {summary: 'Every component and stream, merged by timestamp', load: async () => import('./commands/logs.js')},
	'server restart': {summary: 'Removed: use `server start`', load: async () => import('./commands/restart.js'), hidden: true},
	dash: {summary: 'Live dashboard (--once for a headless snapshot)', load: async () => import('./commands/dash.js')},
	'internal-server': {summary: '', load: async () => import('./components/server.js'), hidden: true},
	'internal-workflow-runner': {summary: '', load: async () => import('./components/workflow-runner.js'), hidden: true},
	'internal-agent-runner': {summary: '', load: async () => import('./components/agent-runner.js'), hidden: true},
};


function usage(): string {
	const rows = Object.entries(VERBS)
		.filter(([, v]) => !v.hidden)
		.map(([name, v]) => `  stigmer ${name.padEnd(14)} ${v.summary}`);
	return [
		'Usage: stigmer <command> [options]',
		'',
		'Commands:',
		...rows,
		'',
		'Options: --help (on every command), --version',
		'Environment: STIGMER_HOME (default ~/.stigmer), NO_COLOR, STIGMER_DEBUG=1',
	].join('\n');
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

	if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
		process.stdout.write(`${usage()}\n`);
		return first === undefined ? EXIT.usage : EXIT.ok;
	}

	const two = `${first} ${second ?? ''}`.trim();
	const verb = VERBS[two] ? two : VERBS[first] ? first : undefined;
	if (verb === undefined) {
		const what = first === 'server' ? (second === undefined ? 'a server subcommand is required' : `unknown command "server ${second}"`) : `unknown command "${first}"`;
		process.stderr.write(`stigmer: ${what}\n\n${usage()}\n`);
		return EXIT.usage;
	}

	const rest = argv.slice(verb.split(' ').length);
	const module = await VERBS[verb]!.load();
	return module.run(rest);
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error: unknown) {
	const errno = error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
	if ((error instanceof StigmerError || errno) && process.env['STIGMER_DEBUG'] !== '1') {
		// A system call that failed (full disk, read-only or vanished file) is the user's to fix: one line, no stack (SPEC 7).
		process.stderr.write(`stigmer: ${(error as Error).message}\n`);
		process.exitCode = error instanceof StigmerError ? error.exitCode : EXIT.failure;
	} else {
		process.stderr.write(`stigmer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exitCode = error instanceof StigmerError ? error.exitCode : EXIT.failure;
	}
}
