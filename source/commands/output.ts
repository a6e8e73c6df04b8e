// Shared printing for the lifecycle verbs: colour choice (every sentence is worded in ../messages.ts).
import {colorEnabled, palette, type Palette} from '../colors.js';
import {onConfigFallback} from '../config/index.js';
import {configWarning} from './config-warning.js';
import type {EngineWarning} from '../engine/types.js';
import {safeText} from '../logs/sanitize.js';
import {warningText} from '../messages.js';

/** Colours for stdout honouring --no-color, NO_COLOR, FORCE_COLOR and whether it is a terminal. */
export function colors(noColor: boolean | undefined): Palette {
	return palette(colorEnabled(noColor));
}

/** A broken config.yaml, once, as one line on stderr: stop, status, logs and dash go on with the last valid one. */
export function warnOnConfigFallback(): void {
	onConfigFallback(configWarning);
}

/** Lines already printed by printWarnings: `server run` acts more than once, and says each thing once per process. */
const warned = new Set<string>();

/** An engine result's warnings (facts), worded, one line each on stderr, each once per process. */
export function printWarnings(result: {warnings?: EngineWarning[]}): void {
	for (const warning of result.warnings ?? []) {
		const line = `stigmer: warning: ${safeText(warningText(warning), {color: false})}\n`;
		if (!warned.has(line)) {
			warned.add(line);
			process.stderr.write(line);
		}
	}
}

/** A status report as `--json` prints it (docs/json.md): its warnings go to stderr, not into the document. */
export function reportJson<T extends {warnings?: EngineWarning[]}>(report: T): Omit<T, 'warnings'> {
	const {warnings: _warnings, ...shown} = report;
	return shown;
}
