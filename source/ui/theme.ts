// How components and log levels look in the dashboard, shared by the Ink panels and the plain-text `--once` output.
import {componentColorName} from '../logs/format-line.js';
import {isErrorLevel} from '../logs/levels.js';
import type {BadgeColor} from '../state-badges.js';

/** The colour of a component: the same stable hash and colour `server logs` uses. */
export const componentColor = componentColorName;

/** An error line: an error level (logs/levels.ts decides which), or a stderr line that names no level (a stack trace, a crash). */
export function isErrorLine(line: {level: string | null; stream: string}): boolean {
	return line.level === null ? line.stream === 'stderr' : isErrorLevel(line.level);
}

/** How a line's level is marked, as `server logs` marks it: red for errors, yellow for warnings. */
export function levelColor(level: string | null): BadgeColor | undefined {
	return isErrorLevel(level) ? 'red' : level === 'warn' ? 'yellow' : undefined;
}
