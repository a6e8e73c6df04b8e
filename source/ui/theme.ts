// How states and components look, shared by the Ink panels and the plain-text `--once` output.
import type {ComponentState} from '../engine/types.js';
import {componentColor as ansiComponentColor} from '../logs/format.js';

/** Colour names understood by both chalk and Ink's <Text color>. */
export type ColorName = 'green' | 'yellow' | 'red' | 'gray';

/** A state's symbol and colour: symbols keep the badge readable without colour (NO_COLOR). */
export const BADGES: Record<ComponentState, {symbol: string; color: ColorName}> = {
	running: {symbol: '●', color: 'green'},
	starting: {symbol: '◐', color: 'yellow'},
	backoff: {symbol: '↻', color: 'yellow'},
	stopping: {symbol: '◑', color: 'yellow'},
	stopped: {symbol: '○', color: 'gray'},
	exited: {symbol: '◌', color: 'gray'},
	failed: {symbol: '✖', color: 'red'},
	crashed: {symbol: '✖', color: 'red'},
	disabled: {symbol: '⊘', color: 'gray'},
};

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

/** Levels that make a line an error line (for `e` and the panels' last error). */
const ERROR_LEVELS = new Set(['error', 'err', 'fatal', 'panic', 'critical', 'crit', 'alert', 'emerg', 'emergency']);
const WARN_LEVELS = new Set(['warn', 'warning']);

/** An error line: an error level, or a stderr line that names no level (a stack trace, a crash). */
export function isErrorLine(line: {level: string | null; stream: string}): boolean {
	return line.level === null ? line.stream === 'stderr' : ERROR_LEVELS.has(line.level);
}

/** How a line's level is marked: red for errors, yellow for warnings. */
export function levelColor(level: string | null): ColorName | undefined {
	if (level === null) {
		return undefined;
	}

	return ERROR_LEVELS.has(level) ? 'red' : WARN_LEVELS.has(level) ? 'yellow' : undefined;
}
