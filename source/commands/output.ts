// Shared printing for the lifecycle verbs: colour choice and the human forms of engine results.
import {colorEnabled, palette, type Palette} from '../colors.js';
import {formatDuration} from '../duration.js';
import type {CleanupReport, StopOutcome} from '../engine/types.js';

/** Colours for stdout honouring --no-color, NO_COLOR, FORCE_COLOR and whether it is a terminal. */
export function colors(noColor: boolean | undefined): Palette {
	return palette(colorEnabled(noColor));
}

/** `cleaned up 7 orphaned workflow-runner processes (pids 68550, 68104, …)` per component. */
export function cleanupLines(cleaned: CleanupReport): string[] {
	return cleaned.map(({component, pids}) => `cleaned up ${pids.length} orphaned ${component} process${pids.length === 1 ? '' : 'es'} (pid${pids.length === 1 ? '' : 's'} ${pids.join(', ')})`);
}

/** `stigmer-server stopped in 120ms` / `stubborn killed after 5s (SIGKILL)` / `agent-runner was not running`. */
export function stopLine(outcome: StopOutcome, c: Palette): string {
	switch (outcome.how) {
		case 'stopped': {
			return outcome.waiting ? `${outcome.name} stopped (was waiting to restart)` : `${outcome.name} stopped in ${formatDuration(outcome.ms)}`;
		}

		case 'killed': {
			return `${outcome.name} ${c.yellow('killed')} after ${formatDuration(outcome.ms)} (SIGKILL)`;
		}

		case 'not-running': {
			return `${outcome.name} was not running`;
		}
	}
}
