// `stigmer server start [COMPONENT...]` (docs/lifecycle.md#start): parse → engine.start → print.
import {start} from '../engine/index.js';
import {EXIT} from '../errors.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';
import {startFailureLines} from '../messages.js';
import {colors, printWarnings} from './output.js';
import {startProgress} from './progress.js';

const HELP = `
	Usage: stigmer server start [COMPONENT...]

	Clean up orphaned processes of this home, stop what runs, then start the stack
	(or only the named components) in dependency order and wait until each is ready,
	printing a ✓ line for each as soon as it is. Running it again restarts: it is
	idempotent. A component whose port is held by another process is not started.

	Options
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 all started and ready · 1 a component failed (each failure is shown with its last stderr lines) · 2 bad config or usage
`;

/** Start the stack or the named components, printing each ✓ as it comes; exit 0 when all are ready. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {color: {type: 'boolean', default: true}});
	const c = colors(!cli.flags.color);
	const home = resolveHome();
	const progress = startProgress(process.stdout, process.stderr, c);
	let result;
	try {
		result = await start(home, {components: cli.input, onEvent: progress.onEvent});
	} finally {
		progress.close();
	}

	printWarnings(result);
	if (result.failures.length === 0) {
		return EXIT.ok;
	}

	process.stderr.write(`${startFailureLines(result, c).join('\n')}\n`);
	return EXIT.failure;
}
