// Shared printing for the lifecycle verbs: colour choice (every sentence is worded in ../messages.ts).
import {colorEnabled, palette, type Palette} from '../colors.js';
import {onConfigFallback} from '../config/index.js';
import {safeText} from '../logs/sanitize.js';

/** Colours for stdout honouring --no-color, NO_COLOR, FORCE_COLOR and whether it is a terminal. */
export function colors(noColor: boolean | undefined): Palette {
	return palette(colorEnabled(noColor));
}

/** A broken config.yaml, once, as one line on stderr: stop, status, logs and dash go on with the last valid one. */
export function warnOnConfigFallback(): void {
	onConfigFallback((message) => {
		process.stderr.write(`stigmer: warning: ${safeText(message, {color: false})}\n`);
	});
}
