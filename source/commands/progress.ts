// What `server start` and `server stop` show while they work (docs/lifecycle.md#start step 6, 4.5): each stop line as that component
// stops and each ✓ line as soon as it is ready, and on a terminal one live line for what is still awaited, redrawn at
// most 10 times a second.
import type {Palette} from '../colors.js';
import type {EngineEvent} from '../engine/types.js';
import {cleanupLines, dependencyLine, lockWaitText, readyLine, stopLine} from '../messages.js';

/** Redraw period of the live line: 10 per second at most (STYLE: batch what streams). */
const LIVE_REDRAW_MS = 100;
/** Frames of the live line's spinner. */
const SPINNER = ['◐', '◓', '◑', '◒'] as const;
/** Width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;
/** Erase the cursor's line and return to its start. */
const CLEAR_LINE = '\r\u001B[2K';

export type Progress = {
	/** Feed it the engine's events. */
	onEvent: (event: EngineEvent) => void;
	/** Stop the live line and erase it: call before printing anything else and at exit. */
	close: () => void;
};

/** The one live row under the ✓ lines: the first component still awaited, a spinner and its wait; drawn only on a terminal. */
function liveLine(out: NodeJS.WriteStream, c: Palette) {
	const live = out.isTTY === true;
	const awaited = new Map<string, {label: string; since: number}>();
	let width = 0;
	let shown = false;
	let frame = 0;
	let timer: NodeJS.Timeout | undefined;

	const clear = () => {
		if (shown) {
			out.write(CLEAR_LINE);
			shown = false;
		}
	};

	const draw = () => {
		const first = awaited.entries().next();
		if (first.done) {
			clear();
			return;
		}

		const [name, {label, since}] = first.value;
		const more = awaited.size > 1 ? `  (+${awaited.size - 1} more)` : '';
		const text = `${SPINNER[frame++ % SPINNER.length]} ${name.padEnd(width)}  waiting for ${label}  ${((Date.now() - since) / 1000).toFixed(1)}s${more}`;
		// One row only: a wrapped line could not be erased with one CLEAR_LINE.
		// A terminal of unknown size (0 columns, as under script(1)) is taken as 80 wide.
		const columns = Math.max(10, (out.columns || DEFAULT_COLUMNS) - 1);
		out.write(`${CLEAR_LINE}${c.cyan(text.length > columns ? `${text.slice(0, columns - 1)}…` : text)}`);
		shown = true;
	};

	const tick = () => {
		if (!live) {
			return;
		}

		if (awaited.size === 0) {
			clearInterval(timer);
			timer = undefined;
			clear();
			return;
		}

		// The timer is the only painter after the first draw: at most 10 draws a second, whatever the events do.
		// After a ✓ line the live line comes back on the next tick.
		if (timer === undefined) {
			timer = setInterval(draw, LIVE_REDRAW_MS);
			draw();
		}
	};

	return {
		/** The width names are padded to, for the ✓ lines too. */
		get width() {
			return width;
		},
		widen(names: string[]) {
			width = Math.max(width, ...names.map((name) => name.length));
		},
		wait(name: string, label: string) {
			awaited.set(name, {label, since: Date.now()});
			tick();
		},
		done(name: string) {
			awaited.delete(name);
			tick();
		},
		clear,
		close() {
			clearInterval(timer);
			timer = undefined;
			clear();
		},
	};
}

/** Print an action's progress: cleanup, stop and ✓ lines on `out` as they happen, the lock wait on `err`; the live line only when `out` is a terminal. */
export function startProgress(out: NodeJS.WriteStream, err: NodeJS.WriteStream, c: Palette): Progress {
	const row = liveLine(out, c);
	const print = (stream: NodeJS.WriteStream, line: string) => {
		row.clear();
		stream.write(`${line}\n`);
	};

	return {
		onEvent(event) {
			switch (event.type) {
				case 'plan': {
					row.widen(event.components);
					break;
				}

				case 'lock-wait': {
					print(err, lockWaitText(event));
					break;
				}

				case 'cleanup': {
					for (const line of cleanupLines([{component: event.component, pids: [...event.pids].sort((a, b) => a - b)}])) {
						print(out, line);
					}

					break;
				}

				case 'stopped': {
					print(out, stopLine(event.outcome, c));
					break;
				}

				case 'dependency': {
					print(out, dependencyLine(event));
					break;
				}

				case 'spawned': {
					row.wait(event.component, event.awaiting);
					break;
				}

				case 'ready': {
					print(out, readyLine(event.component, event.pid, event.readyMs, row.width, c, event.address));
					row.done(event.component);
					break;
				}

				case 'failed': {
					row.done(event.failure.name);
					break;
				}

				default: {
					break;
				}
			}
		},
		close: row.close,
	};
}
