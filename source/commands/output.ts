// Shared printing for the lifecycle verbs: colour choice and the lock wait (outcomes are worded in ../messages.ts).
import {colorEnabled, palette, type Palette} from '../colors.js';

/** Colours for stdout honouring --no-color, NO_COLOR, FORCE_COLOR and whether it is a terminal. */
export function colors(noColor: boolean | undefined): Palette {
	return palette(colorEnabled(noColor));
}

/** `waiting for pid 4121 (server start) …`: who holds the home's lock (SPEC 4.4). */
export function lockWaitLine(pid: number | null, verb: string | null): string {
	return `waiting for ${pid === null ? 'another stigmer' : `pid ${pid}`}${verb === null ? '' : ` (${verb})`} …`;
}
