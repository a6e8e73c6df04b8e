// `stigmer server run [COMPONENT...]` (docs/engines.md, "server run"): the stack in the foreground, as `foreman start`
// or `docker compose up`: start as `server start` does, then the merged logs from the run's start until SIGINT or
// SIGTERM, which stop it as `server stop` does. Another run or start of the home takes the stack over: we then leave.
import {start, stop, watchRun, type RunVerdict, type RunWatch, type StopResult} from '../engine/index.js';
import {drained} from '../drained.js';
import {EXIT} from '../errors.js';
import {endPositions, followFrom, formatLine, listSources, type LogLine, type LogSelection, type Positions} from '../logs/index.js';
import {startFailureLines, stopLine} from '../messages.js';
import {resolveHome} from '../paths.js';
import {colorEnabled} from '../colors.js';
import {parseFlags} from './flags.js';
import {colors, printWarnings} from './output.js';
import {asPid1} from './pid1.js';
import {startProgress} from './progress.js';

/** After the stop, how long stdout's last lines may take to reach their reader before the run exits without them. */
const FLUSH_MS = 1000;

const HELP = `
	Usage: stigmer server run [COMPONENT...]

	Run the stack (or the named components) in the foreground: clean up, start as
	\`server start\` does (the same ✓ lines), then print every started component's
	stdout and stderr, merged by timestamp, from this run's start on. SIGINT (Ctrl-C)
	or SIGTERM stops what it started, as \`server stop\` does. Components keep their
	supervisors and files, so \`status\`, \`logs\` and \`dash\` work beside it. Another
	\`run\` or a \`start\` of this home takes the stack over: this run then says so and
	exits 0, stopping nothing. As PID 1 of a container it also reaps orphans.

	Options
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 stopped by a signal, or taken over · 1 a component failed to start or
	needed SIGKILL to stop · 2 bad config or usage
`;

/** How often the run looks at its components' PID files for a takeover: a PID file read each, cheap. */
const WATCH_MS = 250;
/** Longest a signalled run waits for another action to release the lock before stopping anyway (as long as stop would wait for it). */
const LOCK_SETTLE_MS = 5 * 60_000;

/** Run the stack in the foreground until a signal or a takeover; the exit code. */
export async function run(argv: string[]): Promise<number> {
	asPid1(['server', 'run', ...argv]);
	const cli = await parseFlags(argv, HELP, {color: {type: 'boolean', default: true}});
	const c = colors(!cli.flags.color);
	const home = resolveHome();
	const signalled = onFirstSignal();
	let starting = true;
	void signalled.then(() => {
		if (starting) {
			// The start cannot be cut short (its supervisors are being spawned): say why nothing stops yet.
			process.stderr.write('stigmer: stopping once the start has ended\n');
		}
	});
	const progress = startProgress(process.stdout, process.stderr, c);
	let planned: string[] = [];
	let positions: Positions = new Map();
	let result;
	try {
		result = await start(home, {
			components: cli.input,
			verb: 'server run',
			onEvent(event) {
				if (event.type === 'plan') {
					// Before its logs are rotated: the lines shown are those written from here on. A second plan adds the
					// dependencies the start brings: they are the run's too, streamed and stopped with it.
					planned = [...planned, ...event.components.filter((name) => !planned.includes(name))];
					positions = new Map([...positions, ...endPositions(listSources(home, {components: event.components}))]);
				}

				progress.onEvent(event);
			},
		});
	} finally {
		starting = false;
		progress.close();
	}

	printWarnings(result);
	const whole = cli.input.length === 0;
	if (result.failures.length > 0) {
		process.stderr.write(`${startFailureLines(result, c).join('\n')}\n`);
		// In the foreground nothing outlives the run: what did start is stopped too (docs/decisions.md).
		await stopRun(home, whole ? undefined : result.started.map((s) => s.name), c);
		return EXIT.failure;
	}

	const selection: LogSelection = {components: planned};
	const render = printer(colorEnabled(!cli.flags.color));
	process.stderr.write(`Streaming logs from ${whole ? 'all components' : planned.join(', ')} (stdout and stderr, interleaved by timestamp)\n`);
	const follower = await followFrom(home, selection, positions, render);
	const watch = await watchRun(home, result.started.map((s) => s.name));
	const verdict = await Promise.race([signalled.then(() => undefined), watched(watch.check, signalled)]);
	let code: number = EXIT.failure;
	try {
		// A signal while another action holds the lock: let it finish, then look, so we never stop a stack that is no longer ours.
		const now = verdict ?? (await afterActions(watch));
		if (now.kind !== 'ours') {
			process.stderr.write(`stigmer: ${leaving(now)}\n`);
			code = now.kind === 'ended' && now.failed.length > 0 ? EXIT.failure : EXIT.ok;
		} else {
			const stopped = await stopRun(home, whole ? undefined : planned, c);
			code = stopped.stopped.some((o) => o.how === 'killed') ? EXIT.failure : EXIT.ok;
		}
	} finally {
		if (!(await flushedWithin(follower.close(), FLUSH_MS))) {
			// A reader that stopped reading (a full pipe) would hold the process forever: its last lines are dropped.
			process.stderr.write('stigmer: standard output is not being read; exiting without its last lines\n');
			process.stdout.destroy();
			process.exit(code); // A pending write to a stalled pipe would keep Node alive past its return.
		}
	}

	return code;
}

