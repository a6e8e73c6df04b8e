// `stigmer dash [--once] [--json] [--no-color]` (docs/dashboard.md): the live dashboard, or a headless snapshot
// when asked or when stdout is not a terminal. Ink and React load only for the interactive path (ui/launch.ts).
// Only the entry's own small modules load before the path is chosen: the live dashboard holds its own copy of the engine
// (the ES-module half), and would hold this bundle's too (rollup.config.mjs).
import {EXIT, UsageError} from '../errors.js';
import type {LogLine} from '../logs/lines.js';
import {configWarning} from './config-warning.js';
import {parseFlags} from './flags.js';

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

	const noColor = !cli.flags.color;
	if (cli.flags.once || cli.flags.json || process.stdout.isTTY !== true) {
		return printOnce({json: cli.flags.json, noColor});
	}

	// The ES-module half of the CLI (dist/bin/dash.mjs): Ink, React and chalk cannot be require()d on Node 20.
	const {launchDashboard} = await import('../ui/launch.js');
	return launchDashboard({noColor, warn: configWarning});
}

/** Print one snapshot to stdout (the panels and the last log lines, or one JSON document); status's exit code: 0 healthy, 3 not. */
async function printOnce(options: {json: boolean; noColor: boolean}): Promise<number> {
	// Loaded here, not at the top: the interactive path does not need them, and this one must start as fast as `status`
	// (with which it shares the bundle's core chunk).
	// The log engine's tail and format modules, not its index: the index also loads the follower (chokidar).
	const [{resolveHome}, {colorEnabled, palette}, {printWarnings, reportJson, warnOnConfigFallback}, {status}, {readMergedAt}, {listSources}, {toJson}, {renderOnce}] = await Promise.all([
		import('../paths.js'),
		import('../colors.js'),
		import('./output.js'),
		import('../engine/index.js'),
		import('../logs/tail.js'),
		import('../logs/files.js'),
		import('../logs/format-line.js'),
		import('../ui/headless.js'),
	]);
	warnOnConfigFallback();
	const home = resolveHome();
	const color = colorEnabled(options.noColor);
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
		process.stdout.write(renderOnce(report, lines, shown, palette(color), color));
	}

	return report.healthy ? EXIT.ok : EXIT.notRunning;
}
