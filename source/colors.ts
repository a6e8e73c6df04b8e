// Terminal colours for the plain-text commands. Node's own util.styleText, not chalk: importing chalk
// costs ~25 ms, a sixth of what `status` may spend in all (issue 2 budget).
import {styleText} from 'node:util';

export const COLOR_NAMES = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'gray', 'bold', 'dim', 'inverse'] as const;
export type ColorName = (typeof COLOR_NAMES)[number];
export type Palette = Record<ColorName, (text: string) => string>;

/** Whether to colour a stream: never with --no-color or NO_COLOR; FORCE_COLOR forces; else only terminals. */
export function colorEnabled(noColorFlag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
	if (noColorFlag || (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '')) {
		return false;
	}

	const force = process.env['FORCE_COLOR'];
	if (force !== undefined) {
		return force !== '0' && force !== 'false';
	}

	return stream.isTTY === true && process.env['TERM'] !== 'dumb';
}

/** A palette that colours, or one that returns text unchanged. */
export function palette(enabled: boolean): Palette {
	const entries = COLOR_NAMES.map((name) => [name, enabled ? (text: string) => styleText(name, text) : (text: string) => text] as const);
	return Object.fromEntries(entries) as Palette;
}
