// How long Ink takes to paint a frame, so log-driven repaints can back off under a flood of lines.

/** Floor between two log-driven repaints: 10 a second look live (STYLE habit 7). */
export const MIN_BATCH_MS = 100;
/** Ceiling: a line still reaches the screen well inside the 300 ms latency budget. */
export const MAX_BATCH_MS = 200;
/** Repaint at most this share of the time: a full 160×45 Ink frame costs ~40 ms of CPU. */
const MAX_PAINT_SHARE = 0.25;
/** Weight of the newest frame in the moving average. */
const SMOOTHING = 0.3;

let average = 0;

/** Record one frame's paint time (Ink's onRender renderTime). */
export function recordFrame(ms: number): void {
	average = average === 0 ? ms : average * (1 - SMOOTHING) + ms * SMOOTHING;
}

/** Minimum time between two log-driven repaints now. */
export function batchDelay(): number {
	return Math.min(MAX_BATCH_MS, Math.max(MIN_BATCH_MS, average / MAX_PAINT_SHARE));
}
