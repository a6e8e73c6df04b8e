// `stigmer internal-agent-runner`: the built-in agent runner, logging like Python's `logging` (docs/config.md):
// INFO on stdout, WARNING and ERROR on stderr.
import {pythonLogLine, preciseNow, writeLine, type Level} from './log-styles.js';
import {runRunner, type RunnerLog} from './runner.js';

/** The runner's queue at the server, and its component name. */
export const QUEUE = 'agent-runner';
/** The Python logger name the real agent runner uses. */
const LOGGER = 'agent_runner';

const print = (level: Level) => (message: string): void => {
	writeLine(level === 'info' ? process.stdout : process.stderr, pythonLogLine(preciseNow(), level, LOGGER, message));
};

const log: RunnerLog = {info: print('info'), warn: print('warn'), error: print('error')};

/** Entry for the hidden verb; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
	return runRunner(QUEUE, argv, log);
}
