// The `log` readiness probe (docs/architecture.md, readiness): a line of this run's .log or .err matches the
// pattern. It reads through logs/' own reader (follow-read.ts), in bounded steps, so it never blocks start.
import fs from 'node:fs';
import type {LinearPattern} from '../linear-regex.js';
import {closeReader, drain, openReader, truncated, type Reader} from '../logs/follow-read.js';
import type {RawLine} from '../logs/lines.js';
import type {Home} from '../paths.js';

/**
 * Most bytes read (and matched) per attempt: RE2 is linear but synchronous, ~50-250 ns a byte in re2js, so
 * 256 KiB is at most ~60 ms of one attempt; a huge backlog is read over several attempts, the event loop free between.
 */
const LOG_BYTES_PER_ATTEMPT = 256 * 1024;
/** Most of one line (UTF-16 units) a pattern is matched against: ~4 ms at re2js's worst; a ready line is short, a 1 MiB line is data. */
export const LOG_MATCH_MAX_CHARS = 16 * 1024;

type Followed = {file: string; offset: number; reader: Reader | null};

/**
 * Follow a component's .log and .err from the offsets as they grow, however large: each attempt reads on from
 * where the last stopped (lines of at most LOG_MATCH_MAX_CHARS are matched, the unfinished last one included).
 */
export function logFollower(pattern: LinearPattern, home: Home, component: string, offsets: [number, number]): {attempt: () => boolean; close: () => void} {
	const streams: Followed[] = (['stdout', 'stderr'] as const).map((stream, index) => ({file: home.logFile(component, stream), offset: offsets[index] ?? 0, reader: null}));
	return {
		attempt: () => streams.some((stream) => readOn(stream, pattern)),
		close() {
			for (const stream of streams) {
				if (stream.reader !== null) {
					closeReader(stream.reader);
					stream.reader = null;
				}
			}
		},
	};
}

/** Read what was appended since the last call (at most LOG_BYTES_PER_ATTEMPT); true as soon as a line matches. */
function readOn(stream: Followed, pattern: LinearPattern): boolean {
	stream.reader ??= openReader(stream.file, stream.offset, Number.NaN);
	const {reader} = stream;
	if (reader === null) {
		return false; // Not there yet: the next attempt tries again.
	}

	let size: number;
	try {
		size = fs.fstatSync(reader.fd).size;
	} catch {
		return false;
	}

	if (truncated(reader, size)) {
		// Truncated under us: read it again from the start.
		closeReader(reader);
		stream.offset = 0;
		stream.reader = openReader(stream.file, 0, Number.NaN);
		return false;
	}

	const lines: RawLine[] = [];
	drain(reader, lines, LOG_BYTES_PER_ATTEMPT);
	const matches = (text: string) => pattern.test(text.length > LOG_MATCH_MAX_CHARS ? text.slice(0, LOG_MATCH_MAX_CHARS) : text);
	return lines.some((line) => matches(line.text)) || matches(reader.assembler.pending());
}
