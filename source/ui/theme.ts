// How components and log levels look in the dashboard, shared by the Ink panels and the plain-text `--once` output.
import {componentColor as ansiComponentColor} from '../logs/format-line.js';
import {isErrorLevel} from '../logs/levels.js';
import type {BadgeColor} from '../state-badges.js';

/** The log engine's ANSI colour codes, as Ink colour names, so the pane and `server logs` agree. */
const ANSI_NAMES: Record<string, string> = {
	36: 'cyan',
	35: 'magenta',
	34: 'blue',
	32: 'green',
	33: 'yellow',
	96: 'cyanBright',
	95: 'magentaBright',
	94: 'blueBright',
	92: 'greenBright',
	93: 'yellowBright',
};

/** The colour of a component: the same stable hash `server logs` uses. */
export function componentColor(name: string): string {
	const code = /\[(\d+)m/.exec(ansiComponentColor(name))?.[1] ?? '36';
	return ANSI_NAMES[code] ?? 'cyan';
}

/** An error line: an error level (logs/levels.ts decides which), or a stderr line that names no level (a stack trace, a crash). */
export function isErrorLine(line: {level: string | null; stream: string}): boolean {
	return line.level === null ? line.stream === 'stderr' : isErrorLevel(line.level);
}

/** How a line's level is marked, as `server logs` marks it: red for errors, yellow for warnings. */
export function levelColor(level: string | null): BadgeColor | undefined {
	return isErrorLevel(level) ? 'red' : level === 'warn' ? 'yellow' : undefined;
}
