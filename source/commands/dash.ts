// `stigmer dash [--once] [--json] [--no-color]` (SPEC 6): the live dashboard, or a headless snapshot
// when asked or when stdout is not a terminal. Ink and React load only for the interactive path.
import {colorEnabled} from '../colors.js';
import {UsageError} from '../errors.js';
import {resolveHome} from '../paths.js';
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

/** What Ink (is-in-ci) reads to decide it runs in CI. */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Interactive unless --once, --json or a non-terminal stdout. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {once: {type: 'boolean', default: false}, json: {type: 'boolean', default: false}, color: {type: 'boolean', default: true}});
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}": \`dash\` shows every component (see --help)`);
	}

	const home = resolveHome();
	const color = colorEnabled(!cli.flags.color);
	if (cli.flags.once || cli.flags.json || process.stdout.isTTY !== true) {
		const {printOnce} = await import('../ui/headless.js');
		return printOnce(home, {json: cli.flags.json, color});
	}

	const savedEnv = {...process.env};
	if (!cli.flags.color || process.env['NO_COLOR'] !== undefined) {
		process.env['FORCE_COLOR'] = '0';
	}

	// React's development build costs several times the CPU per render; users run the dashboard all day.
	process.env['NODE_ENV'] ??= 'production';
	// Ink decides at import whether it runs in CI, and then paints nothing until exit. A terminal on
	// stdout means someone is watching, whatever CI says; children keep the caller's CI value.
	// React and chalk read NODE_ENV and FORCE_COLOR at import; restored after it, so components started by a key inherit
	// exactly the environment `server start` gives them.
	const saved = [...CI_VARIABLES, 'NODE_ENV', 'FORCE_COLOR'].map((name) => [name, savedEnv[name]] as const);
	for (const name of CI_VARIABLES) {
		process.env[name] = 'false';
	}

	const {runDashboard} = await import('../ui/run.js');
	for (const [name, value] of saved) {
		if (value === undefined) {
			delete process.env[name];
		} else {
			process.env[name] = value;
		}
	}

	return runDashboard(home);
}
