// How a line is shown (docs/logs.md): `HH:MM:SS.mmm component[stream] text` in local time, coloured by
// component, stderr and error levels marked; or the `--json` object.
import type {LogLine} from './lines.js';
import {isErrorLevel} from './parse.js';
import {readableLine} from './readable.js';
import {safeText, stripColor} from './sanitize.js';

/** Component colours by name (as Ink names them) with their ANSI foreground codes: distinct, readable on dark and light terminals. */
const PALETTE = [
	['cyan', 36],
	['magenta', 35],
	['blue', 34],
	['green', 32],
	['yellow', 33],
	['cyanBright', 96],
	['magentaBright', 95],
	['blueBright', 94],
	['greenBright', 92],
	['yellowBright', 93],
] as const;

export type ComponentColorName = (typeof PALETTE)[number][0];
const RESET = '\u001B[0m';
const DIM = '\u001B[2m';
const RED = '\u001B[31m';
const YELLOW = '\u001B[33m';

const colourCache = new Map<string, (typeof PALETTE)[number]>();

function paletteEntry(component: string): (typeof PALETTE)[number] {
	let entry = colourCache.get(component);
	if (entry === undefined) {
		let hash = 0;
		for (let i = 0; i < component.length; i++) {
			hash = (hash * 31 + component.charCodeAt(i)) >>> 0;
		}

		entry = PALETTE[hash % PALETTE.length]!;
		colourCache.set(component, entry);
	}

	return entry;
}

/** The colour name of a component (the dashboard's): a stable hash of its name, so every view agrees. */
export function componentColorName(component: string): ComponentColorName {
	return paletteEntry(component)[0];
}

/** The ANSI colour escape of the same colour, for `server logs`. */
export function componentColor(component: string): string {
	return `\u001B[${paletteEntry(component)[1]}m`;
}

let clockMinute = Number.NaN;
let clockPrefix = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:SS.mmm` in local time (TZ respected); the hour and minute are cached per minute. */
export function clockTime(time: number): string {
	const minute = Math.floor(time / 60_000);
	if (minute !== clockMinute) {
		const d = new Date(minute * 60_000);
		clockMinute = minute;
		clockPrefix = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:`;
	}

	const rest = Math.floor(time - minute * 60_000);
	const sec = Math.floor(rest / 1000);
	const ms = rest % 1000;
	return `${clockPrefix}${pad2(sec)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

/**
 * `HH:MM:SS.mmm component[stream] text`, coloured by component when color is true; with `readable` (a
 * person at a terminal) a JSON line's text as `LEVEL message key=value…` (readable.ts); the text made
 * safe for a terminal (sanitize.ts) after that.
 */
export function formatLine(line: LogLine, options: {color: boolean; readable?: boolean}): string {
	const safe = safeText(options.readable === true ? readableLine(line.text) : line.text, options);
	if (!options.color) {
		return `${clockTime(line.time)} ${line.component}[${line.stream}] ${safe}`;
	}

	const stream = line.stream === 'stderr' ? `${RED}[stderr]${RESET}` : `${DIM}[stdout]${RESET}`;
	const text = isErrorLevel(line.level) ? `${RED}${safe}${RESET}` : line.level === 'warn' ? `${YELLOW}${safe}${RESET}` : safe;
	return `${DIM}${clockTime(line.time)}${RESET} ${componentColor(line.component)}${line.component}${RESET}${stream} ${text}`;
}

/** The `--json` object of docs/logs.md: {time (ISO UTC ms), inherited, component, stream, level, text (without colour sequences)}. */
export function toJson(line: LogLine): Record<string, unknown> {
	return {
		time: new Date(Math.floor(line.time)).toISOString(),
		inherited: line.inherited,
		component: line.component,
		stream: line.stream,
		level: line.level,
		text: stripColor(line.text),
	};
}
