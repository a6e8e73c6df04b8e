// The interactive dashboard's entry: owns the terminal (alternate screen, cursor) and the exit.
import {writeFileSync} from 'node:fs';
import chalk from 'chalk';
import {render} from 'ink';
import {App} from './app.js';
import {chalkLevel, monochrome} from './color-mode.js';
import {recordFrame} from './frame-cost.js';
import {liveDeps} from './live-deps.js';
import type {DashDeps} from './types.js';
import type {Home} from '../paths.js';

/** The alternate screen keeps the user's scrollback intact; written by hand (Ink 6 has no option). */
const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
/** Bracketed paste: the terminal marks a paste, so a pasted newline is text in the search box, not Enter (presses.ts). */
const PASTE_MARKS_ON = '\u001B[?2004h';
const PASTE_MARKS_OFF = '\u001B[?2004l';

/** Run until q / Ctrl-C / SIGTERM; never stops the stack. `color`: paint colours (else styles only). Returns the exit code (0). */
export async function runDashboard(home: Home, {color}: {color: boolean}, deps: DashDeps = liveDeps(home)): Promise<number> {
	const out = process.stdout;
	// chalk's own guess reads CI variables and --no-color as "no styles at all" (docs/decisions.md).
	chalk.level = chalkLevel(color, out);
	out.write(`${ENTER_ALT_SCREEN}${PASTE_MARKS_ON}`);
	let restored = false;
	const restore = () => {
		if (!restored) {
			restored = true;
			out.write(`${PASTE_MARKS_OFF}${LEAVE_ALT_SCREEN}${SHOW_CURSOR}`);
		}
	};

	let frames = 0;
	let paintMs = 0;
	const instance = render(<App deps={deps} />, {
		stdout: color ? out : monochrome(out),
		exitOnCtrlC: false,
		patchConsole: true,
		onRender({renderTime}) {
			recordFrame(renderTime);
			frames++;
			paintMs += renderTime;
		},
	});
	const onSignal = () => {
		instance.unmount();
	};

	// SIGINT arrives only when stdin is not in raw mode (no terminal on stdin); in raw mode Ctrl-C is a key.
	// SIGHUP (the terminal closed) keeps its default action: there is no screen left to restore, and a
	// process that outlives its terminal and exits normally trips Node's tty reset (EIO).
	process.once('SIGTERM', onSignal);
	process.once('SIGINT', onSignal);
	// Writes to a terminal that went away fail with EIO/EPIPE; that must not turn into a crash report.
	out.on('error', () => {});
	try {
		await instance.waitUntilExit();
	} finally {
		process.off('SIGTERM', onSignal);
		process.off('SIGINT', onSignal);
		instance.cleanup();
		restore();
		const statsFile = process.env['STIGMER_DASH_STATS'];
		if (statsFile) {
			// For benchmarks: how many frames Ink painted and what they cost.
			writeFileSync(statsFile, `${JSON.stringify({frames, paintMs: Math.round(paintMs), avgPaintMs: frames === 0 ? 0 : paintMs / frames, memory: (globalThis.gc?.(), process.memoryUsage())})}\n`);
		}
	}

	return 0;
}
