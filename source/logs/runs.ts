// Which run of its component wrote a line (docs/logs.md, "Lines without a time"): the supervisor appends
// to data/logs/<component>.runs, at each spawn and exit, `<epoch ms> spawn|exit <size of .log> <size of .err>`
// (rotated with the logs, under the same stamp). A line without a time at byte offset X of a file belongs
// to the run whose [spawn size, exit size) holds X: it keeps the time of the line before it in that run,
// else the run's spawn time, and never leaves [spawn time, exit time].
import fs from 'node:fs';
import path from 'node:path';
import type {Stream} from '../paths.js';
import {readRange} from '../read-range.js';
import {openLog} from './files.js';

/** One run's span in one stream's file: bytes [from, to) written between spawnAt and exitAt. */
export type Run = {from: number; to: number; spawnAt: number; exitAt: number};

/** First backward read of a .runs file: ~90 records, so a tail costs one read. */
const RUNS_BLOCK = 4 * 1024;
/** Most of a .runs file ever read (~350,000 runs): older runs are not placed, their lines keep the file's order of times. */
const MAX_RUNS_BYTES = 16 * 1024 * 1024;
const RECORD = /^(\d{1,15}) (spawn|exit) (\d{1,15}) (\d{1,15})$/;

/** The .runs file recorded beside a log file (live or rotated), or undefined for a name that has none (legacy daemon.log). */
export function runsFileOf(logFile: string): string | undefined {
	const m = /^(.+)\.(?:log|err)(\.\d{8}T\d{6}Z(?:-\d+)?)?$/.exec(path.basename(logFile));
	if (!m || m[1] === 'daemon') {
		return undefined;
	}

	return path.join(path.dirname(logFile), `${m[1]}.runs${m[2] ?? ''}`);
}

/** Runs of one stream from .runs text (whole records only; anything malformed is skipped), in file order. */
export function parseRuns(text: string, stream: Stream): Run[] {
	const runs: Run[] = [];
	let open: Run | undefined;
	const column = stream === 'stdout' ? 3 : 4;
	for (const line of text.split('\n')) {
		const m = RECORD.exec(line);
		if (!m) {
			continue;
		}

		const at = Number(m[1]);
		const size = Number(m[column]);
		if (m[2] === 'spawn') {
			const last = runs.at(-1);
			if (last && size < (open === last ? last.from : last.to)) {
				// The file shrank (truncated by hand, or copy-truncated): the runs before describe bytes it no longer holds.
				runs.length = 0;
				open = undefined;
			}

			if (open) {
				// A spawn with no exit before it (its supervisor was killed): that run ended here.
				open.to = Math.max(open.from, size);
				open.exitAt = Math.max(open.spawnAt, at);
			}

			open = {from: size, to: Number.POSITIVE_INFINITY, spawnAt: at, exitAt: Number.POSITIVE_INFINITY};
			runs.push(open);
		} else if (open) {
			open.to = Math.max(open.from, size);
			open.exitAt = Math.max(open.spawnAt, at);
			open = undefined;
		}
	}

	return runs;
}

/** Every run recorded for a log file (the last MAX_RUNS_BYTES of its .runs); [] when there is none. */
export function readRuns(logFile: string, stream: Stream): Run[] {
	return readRunsBack(logFile, stream, 0);
}

/**
 * The runs of a log file that reach past byte `from`, reading the .runs file backwards only until the
 * run holding `from` (a tail of `-n 50` reads a few records, however long the component crash-looped).
 */
export function readRunsBack(logFile: string, stream: Stream, from: number): Run[] {
	const file = runsFileOf(logFile);
	let fd: number;
	try {
		fd = file === undefined ? -1 : openLog(file);
	} catch {
		return [];
	}

	if (fd < 0) {
		return [];
	}

	try {
		const size = fs.fstatSync(fd).size;
		for (let window = RUNS_BLOCK; ; window *= 4) {
			const start = Math.max(0, size - Math.min(window, MAX_RUNS_BYTES));
			const buf = readRange(fd, start, size);
			// Whole records only: the window's cut first one and a last one still being written are left out.
			const text = buf.toString('latin1', start === 0 ? 0 : buf.indexOf(10) + 1, buf.lastIndexOf(10) + 1);
			const runs = parseRuns(text, stream);
			const first = runs[0];
			if (start === 0 || window >= MAX_RUNS_BYTES || (first !== undefined && first.from <= from)) {
				return runs.filter((r) => r.to > from);
			}
		}
	} catch {
		return [];
	} finally {
		fs.closeSync(fd);
	}
}

/** Places lines in their runs, fed each line of a file in order (offsets growing). */
export class RunPlacer {
	private i = 0;
	/** Time of the line before, within the current run (NaN: none yet). */
	private last = Number.NaN;

	constructor(private readonly runs: Run[]) {}

	/** True when no run is known: every answer would be NaN. */
	get empty(): boolean {
		return this.runs.length === 0;
	}

	/**
	 * The effective time of the line at `offset` whose own time is `own` (NaN: it has none): its own
	 * time, or its place in its run; NaN when the offset lies in no recorded run (the caller's rule applies).
	 */
	place(offset: number, own: number): number {
		let run = this.runs[this.i];
		while (run !== undefined && offset >= run.to) {
			run = this.runs[++this.i];
			this.last = Number.NaN;
		}

		if (run === undefined || offset < run.from) {
			return Number.isNaN(own) ? Number.NaN : own;
		}

		if (!Number.isNaN(own)) {
			this.last = own;
			return own;
		}

		const time = Number.isNaN(this.last) ? run.spawnAt : this.last;
		return Math.min(Math.max(time, run.spawnAt), run.exitAt);
	}
}
