// Pure layout arithmetic: how the frame's rows are shared, and when panels go side by side.

/** Rows a wide panel takes, borders included (the layout reserves them; the panel draws to it). */
export const PANEL_HEIGHT = 8;
/** Rows a narrow (stacked) panel takes. */
export const COMPACT_PANEL_HEIGHT = 2;
/** Narrowest readable bordered panel; below n × this the panels stack. */
export const PANEL_MIN_WIDTH = 34;
/** Rows besides panels and log lines: title, log header, status line, footer. */
const CHROME_ROWS = 4;
/** The log pane keeps at least this many rows even on a short terminal. */
const MIN_LOG_ROWS = 3;

export type Layout = {
	wide: boolean;
	panelWidth: number;
	panelsHeight: number;
	/** How many panels fit; on a short terminal a window of them follows the selection. */
	panelSlots: number;
	logHeight: number;
	frameHeight: number;
	columns: number;
};

/** Ink redraws the whole screen when a frame is as tall as the terminal: keep it at rows - 1. */
export function computeLayout(columns: number, rows: number, componentCount: number): Layout {
	const frameHeight = Math.max(1, rows - 1);
	const n = Math.max(1, componentCount);
	const spare = frameHeight - CHROME_ROWS - MIN_LOG_ROWS;
	const wide = columns >= n * PANEL_MIN_WIDTH && spare >= PANEL_HEIGHT;
	const panelSlots = wide ? n : Math.max(1, Math.min(n, Math.floor(spare / COMPACT_PANEL_HEIGHT)));
	const panelWidth = wide ? Math.floor(columns / n) : columns;
	const panelsHeight = wide ? PANEL_HEIGHT : panelSlots * COMPACT_PANEL_HEIGHT;
	const logHeight = Math.max(MIN_LOG_ROWS, frameHeight - CHROME_ROWS - panelsHeight);
	return {wide, panelWidth, panelsHeight, panelSlots, logHeight, frameHeight, columns};
}

/** The first of `slots` consecutive panels to show so that `selected` is among them. */
export function panelWindow(count: number, slots: number, selected: number): number {
	if (slots >= count) {
		return 0;
	}

	return Math.min(Math.max(0, selected - Math.floor(slots / 2)), count - slots);
}
