// `stigmer server logs` (docs/logs.md): parse flags, pick components and streams, print the merged tail
// (or everything) and follow. The reading itself is source/logs/, shared with the dashboard.
import fs from 'node:fs';
import {drained} from '../drained.js';
import {loadConfig} from '../config/index.js';
import {EXIT, StigmerError, UsageError} from '../errors.js';
import {anyLogExists, componentsOnDisk, notRegularFiles, followFrom, formatLine, LevelError, LineFilter, listSources, parseSince, readMergedAt, toJson, TooFarBack, writeAll, writeTail, type FilterSpec, type LogLine, type LogSelection, type Positions, type Source} from '../logs/index.js';
import {PatternError} from '../linear-regex.js';
import {resolveHome, type Home, type Stream} from '../paths.js';
import {fileError} from '../private-file.js';
import {colorEnabled} from '../colors.js';
import {parseFlags} from './flags.js';
import {warnOnConfigFallback} from './output.js';

const HELP = `
	Usage: stigmer server logs [options]

	Every component's stdout and stderr, merged by timestamp: the last 50 lines, then new
	lines as they are written, until Ctrl-C.

	Options
	  -c, --component NAME  only this component (repeat for more); default: all
	  --stdout              only stdout (the .log files)
	  --stderr              only stderr (the .err files)
	  -n, --tail N          the last N lines of the merged stream (default 50; 0 = everything)
	  -f, --follow          keep printing new lines (the default); --no-follow prints and exits
	  --since WHEN          only lines from WHEN on: a duration back (30s, 10m, 2h, 250ms) or a
	                        time (2026-11-26T03:47:00Z, "2026-11-26 03:47", 2026-11-26,
	                        03:47 = the last 03:47, local)
	  --grep REGEX          only lines whose text matches (RE2 syntax; case-insensitive unless
	                        REGEX has an upper-case letter)
	  --level LEVEL         only lines at LEVEL or above (trace, debug, info, notice, warn, error,
	                        critical/fatal, alert/panic, emerg); a stack trace stays with its line
	  --json                one JSON object per line: {time, inherited, component, stream, level, text}
	  --no-color            no colours (NO_COLOR=1 does the same)
	  --all                 all components (the default; accepted for compatibility)

	Examples
	  $ stigmer server logs
	  $ stigmer server logs -c workflow-runner --stderr -n 200 --no-follow
	  $ stigmer server logs --since 10m --level error --grep 'deadline|timeout'

	Exit codes: 0 printed (and followed until Ctrl-C), 1 a log file could not be read,
	2 usage (a bad flag, --grep, --level, --since or -n value, an unknown component)
`;

const FLAGS = {
	component: {type: 'string', shortFlag: 'c', isMultiple: true},
	stdout: {type: 'boolean', default: false},
	stderr: {type: 'boolean', default: false},
	tail: {type: 'string', shortFlag: 'n'},
	follow: {type: 'boolean', shortFlag: 'f', default: true},
	since: {type: 'string'},
	grep: {type: 'string'},
	level: {type: 'string'},
	json: {type: 'boolean', default: false},
	color: {type: 'boolean', default: true},
	all: {type: 'boolean', default: true},
} as const;

type Flags = {component?: string[]; stdout: boolean; stderr: boolean; tail?: string; follow: boolean; since?: string; grep?: string; level?: string; json: boolean; color: boolean; all: boolean};

/** Default `-n`, as the Go CLI. */
const DEFAULT_TAIL = 50;

type Options = {selection: LogSelection; tail: number; sinceMs: number | undefined; filter: FilterSpec | undefined; follow: boolean; json: boolean; color: boolean; allComponents: boolean};

/** Run `server logs`; resolves with the exit code once printing (and following) ends. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, FLAGS);
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}": name components with -c NAME (see --help).`);
	}

	warnOnConfigFallback();
	const home = resolveHome();
	for (const dir of [home.data, home.logs]) {
		unreadable(dir);
	}

	const options = resolveOptions(home, cli.flags as Flags);
	const sources = listSources(home, options.selection);
	if (!anyLogExists(sources)) {
		process.stderr.write(`No logs yet in ${home.logs}: start the stack with \`stigmer server start\`.\n`);
		return EXIT.ok;
	}

	for (const file of notRegularFiles(sources)) {
		process.stderr.write(`stigmer: skipping ${file}: not a regular file\n`);
	}

	process.stderr.write(`${describe(options)}\n`);
	return print(home, sources, options);
}

/** A directory that exists but cannot be listed is an error, not "No logs yet" (docs/lifecycle.md#durations-and-exit-codes). */
function unreadable(dir: string): void {
	try {
		fs.readdirSync(dir);
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw fileError(dir, 'read', error);
		}
	}
}

function resolveOptions(home: Home, flags: Flags): Options {
	const tailText = flags.tail ?? String(DEFAULT_TAIL);
	const tail = Number(tailText);
	if (!/^\d+$/.test(tailText.trim()) || !Number.isSafeInteger(tail)) {
		throw new UsageError(`-n/--tail "${tailText}" is not a number of lines: pass 0 or more (0 = everything).`);
	}

	const sinceMs = flags.since === undefined ? undefined : parseSince(flags.since);
	const filter = checkFilter({grep: flags.grep, level: flags.level});
	const known = knownComponents(home);
	const asked = (flags.component ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c !== '');
	for (const name of asked) {
		if (!known.includes(name)) {
			throw new UsageError(`unknown component "${name}": known components are ${known.join(', ') || '(none)'}.`);
		}
	}

	const streams: Stream[] = flags.stdout === flags.stderr ? ['stdout', 'stderr'] : flags.stdout ? ['stdout'] : ['stderr'];
	return {
		selection: {components: asked.length > 0 ? [...new Set(asked)] : known, streams},
		tail,
		sinceMs,
		filter,
		follow: flags.follow,
		json: flags.json,
		color: !flags.json && colorEnabled(!flags.color),
		allComponents: asked.length === 0,
	};
}

