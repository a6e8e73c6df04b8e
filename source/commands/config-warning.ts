// The one line on stderr that names a broken config.yaml (docs/config.md: stop, status, logs and dash go on with the
// last valid one). Apart from output.ts so that `dash` can hand it to the interactive dashboard without loading the engine.
import {safeText} from '../logs/sanitize.js';

export function configWarning(message: string): void {
	process.stderr.write(`stigmer: warning: ${safeText(message, {color: false})}\n`);
}
