// `-n N` / `--since` (docs/logs.md): read each file backwards from its end in growing blocks, newest file
// first, only as far as the request needs; time and memory follow N, not the file size.
import fs from 'node:fs';
import {readRange} from '../read-range.js';
import {openLog, type Source} from './files.js';
import {lineBoundsBackward, parseLine, resolveTimes, type LogLine, type RawLine} from './lines.js';
import {mergeSources} from './merge.js';
import {readRunsBack, RunPlacer, type Run} from './runs.js';
import {LineFilter, type FilterSpec} from './filter.js';

/** Where reading stopped in a live file: following starts exactly here, so nothing is lost or repeated. */
export type FilePosition = {path: string; dev: number; ino: number; offset: number; lastTime: number};
/** Positions by live file path. */
export type Positions = Map<string, FilePosition>;

/** First backward read: holds ~50 typical lines, so the default tail costs one read per file. */
const TAIL_BLOCK = 64 * 1024;
/** Each further read grows the window this many times, so the total read stays within 4/3 of the final window. */
const GROWTH = 4;
/**
 * How far past the N lines we look back for a timestamp to give untimed lines (a long stack trace);
 * beyond it they take the file's modification time instead of reading a whole file.
 */
const MAX_TIME_LOOKBACK = 4 * 1024 * 1024;

/** A filtered tail whose lines lie further back than its reading budget (`maxWindow`): the caller reads forward instead. */
export class TooFarBack extends Error {}

/** The lines read from a file's end, their byte offsets, and the offset just after its last complete line. */
type FileTail = {lines: RawLine[]; offsets: number[]; end: number};

/**
 * The last lines of one file up to `size`: at least `need` (0 = all) and back past `sinceMs`, plus
 * enough before them to find the timestamp that untimed lines among them inherit. Lines are decoded
 * and parsed from the end and only as far as that, so `-n 50` parses about 50 lines per file.
 */
function tailOfFile(fd: number, size: number, live: boolean, need: number, sinceMs: number | undefined, counts: (line: RawLine) => boolean, maxWindow: number): FileTail {
	let window = TAIL_BLOCK;
	for (;;) {
		if (window > maxWindow && size > maxWindow) {
			throw new TooFarBack();
		}

		const start = Math.max(0, size - window);
		const buf = readRange(fd, start, size);
		const from = start === 0 ? 0 : buf.indexOf(10) + 1;
		// A live file's last line without its \n is still being written: hold it back for follow.
		const to = live ? buf.lastIndexOf(10) + 1 : buf.length;
		if (start > 0 && (from === 0 || to <= from)) {
			window *= GROWTH;
			continue;
		}

		const end = start + Math.max(from, to);
		const lines: RawLine[] = [];
		const offsets: number[] = [];
		let counted = 0;
		let satisfied = false;
		for (const [lineStart, lineEnd] of lineBoundsBackward(buf, from, Math.max(from, to))) {
			const line = parseLine(buf, lineStart, lineEnd);
			lines.push(line);
			offsets.push(start + lineStart);
			if (counts(line)) {
				counted++;
			}

			const {own} = line;
			if (Number.isNaN(own)) {
				continue;
			}

			if (sinceMs !== undefined && own < sinceMs) {
				satisfied = true;
				break;
			}

			if (need > 0 && counted >= need) {
				satisfied = true;
				break;
			}
		}

		lines.reverse();
		offsets.reverse();
		if (start === 0 || satisfied || (need > 0 && counted >= need && window > MAX_TIME_LOOKBACK)) {
			return {lines, offsets, end};
		}

		window *= GROWTH;
	}
}

/** Lines without a time of their own (file order, offsets given) take their place in their run (runs.ts). */
function placeInRuns(lines: LogLine[], offsets: number[], runs: Run[]): void {
	if (runs.length === 0) {
		return;
	}

	const placer = new RunPlacer(runs);
	for (const [i, line] of lines.entries()) {
		const time = placer.place(offsets[i] ?? 0, line.inherited ? Number.NaN : line.time);
		if (line.inherited && !Number.isNaN(time)) {
			line.time = time;
		}
	}
}

/** One source's last lines (all when need is 0), newest file first until satisfied; records the live file's position. */
function tailOfSource(source: Source, need: number, sinceMs: number | undefined, filter: LineFilter | null, positions: Positions, maxWindow: number): LogLine[] {
	// Lines a filter surely drops are not counted towards N (a stack-trace line under a kept error may be kept too: counting it is not needed).
	const counts = filter === null ? () => true : (l: RawLine) => filter.levelPasses(l.level, false, false) && filter.matches(l.text);
	const parts: LogLine[][] = [];
	let count = 0;
	const files = [source.live, ...[...source.rotated].reverse()];
	for (const file of files) {
		const live = file === source.live;
		let fd: number;
		try {
			fd = openLog(file);
		} catch {
			continue;
		}

		try {
			const stat = fs.fstatSync(fd);
			const tail = tailOfFile(fd, stat.size, live, need === 0 ? 0 : need - count, sinceMs, counts, maxWindow);
			let lines = resolveTimes(tail.lines, source.component, source.stream, Number.NaN, stat.mtimeMs);
			placeInRuns(lines, tail.offsets, readRunsBack(file, source.stream, tail.offsets[0] ?? tail.end));
			if (live) {
				const last = lines.at(-1);
				positions.set(file, {path: file, dev: stat.dev, ino: stat.ino, offset: tail.end, lastTime: last ? last.time : Number.NaN});
			}

			if (filter !== null) {
				lines = lines.filter((l) => filter.keep(file, l));
			}

			parts.unshift(lines);
			count += lines.length;
			const crossedSince = sinceMs !== undefined && tail.lines.some((l) => !Number.isNaN(l.own) && l.own < sinceMs);
			if ((need > 0 && count >= need) || crossedSince) {
				break;
			}
		} finally {
			fs.closeSync(fd);
		}
	}

	let lines = parts.flat();
	if (sinceMs !== undefined) {
		lines = lines.filter((l) => l.time >= sinceMs);
	}

	return need > 0 && lines.length > need ? lines.slice(-need) : lines;
}

/**
 * The last `tail` lines (0 = all) of the merged sources (only those `filter` keeps), and where each
 * live file's read ended; throws TooFarBack when a file would be read further back than `maxWindow`.
 */
export function readMergedAt(sources: Source[], options: {tail: number; sinceMs?: number; filter?: FilterSpec; maxWindow?: number}): {lines: LogLine[]; positions: Positions} {
	const positions: Positions = new Map();
	const filter = options.filter === undefined ? null : new LineFilter(options.filter);
	const maxWindow = options.maxWindow ?? Number.POSITIVE_INFINITY;
	const perSource = sources.map((s) => tailOfSource(s, options.tail, options.sinceMs, filter !== null && filter.none ? null : filter, positions, maxWindow));
	const merged = mergeSources(perSource);
	return {lines: options.tail > 0 && merged.length > options.tail ? merged.slice(-options.tail) : merged, positions};
}

/** The end of each selected live file now: following from here shows exactly the lines written from this moment on (`server run`). */
export function endPositions(sources: Source[]): Positions {
	const positions: Positions = new Map();
	for (const source of sources) {
		try {
			const stat = fs.statSync(source.live);
			if (stat.isFile()) {
				positions.set(source.live, {path: source.live, dev: stat.dev, ino: stat.ino, offset: stat.size, lastTime: Number.NaN});
			}
		} catch {} // Not there yet: a file that appears later is followed from its first byte.
	}

	return positions;
}