/** --grep and --level compiled once here, so a bad value is one line naming its flag (exit 2); undefined when neither is given. */
function checkFilter(spec: FilterSpec): FilterSpec | undefined {
	const given: FilterSpec = {};
	if (spec.grep !== undefined) {
		given.grep = spec.grep;
	}

	if (spec.level !== undefined) {
		given.level = spec.level;
	}

	try {
		return new LineFilter(given).none ? undefined : given;
	} catch (error: unknown) {
		if (error instanceof PatternError) {
			throw new UsageError(`--grep "${spec.grep ?? ''}": ${error.message}.`);
		}

		if (error instanceof LevelError) {
			throw new UsageError(`--level ${error.message}.`);
		}

		throw error;
	}
}

/** Every component of the config (enabled or not), then any other name that has log files. */
function knownComponents(home: Home): string[] {
	let configured: string[] = [];
	try {
		configured = loadConfig(home).components.map((c) => c.name);
	} catch (error: unknown) {
		if (!(error instanceof StigmerError)) {
			throw error;
		}

		// A broken config must not hide the logs that explain it: read what is on disk.
		process.stderr.write(`stigmer: ${error.message}\nstigmer: showing the logs found on disk.\n`);
	}

	const extra = componentsOnDisk(home).filter((c) => !configured.includes(c));
	return [...configured, ...extra];
}

/** The informational first line (docs/logs.md), on stderr so stdout stays data. */
function describe(options: Options): string {
	const streams = options.selection.streams ?? [];
	const what = options.allComponents ? 'all components' : options.selection.components.join(', ');
	const which = streams.length === 2 ? 'stdout and stderr, interleaved by timestamp' : `${streams[0]} only, in timestamp order`;
	// docs/logs.md's words, with --no-follow too: scripts that wait for this line need not know how it was called.
	return `Streaming logs from ${what} (${which})`;
}

/**
 * How far back from each file's end a filtered `-n N` reads before it reads forward instead: the
 * backward reader parses in JavaScript (~0.1 s for 4 MiB), the forward merge in the kernel (~500 MB/s);
 * a rare word read backwards through four 200 MB logs took 52 s and 750 MB.
 */
const FILTERED_TAIL_WINDOW = 4 * 1024 * 1024;

/** The backward tail, or null when a filtered one would reach further back than FILTERED_TAIL_WINDOW. */
function tailOrNull(sources: Source[], options: Options): {lines: LogLine[]; positions: Positions} | null {
	try {
		return readMergedAt(sources, {tail: options.tail, sinceMs: options.sinceMs, filter: options.filter, maxWindow: options.filter === undefined ? undefined : FILTERED_TAIL_WINDOW});
	} catch (error: unknown) {
		if (error instanceof TooFarBack) {
			return null;
		}

		throw error;
	}
}

/** Print, then follow until Ctrl-C, SIGTERM or a closed stdout; exit 0 for all three. */
async function print(home: Home, sources: Source[], options: Options): Promise<number> {
	let stdoutClosed = false;
	const stop = new AbortController();
	const stopped = new Promise<void>((resolve) => {
		stop.signal.addEventListener('abort', () => resolve());
	});
	// A reader that left (EPIPE) ends it with exit 0; any other write error too, and the entry reports it (exit 1).
	process.stdout.on('error', () => {
		stdoutClosed = true;
		stop.abort();
	});
	process.once('SIGINT', () => stop.abort());
	process.once('SIGTERM', () => stop.abort());
	const format = {color: options.color};
	// Following: the same filter as the read, fed each source's lines in order (a trace stays with its kept parent).
	const followFilter = options.filter === undefined ? null : new LineFilter(options.filter);
	const render = (lines: LogLine[]): Promise<void> | undefined => {
		if (lines.length === 0 || stdoutClosed) {
			return;
		}

		let text = '';
		// A person at a terminal reads JSON lines as `LEVEL message key=value…`; pipes and --json keep the line as written.
		const shown = {...format, readable: process.stdout.isTTY === true};
		for (const l of lines) {
			text += `${options.json ? JSON.stringify(toJson(l)) : formatLine(l, shown)}\n`;
		}

		if (process.stdout.write(text)) {
			return;
		}

		// A slow reader (a pager, a terminal scrolling a flood): follow reads on once stdout has drained.
		return drained(process.stdout);
	};

	let positions: Positions;
	if (options.tail === 0) {
		// Everything (since a time): streamed, never held in memory.
		({positions} = await writeAll(sources, {json: options.json, color: options.color}, process.stdout, {signal: stop.signal, sinceMs: options.sinceMs, filter: options.filter}));
	} else {
		const read = tailOrNull(sources, options);
		if (read === null) {
			// The last N lines that pass lie further back: the forward, filtered merge finds them at the kernel's speed.
			({positions} = await writeTail(sources, {json: options.json, color: options.color}, process.stdout, options.tail, {signal: stop.signal, sinceMs: options.sinceMs, filter: options.filter}));
		} else {
			await render(read.lines); // filtered by the reader
			positions = read.positions;
		}
	}

	if (!options.follow || stop.signal.aborted) {
		return EXIT.ok;
	}

	const follower = await followFrom(home, options.selection, positions, (batch) => render(followFilter === null ? batch : batch.filter((l) => followFilter.keep(`${l.component}[${l.stream}]`, l))));
	await stopped;
	await follower.close();
	return EXIT.ok;
}
