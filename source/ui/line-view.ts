// What the dashboard shows of a log line, pure: its readable form in the pane, and the whole line
// (pretty-printed, wrapped) when opened with Enter. Every string returned is safe for the terminal.
import {isoAt, parsed} from '../logs/parse-times.js';
import {looksStructured, prettyLine, readableLine} from '../logs/readable.js';
import {safeText} from '../logs/sanitize.js';
import {chunks} from './clip.js';
import type {DashLine} from './types.js';

/**
 * Readable text of JSON lines, made once per line when first shown or searched and dropped with the
 * line (a WeakMap: no field on every buffered line, and an evicted line takes its entry with it).
 */
const shown = new WeakMap<DashLine, string>();

/** The text the pane shows for a line: a JSON line's `LEVEL message key=value…`, any other line as buffered. */
export function shownText(line: DashLine): string {
	if (!looksStructured(line.text)) {
		return line.text;
	}

	let text = shown.get(line);
	if (text === undefined) {
		// The buffered text is already safe; decoding JSON can bring escapes back, so sanitise again.
		text = safeText(readableLine(line.text), {color: false});
		shown.set(line, text);
	}

	return text;
}

/**
 * What the pane's row shows after its time column: `shownText` without the line's own leading timestamp when
 * that is the very time the column shows (`2026-12-07T02:19:12.450Z stigmer: …` → `stigmer: …`). `Enter` keeps it whole.
 */
export function paneText(line: DashLine): string {
	const text = shownText(line);
	const end = isoAt(text, 0);
	if (end < 0 || Math.abs(parsed.time - line.time) >= 1) {
		return text;
	}

	let from = end;
	while (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9) {
		from++;
	}

	return from >= text.length ? text : text.slice(from);
}

/** The screen rows of a line opened whole: JSON pretty-printed, every row cut to `width` columns. */
export function openedRows(line: DashLine, width: number): string[] {
	return prettyLine(line.text)
		.split('\n')
		.flatMap((row) => chunks(safeText(row, {color: false}), width));
}