/** Whether the follower closed and stdout drained within `ms`. */
async function flushedWithin(closing: Promise<void>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const drained = closing.then(async () => new Promise<boolean>((resolve) => {
		if (process.stdout.writableLength === 0) {
			resolve(true);
			return;
		}

		process.stdout.once('drain', () => resolve(true));
		process.stdout.once('close', () => resolve(true));
	}));
	const late = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), ms);
	});
	const flushed = await Promise.race([drained, late]);
	clearTimeout(timer);
	return flushed;
}

/** Resolves at the first SIGINT or SIGTERM; later ones are ignored, so a stop under way is never cut short (docs/engines.md). */
function onFirstSignal(): Promise<void> {
	return new Promise((resolve) => {
		// Kept for the whole run: a second Ctrl-C (or the terminal's copy of a signal PID 1 forwarded) must not kill us mid-stop.
		process.on('SIGINT', () => resolve());
		process.on('SIGTERM', () => resolve());
	});
}

/** Poll the watch until the stack is no longer this run's own, or until `until` settles (then undefined). */
async function watched(check: () => RunVerdict, until: Promise<void>): Promise<RunVerdict | undefined> {
	let done = false;
	void until.then(() => {
		done = true;
	});
	while (!done) {
		await new Promise((resolve) => {
			setTimeout(resolve, WATCH_MS);
		});
		const verdict = done ? undefined : check();
		if (verdict !== undefined && verdict.kind !== 'ours') {
			return verdict;
		}
	}

	return undefined;
}

/** The watch's verdict once no other stigmer holds the home's lock (bounded as a stop's own wait for the lock). */
async function afterActions(watch: RunWatch): Promise<RunVerdict> {
	const deadline = Date.now() + LOCK_SETTLE_MS;
	while (watch.busy() && Date.now() < deadline) {
		await new Promise((resolve) => {
			setTimeout(resolve, WATCH_MS);
		});
	}

	return watch.check();
}

/** The one line a run says when it leaves a stack it no longer owns. */
function leaving(verdict: Exclude<RunVerdict, {kind: 'ours'}>): string {
	if (verdict.kind === 'taken-over') {
		const by = verdict.by === undefined ? 'another stigmer' : `pid ${verdict.by.pid}${verdict.by.verb === null ? '' : ` (${verdict.by.verb})`}`;
		return `the stack was taken over by ${by}; leaving it running`;
	}

	return verdict.failed.length > 0
		? `every component of this run has ended; failed: ${verdict.failed.join(', ')}`
		: 'every component of this run has ended (stopped by another command, or exited)';
}

/** Stop as `server stop` does, with its lines. */
async function stopRun(home: ReturnType<typeof resolveHome>, components: string[] | undefined, c: ReturnType<typeof colors>): Promise<StopResult> {
	const progress = startProgress(process.stdout, process.stderr, c);
	let result;
	try {
		result = await stop(home, {components, onEvent: progress.onEvent, verb: 'server run'});
	} finally {
		progress.close();
	}

	printWarnings(result);

	for (const outcome of result.stopped.filter((o) => o.how === 'not-running')) {
		process.stdout.write(`${stopLine(outcome, c)}\n`);
	}

	return result;
}

/** Log lines to stdout as `server logs` prints them; a slow reader holds the follower back instead of growing memory. */
function printer(color: boolean): (lines: LogLine[]) => Promise<void> | undefined {
	let closed = false;
	process.stdout.on('error', () => {
		closed = true; // A reader that left: the run goes on (its stack does not depend on who reads).
	});
	return (lines) => {
		if (lines.length === 0 || closed) {
			return;
		}

		let text = '';
		for (const line of lines) {
			text += `${formatLine(line, {color})}\n`;
		}

		if (process.stdout.write(text)) {
			return;
		}

		return drained(process.stdout);
	};
}
