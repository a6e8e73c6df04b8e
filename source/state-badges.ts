// How each component state looks, in `server status`, the dashboard's panels and `dash --once`.
import type {ColorName} from './colors.js';
import type {ComponentState} from './engine/types.js';

/** The colours a state or a level is marked with: names both the CLI palette and Ink's <Text color> understand. */
export type BadgeColor = Extract<ColorName, 'green' | 'yellow' | 'red' | 'gray'>;

/** A state's symbol and colour: symbols keep the badge readable without colour (NO_COLOR). */
export const BADGES: Record<ComponentState, {symbol: string; color: BadgeColor}> = {
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
