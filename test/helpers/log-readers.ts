// Two shorthands the log tests use: a tail read on its own, and a follow from the current end.
// Not in the engine's API: read then follow as two calls could lose the lines written in between
// (the engine offers readAndFollow, or readMergedAt paired with followFrom, for that).
import {followFrom, readMergedAt, type Follower, type LogLine, type LogSelection} from '../../source/logs/index.js';

/** Last `tail` lines (0 = all) of the merged stream; sinceMs filters. */
export async function readMerged(home: string, selection: LogSelection, options: {tail: number; sinceMs?: number}): Promise<LogLine[]> {
	return readMergedAt(home, selection, options).lines;
}

/** Follow from the current end of every selected file (and files created later). */
export async function followLogs(home: string, selection: LogSelection, onLines: (batch: LogLine[]) => void): Promise<Follower> {
	return followFrom(home, selection, null, onLines);
}
