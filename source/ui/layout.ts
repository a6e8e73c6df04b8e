// Pure layout arithmetic: how the frame's rows are shared, and when panels go side by side.
import {COMPACT_PANEL_HEIGHT, PANEL_HEIGHT} from './panels/component-panel.js';

/** Narrowest readable bordered panel; below n × this the panels stack. */
export const PANEL_MIN_WIDTH = 34;
/** Rows besides panels and log lines: title, log header, status line, footer. */
const CHROME_ROWS = 4;
/** The log pane keeps at least this many rows even on a short terminal. */
const MIN_LOG_ROWS = 3;

export type Layout = {wide: boolean; panelWidth: number; panelsHeight: number; logHeight: number; frameHeight: number; columns: number};

/** Ink redraws the whole screen when a frame is as tall as the terminal: keep it at rows - 1. */
export function computeLayout(columns: number, rows: number, componentCount: number): Layout {
	const frameHeight = Math.max(1, rows - 1);
	const n = Math.max(1, componentCount);
	const wide = columns >= n * PANEL_MIN_WIDTH;
	const panelWidth = wide ? Math.floor(columns / n) : columns;
	const panelsHeight = wide ? PANEL_HEIGHT : n * COMPACT_PANEL_HEIGHT;
	const logHeight = Math.max(MIN_LOG_ROWS, frameHeight - CHROME_ROWS - panelsHeight);
	return {wide, panelWidth, panelsHeight, logHeight, frameHeight, columns};
}
