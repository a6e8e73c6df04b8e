// The log pane's model, pure: a bounded, time-ordered buffer, filters, search and a scroll window.
import {itemAt} from '../item-at.js';
import {safeText} from '../logs/sanitize.js';
import {cutUnits} from './cut-units.js';
import {shownText} from './line-view.js';
import {isErrorLine} from './theme.js';
import type {DashLine, IncomingLine} from './types.js';

/** Lines kept in memory: a few screens of history per component, bounded whatever the stack writes. */
export const LOG_CAPACITY = 10_000;
/** Evict in chunks so that adding a line stays O(1) amortised instead of shifting the array each time. */
const EVICT_CHUNK = 1000;
/** Longest text kept per line: one huge line must not hold megabytes in the buffer. */
export const MAX_LINE_CHARS = 2000;

/** A bounded buffer of lines sorted by (time, arrival): late lines are placed by their time. */
export class LogBuffer {
	/** Sorted by time, then seq. Read-only for callers. */
	lines: DashLine[] = [];
	/** The newest error line of each component, for the panels. */
	readonly lastError = new Map<string, DashLine>();
	/** Lines ever added (not the buffered count): lets views tell that something changed. */
	added = 0;
	private nextSeq = 0;

	constructor(readonly capacity = LOG_CAPACITY) {}

	/**
	 * Add lines in any order; each is placed by its time, equal times keep arrival order. A batch
	 * larger than the buffer (a burst read at once, in time order from the merge) keeps only its
	 * newest `capacity` lines, so a burst never allocates more than the buffer holds; its older
	 * error lines still count for the panels' last error.
	 */
	add(incoming: readonly IncomingLine[]): void {
		const skip = Math.max(0, incoming.length - this.capacity);
		for (const entry of incoming.slice(0, skip)) {
			if (isErrorLine(entry)) {
				this.noteError(this.number(entry));
			}
		}

		const {lines} = this;
		for (const entry of incoming.slice(skip)) {
			const line = this.number(entry);
			const last = lines.at(-1);
			if (last === undefined || last.time <= line.time) {
				lines.push(line);
			} else {
				lines.splice(upperBoundByTime(lines, line.time), 0, line);
			}

			if (isErrorLine(line)) {
				this.noteError(line);
			}
		}

		this.added += incoming.length;
		if (lines.length > this.capacity + EVICT_CHUNK) {
			lines.splice(0, lines.length - this.capacity);
		}
	}

	/**
	 * The buffer's own copy of a line: numbered, its text bounded and safe for the terminal (colour
	 * dropped: the pane colours by level and highlights matches; every other control shown escaped).
	 */
	private number(raw: IncomingLine): DashLine {
		const text = safeText(cutUnits(raw.text, MAX_LINE_CHARS), {color: false});
		return {time: raw.time, component: raw.component, stream: raw.stream, level: raw.level, text, seq: this.nextSeq++};
	}

	private noteError(line: DashLine): void {
		const previous = this.lastError.get(line.component);
		if (previous === undefined || previous.time <= line.time) {
			this.lastError.set(line.component, line);
		}
	}
}

/** First index whose time is greater than `timeMs` (binary search). */
function upperBoundByTime(lines: readonly DashLine[], timeMs: number): number {
	let lo = 0;
	let hi = lines.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (itemAt(lines, mid).time <= timeMs) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}

	return lo;
}

/** First index at or after the position (timeMs, seq). */
function lowerBound(lines: readonly DashLine[], timeMs: number, seq: number): number {
	let lo = 0;
	let hi = lines.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		const m = itemAt(lines, mid);
		if (m.time < timeMs || (m.time === timeMs && m.seq < seq)) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}

	return lo;
}

export type LogFilter = {component: string | null; errorsOnly: boolean; query?: string};

/** The lines that pass the filter (the same array when nothing is filtered); a query keeps only its matches. */
export function filterLines(lines: DashLine[], filter: LogFilter): DashLine[] {
	const needle = (filter.query ?? '').toLowerCase();
	if (filter.component === null && !filter.errorsOnly && needle === '') {
		return lines;
	}

	return lines.filter((l) => (filter.component === null || l.component === filter.component) && (!filter.errorsOnly || isErrorLine(l)) && (needle === '' || matches(l, needle)));
}

/** A line matches a lower-case needle in its text as stored, as shown (a JSON line's readable form) or its component's name. */
function matches(line: DashLine, needle: string): boolean {
	if (line.text.toLowerCase().includes(needle) || line.component.toLowerCase().includes(needle)) {
		return true;
	}

	const text = shownText(line);
	return text !== line.text && text.toLowerCase().includes(needle);
}

/** Indices of lines whose text contains `query`, case-insensitively. */
export function findMatches(lines: readonly DashLine[], query: string): number[] {
	if (query === '') {
		return [];
	}

	const needle = query.toLowerCase();
	const found: number[] = [];
	for (const [index, line] of lines.entries()) {
		if (matches(line, needle)) {
			found.push(index);
		}
	}

	return found;
}

/** Following the tail, or paused with a given line at the top of the pane. */
export type Scroll = {follow: true} | {follow: false; topTime: number; topSeq: number};
/** Following the tail: the pane shows the newest lines. */
export const FOLLOW: Scroll = {follow: true};

/** The slice of `lines` the pane shows: `height` lines from `start`. */
export function windowStart(lines: readonly DashLine[], scroll: Scroll, height: number): number {
	const last = Math.max(0, lines.length - height);
	if (scroll.follow) {
		return last;
	}

	return Math.min(lowerBound(lines, scroll.topTime, scroll.topSeq), last);
}

/** Pause with line `index` at the top; following again once the window reaches the end. */
export function scrollTo(lines: readonly DashLine[], index: number, height: number): Scroll {
	if (lines.length <= height || index >= lines.length - height) {
		return FOLLOW;
	}

	return pinned(lines, Math.max(0, index));
}

/** Pause at the top of the buffer, even when everything fits on one screen. */
export function scrollTop(lines: readonly DashLine[]): Scroll {
	return pinned(lines, 0);
}

/** Scroll by `delta` lines (negative: up). */
export function scrollBy(lines: readonly DashLine[], scroll: Scroll, height: number, delta: number): Scroll {
	const start = windowStart(lines, scroll, height);
	const target = Math.max(0, start + delta);
	return delta < 0 ? pinned(lines, target) : scrollTo(lines, target, height);
}

/** Scrolling up always pauses, even at the top of a short buffer. */
function pinned(lines: readonly DashLine[], index: number): Scroll {
	const top = lines[index];
	return top === undefined ? FOLLOW : {follow: false, topTime: top.time, topSeq: top.seq};
}

/** Put line `index` in view (a third from the top), for search jumps. */
export function reveal(lines: readonly DashLine[], index: number, height: number): Scroll {
	const target = Math.max(0, index - Math.floor(height / 3));
	return index >= lines.length - height ? FOLLOW : pinned(lines, target);
}

/** The match to jump to from `current` (a line seq), forwards or backwards, wrapping around. */
export function stepMatch(lines: readonly DashLine[], matches: readonly number[], currentSeq: number | null, from: number, forward: boolean): number | undefined {
	if (matches.length === 0) {
		return undefined;
	}

	const currentIndex = currentSeq === null ? -1 : lines.findIndex((l) => l.seq === currentSeq);
	const pivot = currentIndex >= 0 ? currentIndex : forward ? from - 1 : from + 1;
	if (forward) {
		return matches.find((m) => m > pivot) ?? matches[0];
	}

	return [...matches].reverse().find((m) => m < pivot) ?? matches.at(-1);
}
