// Shared printing for the lifecycle verbs: colour choice and the human forms of engine results.
import chalk, {Chalk, type ChalkInstance} from 'chalk';
import {formatDuration} from '../duration.js';
import type {CleanupReport, StopOutcome} from '../engine/types.js';

/** chalk honouring NO_COLOR, --no-color and whether stdout is a terminal. */
export function colors(noColor: boolean | undefined): ChalkInstance {
	return noColor || process.env['NO_COLOR'] !== undefined ? new Chalk({level: 0}) : chalk;
}

/** `cleaned up 7 orphaned workflow-runner processes (pids 68550, 68104, …)` per component. */
export function cleanupLines(cleaned: CleanupReport): string[] {
	return cleaned.map(({component, pids}) => `cleaned up ${pids.length} orphaned ${component} process${pids.length === 1 ? '' : 'es'} (pid${pids.length === 1 ? '' : 's'} ${pids.join(', ')})`);
}

/** `stigmer-server stopped in 120ms` / `stubborn killed after 5s (SIGKILL)` / `agent-runner was not running`. */
export function stopLine(outcome: StopOutcome, c: ChalkInstance): string {
	switch (outcome.how) {
		case 'stopped': {
			return `${outcome.name} stopped in ${formatDuration(outcome.ms)}`;
		}

		case 'killed': {
			return `${outcome.name} ${c.yellow('killed')} after ${formatDuration(outcome.ms)} (SIGKILL)`;
		}

		case 'not-running': {
			return `${outcome.name} was not running`;
		}
	}
}
