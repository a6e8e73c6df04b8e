// `stigmer server start [COMPONENT...]` (SPEC 4.4): parse → engine.start → print.
import {start} from '../engine/index.js';
import {formatDuration} from '../duration.js';
import {EXIT} from '../errors.js';
import {safeText} from '../logs/sanitize.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';
import {cleanupLines, colors} from './output.js';

const HELP = `
	Usage: stigmer server start [COMPONENT...]

	Clean up orphaned processes of this home, stop what runs, then start the stack
	(or only the named components) in dependency order and wait until each is ready.
	Running it again restarts: it is idempotent.

	Options
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 all started and ready · 1 a component failed (its last stderr lines are shown) · 2 bad config or usage
`;

/** Start the stack or the named components; exit 0 when all are ready. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {color: {type: 'boolean', default: true}});
	const c = colors(!cli.flags.color);
	const home = resolveHome();
	const result = await start(home, {components: cli.input});
	for (const line of cleanupLines(result.cleaned)) {
		process.stdout.write(`${line}\n`);
	}

	const width = Math.max(0, ...result.started.map((s) => s.name.length));
	for (const s of result.started) {
		process.stdout.write(`${c.green('✓')} ${s.name.padEnd(width)}  pid ${s.pid}  ready in ${formatDuration(s.readyMs)}\n`);
	}

	const {failure} = result;
	if (failure === null) {
		return EXIT.ok;
	}

	const lines = [`${c.red('✗')} ${failure.name} ${failure.reason}`];
	if (failure.stderrTail.length > 0) {
		lines.push(`  last ${failure.stderrTail.length} lines of its stderr:`, ...failure.stderrTail.map((l) => `    ${safeText(l, {color: false})}`));
	}

	lines.push(`  log: ${failure.logPath}`);
	if (failure.skipped.length > 0) {
		lines.push(`  not started (they depend on it): ${failure.skipped.join(', ')}`);
	}

	process.stderr.write(`${lines.join('\n')}\n`);
	return EXIT.failure;
}
