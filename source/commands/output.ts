// Shared printing for the lifecycle verbs: colour choice and the human forms of engine results.
import {colorEnabled, palette, type Palette} from '../colors.js';
import {formatDuration} from '../duration.js';
import type {CleanupReport, StartFailure, StopOutcome} from '../engine/types.js';
import {safeText} from '../logs/sanitize.js';

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

/** `waiting for pid 4121 (server start) …`: who holds the home's lock (SPEC 4.4). */
export function lockWaitLine(pid: number | null, verb: string | null): string {
	return `waiting for ${pid === null ? 'another stigmer' : `pid ${pid}`}${verb === null ? '' : ` (${verb})`} …`;
}

/** A failed start's report: each failure with its reason, stderr tail, log, and the components left waiting for it. */
export function failureLines(failures: StartFailure[], c: Palette): string[] {
	return failures.flatMap((f) => [
		`${c.red('✗')} ${f.name}: ${f.reason}`,
		...(f.stderrTail.length > 0 ? [`  last ${f.stderrTail.length} line${f.stderrTail.length === 1 ? '' : 's'} of its stderr:`, ...f.stderrTail.map((l) => `    ${safeText(l, {color: false})}`)] : []),
		...(f.logPath === null ? [] : [`  log: ${f.logPath}`]),
		...(f.skipped.length > 0 ? [`  not started (waiting for ${f.name}): ${f.skipped.join(', ')}`] : []),
	]);
}
