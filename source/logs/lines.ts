// Bytes to lines: split on \n, drop a trailing \r, decode UTF-8 (invalid bytes become U+FFFD),
// drop NUL bytes (the hole a copy-truncate leaves before a writer's next line), bound the length.
import type {Stream} from '../paths.js';
import {lastLevel, lastTime, parseInto} from './parse.js';

/** One line as the engine hands it out (docs/logs.md `--json` fields). */
export type LogLine = {
	/** Effective time, epoch ms (sub-ms kept when the line had it). */
	time: number;
	/** True when the line has no time of its own and took its neighbour's. */
	inherited: boolean;
	component: string;
	stream: Stream;
	/** Lower-case canonical level, or null. */
	level: string | null;
	text: string;
};

/** Longest line text kept; the rest is cut with a marker, so one runaway line cannot exhaust memory or the screen. */
export const MAX_LINE_BYTES = 1024 * 1024;

const NUL = /\0/g;

/** The text of bytes [start, end) of a line (end excludes the \n; a \r before it is dropped); `dropped` bytes were already cut by the caller. */
export function decodeLine(buf: Buffer, start: number, end: number, dropped = 0): string {
	return decodeText(buf, start, end > start && buf[end - 1] === 13 ? end - 1 : end, dropped);
}

/** The text of bytes [start, end) exactly (the merge kernel has already dropped the line's \r). */
export function decodeText(buf: Buffer, start: number, end: number, dropped = 0): string {
	let cut = dropped;
	if (end - start > MAX_LINE_BYTES) {
		cut += end - start - MAX_LINE_BYTES;
		end = start + MAX_LINE_BYTES;
	}

	let text = buf.toString('utf8', start, end);
	if (text.includes('\0')) {
		text = text.replace(NUL, '');
	}

	return cut > 0 ? `${text}… [${cut} more bytes cut]` : text;
}

/** A decoded line with what it says about itself. */
export type RawLine = {text: string; own: number; level: string | null};

/** Line boundaries of buf[from, to): [start, end) of each line (end excludes the \n). */
function lineBounds(buf: Buffer, from: number, to: number): Array<[start: number, end: number]> {
	const bounds: Array<[number, number]> = [];
	let start = from;
	while (start < to) {
		let nl = buf.indexOf(10, start);
		if (nl < 0 || nl >= to) {
			nl = to;
		}

		bounds.push([start, nl]);
		start = nl + 1;
	}

	return bounds;
}

/**
 * lineBounds of buf[from, to) newest first, found only as far as the caller takes them: a tail of 100 lines
 * looks for 100 newlines, not for all ~1,000 of its 64 KiB block (bench/dash.bench.mjs, `dash --once`).
 */
export function* lineBoundsBackward(buf: Buffer, from: number, to: number): Generator<[start: number, end: number]> {
	if (to <= from) {
		return;
	}

	// The last line's own \n ends it; no empty line follows it.
	let end = buf[to - 1] === 10 ? to - 1 : to;
	for (;;) {
		const nl = end > from ? buf.lastIndexOf(10, end - 1) : -1;
		const start = nl < from ? from : nl + 1;
		yield [start, end];
		if (start === from) {
			return;
		}

		end = nl;
	}
}

/** Decode and parse one line, buf[start, end). */
export function parseLine(buf: Buffer, start: number, end: number): RawLine {
	const text = decodeLine(buf, start, end);
	parseInto(text);
	return {text, own: lastTime(), level: lastLevel()};
}

/** Parse the complete lines of buf[from, to) (to is just after a \n, or the end of a finished file). */
export function parseLines(buf: Buffer, from: number, to: number): RawLine[] {
	return lineBounds(buf, from, to).map(([start, end]) => parseLine(buf, start, end));
}

/**
 * Give every line an effective time (docs/logs.md): a line without one keeps the time of the line before
 * it; lines before the first timestamp take that first timestamp, or `fallback` when there is none.
 * `before` is the time of the line preceding these in the same file (NaN if unknown).
 */
export function resolveTimes(lines: RawLine[], component: string, stream: Stream, before: number, fallback: number): LogLine[] {
	let current = before;
	if (Number.isNaN(current)) {
		const first = lines.find((l) => !Number.isNaN(l.own));
		current = first ? first.own : fallback;
	}

	return lines.map((l) => {
		const inherited = Number.isNaN(l.own);
		if (!inherited) {
			current = l.own;
		}

		return {time: current, inherited, component, stream, level: l.level, text: l.text};
	});
}

/**
 * Effective times of lines read while following (docs/logs.md): a line without a time takes the time
 * it arrived, `now` — never earlier than the line before it in its file, so a stack trace stays under
 * a parent stamped a little ahead of this clock. `before` is that previous line's time (NaN if unknown).
 */
export function stampArrivals(lines: RawLine[], component: string, stream: Stream, before: number, now: number): LogLine[] {
	let current = before;
	return lines.map((l) => {
		const inherited = Number.isNaN(l.own);
		current = inherited ? (Number.isNaN(current) ? now : Math.max(now, current)) : l.own;
		return {time: current, inherited, component, stream, level: l.level, text: l.text};
	});
}
