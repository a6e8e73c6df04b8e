// How the live dashboard paints (docs/decisions.md, "Colour in the dashboard"): colour follows the
// terminal, never CI variables; without colour (NO_COLOR, --no-color) the styles that carry meaning
// without it (bold, inverse, underline) still reach the screen, only the colours are taken out.

/** chalk's levels: 0 none, 1 16 colours, 2 256, 3 true colour. */
export type ChalkLevel = 0 | 1 | 2 | 3;

/** Node's colour depth (bits) as a chalk level. */
const LEVEL_OF_DEPTH: Record<number, ChalkLevel> = {1: 0, 4: 1, 8: 2, 24: 3};
/** Variables that name a CI service, not a terminal: a terminal on stdout means someone is watching. */
export const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * The level chalk paints at on `stream`. Colour on: what the terminal supports (TERM, COLORTERM,
 * FORCE_COLOR, as Node reads them) with CI variables left out. Colour off: level 1, so bold, inverse
 * and underline are still written and `monochrome` takes the colours out of the frames.
 */
export function chalkLevel(color: boolean, stream: Pick<NodeJS.WriteStream, 'getColorDepth'>, env: NodeJS.ProcessEnv = process.env): ChalkLevel {
	if (!color) {
		return 1;
	}

	const terminal = {...env};
	for (const name of [...CI_VARIABLES, 'NO_COLOR', 'NODE_DISABLE_COLORS']) {
		delete terminal[name];
	}

	// Colour was asked for (a terminal, or FORCE_COLOR): at least the 16 basic colours.
	return Math.max(1, LEVEL_OF_DEPTH[stream.getColorDepth(terminal)] ?? 1) as ChalkLevel;
}

/** SGR parameters that are styles, not colours: reset, bold, dim, italic, underline, blink, inverse, hidden, strike, their resets, overline. */
const STYLE_PARAMS = new Set([0, 1, 2, 3, 4, 5, 7, 8, 9, 21, 22, 23, 24, 25, 27, 28, 29, 53, 55]);
/** Extended colours: 38 (foreground), 48 (background), 58 (underline) followed by `5;n` or `2;r;g;b`. */
const EXTENDED = new Set([38, 48, 58]);
const SGR = /\u001B\[([\d;:]*)m/g;

/** One SGR sequence's parameters with every colour removed; '' when nothing is left. */
function keepStyles(params: string): string {
	if (params === '') {
		return '';
	}

	const kept: string[] = [];
	const parts = params.split(';');
	for (let i = 0; i < parts.length; i++) {
		const part = parts[i] ?? '';
		// `38:5:196` (colon form) is one part; `38;5;196` spans three.
		const n = Number(part.split(':')[0]);
		if (EXTENDED.has(n) && !part.includes(':')) {
			i += parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
		} else if (STYLE_PARAMS.has(n)) {
			kept.push(part);
		}
	}

	return kept.join(';');
}

/** `text` with colour SGR codes removed and style codes kept (a bare reset `ESC[m` stays a reset). */
export function stripColors(text: string): string {
	return text.replace(SGR, (sequence, params: string) => {
		if (params === '') {
			return sequence;
		}

		const kept = keepStyles(params);
		return kept === '' ? '' : `\u001B[${kept}m`;
	});
}

/** A view of `stream` whose writes carry no colour codes, for Ink's `stdout` option; everything else (size, resize events) is the stream's own. */
export function monochrome<T extends NodeJS.WriteStream>(stream: T): T {
	const write = (chunk: unknown, ...rest: unknown[]): boolean => (stream.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? stripColors(chunk) : chunk, ...rest);
	return new Proxy(stream, {
		get(target, property) {
			if (property === 'write') {
				return write;
			}

			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
