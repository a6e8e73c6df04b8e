// `stigmer server stop [COMPONENT...]` (SPEC 4.5): parse → engine.stop → print.
import {stop} from '../engine/index.js';
import {EXIT} from '../errors.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';
import {cleanupLines, stopLine} from '../messages.js';
import {colors, lockWaitLine} from './output.js';

const HELP = `
	Usage: stigmer server stop [COMPONENT...]

	Stop the stack (or the named components) in reverse dependency order: send each
	its stop_signal, wait up to stop_timeout, then SIGKILL the whole process group and
	verify it is gone. Stopping what is not running is not an error.

	Options
	  --no-color   plain output (also NO_COLOR)
`;

/** Stop the stack or the named components; exit 0 unless something could not be stopped. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {color: {type: 'boolean', default: true}});
	const c = colors(!cli.flags.color);
	const result = await stop(resolveHome(), {
		components: cli.input,
		onEvent: (event) => {
			if (event.type === 'lock-wait') {
				process.stderr.write(`${lockWaitLine(event.pid, event.verb)}\n`);
			}
		},
	});
	for (const line of cleanupLines(result.cleaned)) {
		process.stdout.write(`${line}\n`);
	}

	for (const outcome of result.stopped) {
		process.stdout.write(`${stopLine(outcome, c)}\n`);
	}

	return EXIT.ok;
}
