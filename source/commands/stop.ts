// `stigmer server stop [COMPONENT...]` (docs/lifecycle.md#stop): parse → engine.stop → print.
import {stop} from '../engine/index.js';
import {EXIT} from '../errors.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';
import {dependentsLine, stopLine} from '../messages.js';
import {colors, printWarnings, warnOnConfigFallback} from './output.js';
import {startProgress} from './progress.js';

const HELP = `
	Usage: stigmer server stop [COMPONENT...]

	Stop the stack (or the named components) in reverse dependency order: send each
	its stop_signal, wait up to stop_timeout, then SIGKILL the whole process group and
	verify it is gone. Stopping what is not running is not an error.

	Options
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 stopped, or was not running · 1 something failed (the message says
	what, and what it stopped) · 2 usage (a bad flag, an unknown component) or bad config
`;

/** Stop the stack or the named components; exit 0 unless something could not be stopped. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {color: {type: 'boolean', default: true}});
	const c = colors(!cli.flags.color);
	// Each line as it happens, so they come in the order things stopped (docs/lifecycle.md#stop: reverse dependency order).
	warnOnConfigFallback();
	const progress = startProgress(process.stdout, process.stderr, c);
	let result;
	try {
		result = await stop(resolveHome(), {components: cli.input, onEvent: progress.onEvent});
	} finally {
		progress.close();
	}

	printWarnings(result);
	for (const outcome of result.stopped.filter((o) => o.how === 'not-running')) {
		process.stdout.write(`${stopLine(outcome, c)}\n`);
	}

	for (const note of result.dependentsLeft) {
		process.stdout.write(`${dependentsLine(note)}\n`);
	}

	return EXIT.ok;
}
