// `stigmer dash [--once] [--json] [--no-color]` (docs/dashboard.md): the live dashboard, or a headless snapshot
// when asked or when stdout is not a terminal. Ink and React load only for the interactive path.
import {colorEnabled, palette} from '../colors.js';
import {EXIT, UsageError} from '../errors.js';
import type {LogLine} from '../logs/lines.js';
import {resolveHome, type Home} from '../paths.js';
import {parseFlags} from './flags.js';
import {onConfigFallback} from '../config/index.js';
import {printWarnings, reportJson, warnOnConfigFallback} from './output.js';

const HELP = `
	Usage: stigmer dash [--once] [--json] [--no-color]

	A live dashboard of the stack: one panel per component, the merged logs of every
	component, and keys that restart and stop components (? shows them all).
	Quitting (q or Ctrl-C) never stops the stack.

	Options
	  --once       print the panels and the last 20 log lines once, then exit
	               (also whenever stdout is not a terminal)
	  --json       with --once: one JSON document, the status object plus "logs"
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 quit, or (--once) every enabled component is running and ready ·
	3 (--once) something is not · 1 error · 2 bad flag or config
`;

/** Log lines shown under the panels (docs/dashboard.md). */
const ONCE_LOG_LINES = 20;
/** Lines read to find each component's last error line: a short read from the end of each file (500 lines cost ~15 ms of the ≤ 2 × `node -e 0` start-up budget, 100 cost ~4). */
const ERROR_SCAN_LINES = 100;

/** Interactive unless --once, --json or a non-terminal stdout. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {once: {type: 'boolean', default: false}, json: {type: 'boolean', default: false}, color: {type: 'boolean', default: true}});
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}": \`dash\` shows every component (see --help)`);
	}

	warnOnConfigFallback();
	const home = resolveHome();
	const color = colorEnabled(!cli.flags.color);
	if (cli.flags.once || cli.flags.json || process.stdout.isTTY !== true) {
		return printOnce(home, {json: cli.flags.json, color});
	}

	// Ink decides at import whether it runs in CI (is-in-ci), and then paints nothing until exit. A
	// terminal on stdout means someone is watching, whatever CI says: the CI variables are hidden while
	// Ink loads, then restored, so components started by a key inherit exactly what `server start`
	// gives them. chalk is told its level from the terminal (ui/color-mode.ts), not from these.
	const {CI_VARIABLES} = await import('../ui/color-mode.js');
	const saved = [...CI_VARIABLES, 'NODE_ENV'].map((name) => [name, process.env[name]] as const);
	// React's development build costs several times the CPU per render; users run the dashboard all day.
	process.env['NODE_ENV'] ??= 'production';
	for (const name of CI_VARIABLES) {
		delete process.env[name];
	}

	// Before Ink loads: an idle dashboard's young generation stays small (ui/heap.ts).
	(await import('../ui/heap.js')).capYoungGeneration();
	const {runDashboard} = await import('../ui/run.js');
	for (const [name, value] of saved) {
		if (value === undefined) {
			delete process.env[name];
		} else {
			process.env[name] = value;
		}
	}

	// Once the screen is Ink's, stderr would be painted over: a broken file (at launch or later) is named on the
	// status line instead, from each status poll, until it is fixed (docs/dashboard.md).
	const {liveDeps} = await import('../ui/live-deps.js');
	const deps = liveDeps(home);
	onConfigFallback(() => undefined);
	return runDashboard(home, {color}, deps);
}

/** Print one snapshot to stdout (the panels and the last log lines, or one JSON document); status's exit code: 0 healthy, 3 not. */
async function printOnce(home: Home, options: {json: boolean; color: boolean}): Promise<number> {
	// Loaded here, not at the top: the interactive path does not need them, and this one must start as fast as `status`.
	// The log engine's tail and format modules, not its index: the index also loads the follower (chokidar).
	const [{status}, {readMergedAt}, {listSources}, {toJson}, {renderOnce}] = await Promise.all([import('../engine/index.js'), import('../logs/tail.js'), import('../logs/files.js'), import('../logs/format-line.js'), import('../ui/headless.js')]);
	const report = await status(home);
	printWarnings(report);
	const names = report.components.map((c) => c.name);
	let lines: LogLine[] = [];
	try {
		lines = readMergedAt(listSources(home, {components: names}), {tail: ERROR_SCAN_LINES}).lines;
	} catch {
		// No logs yet, or unreadable: the panels still print.
	}

	const shown = lines.slice(-ONCE_LOG_LINES);
	if (options.json) {
		process.stdout.write(`${JSON.stringify({...reportJson(report), logs: shown.map(toJson)}, null, 2)}\n`);
	} else {
		process.stdout.write(renderOnce(report, lines, shown, palette(options.color), options.color));
	}

	return report.healthy ? EXIT.ok : EXIT.notRunning;
}
