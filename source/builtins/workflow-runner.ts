// `stigmer internal-workflow-runner`: the built-in workflow runner, logging like Go's `log` on stdout (docs/config.md).
import {goLogLine, preciseNow, writeLine} from './log-styles.js';
import {runRunner, type RunnerLog} from './runner.js';

/** The runner's queue at the server, and its component name. */
export const QUEUE = 'workflow-runner';

// Go's log has no levels: everything goes to stdout, as the Go runner was configured.
const print = (message: string): void => {
	writeLine(process.stdout, goLogLine(preciseNow(), message));
};

const log: RunnerLog = {info: print, warn: print, error: print};

/** Entry for the hidden verb; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
	return runRunner(QUEUE, argv, log);
}
