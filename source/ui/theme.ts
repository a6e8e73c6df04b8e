// How states and components look, shared by the Ink panels and the plain-text `--once` output.
import type {ComponentState} from '../engine/types.js';

/** Colour names understood by both chalk and Ink's <Text color>. */
export type ColorName = 'green' | 'yellow' | 'red' | 'gray' | 'cyan' | 'magenta' | 'blue' | 'white';

/** A state's symbol and colour: symbols keep the badge readable without colour (NO_COLOR). */
export const BADGES: Record<ComponentState, {symbol: string; color: ColorName}> = {
	running: {symbol: '●', color: 'green'},
	starting: {symbol: '◐', color: 'yellow'},
	stopping: {symbol: '◑', color: 'yellow'},
	stopped: {symbol: '○', color: 'gray'},
	crashed: {symbol: '✖', color: 'red'},
	disabled: {symbol: '⊘', color: 'gray'},
};

/** Component colours, assigned in config order; red and gray stay free for errors and quiet text. */
const COMPONENT_COLORS: readonly ColorName[] = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'white'];

/** The colour of a component, stable for a given config order. */
export function componentColor(names: readonly string[], name: string): ColorName {
	const index = names.indexOf(name);
	return COMPONENT_COLORS[(index < 0 ? hash(name) : index) % COMPONENT_COLORS.length]!;
}

function hash(text: string): number {
	let h = 0;
	for (const ch of text) {
		h = (h * 31 + ch.charCodeAt(0)) >>> 0;
	}

	return h;
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
