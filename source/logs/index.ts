// The log engine's public API (SPEC 5), used by `stigmer server logs` and the dashboard's log pane.
//
// Reading then following without losing or repeating a line: `readMerged` and `followLogs` are two
// calls, and lines written between them would fall in the gap. Use `readAndFollow` (one snapshot:
// the tail ends exactly where following starts), or pair `readMergedAt` with `followFrom`.
import type {LogSelection} from './files.js';
import {followFrom} from './follow.js';
import type {LogLine} from './lines.js';
import {readMergedAt} from './tail.js';

export type {LogSelection, Source} from './files.js';
export type {LogLine} from './lines.js';
export type {FilePosition, Positions} from './tail.js';
export type {OutputFormat, Sink} from './stream.js';
export {anyLogExists, componentsOnDisk, listSources, notRegularFiles} from './files.js';
export {followFrom} from './follow.js';
export {clockTime, componentColor, formatLine, toJson} from './format.js';
export {MAX_LINE_BYTES} from './lines.js';
export {mergeSources} from './merge.js';
export {isErrorLevel, normalizeLevel, parseLine} from './parse.js';
export {parseSince} from './since.js';
export {writeAll} from './stream.js';
export {readMergedAt} from './tail.js';

/** A running follow; `close` stops watching and releases every file. */
export type Follower = {close(): Promise<void>};

/** Last `tail` lines (0 = all) of the merged stream, reading backwards from EOF; reaches into rotated files only as far as needed; sinceMs filters. */
export async function readMerged(home: string, selection: LogSelection, options: {tail: number; sinceMs?: number}): Promise<LogLine[]> {
	return readMergedAt(home, selection, options).lines;
}

/** Follow from the current end of every selected file (and files created later), emitting batches of new complete lines in time order; survives rename and copy-truncate rotation. Uses chokidar on data/logs/. */
export async function followLogs(home: string, selection: LogSelection, onLines: (batch: LogLine[]) => void): Promise<Follower> {
	return followFrom(home, selection, null, onLines);
}

/** The tail (as `readMerged`), then every later line through `onLines`: no line lost or repeated in between. */
export async function readAndFollow(home: string, selection: LogSelection, options: {tail: number; sinceMs?: number}, onLines: (batch: LogLine[]) => void): Promise<{lines: LogLine[]} & Follower> {
	const {lines, positions} = readMergedAt(home, selection, options);
	const follower = await followFrom(home, selection, positions, onLines);
	return {lines, close: follower.close};
}
