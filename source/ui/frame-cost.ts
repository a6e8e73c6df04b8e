// How long Ink takes to paint a frame, so log-driven repaints can back off under a flood of lines.

/** Floor between two log-driven repaints: 10 a second look live (STYLE habit 7). */
export const MIN_BATCH_MS = 100;
/** Ceiling: a line still reaches the screen well inside the 300 ms latency budget (p95). */
export const MAX_BATCH_MS = 220;
/**
 * Ink's measured paint (output generation) is about half of a frame's real cost (React, GC, the
 * terminal write); spending at most ~10 % of the time painting keeps a flood of lines near a
 * quarter of a core instead of half (bench/dash.bench.mjs).
 */
const MAX_PAINT_SHARE = 0.1;
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
