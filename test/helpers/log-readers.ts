// Shorthands the log tests use: a tail read on its own, a follow from the current end, and the sources of a
// home given as a directory. Not in the engine's API: read then follow as two calls could lose the lines written in
// between (the engine offers readAndFollow, or readMergedAt paired with followFrom, for that).
import {followFrom, listSources, readMergedAt, type Follower, type LogLine, type LogSelection, type Source} from '../../source/logs/index.js';
import {homeAt} from '../../source/paths.js';

/** The sources of `selection` in the home at directory `home`. */
export function sourcesAt(home: string, selection: LogSelection): Source[] {
	return listSources(homeAt(home), selection);
}

/** Last `tail` lines (0 = all) of the merged stream; sinceMs filters. */
export async function readMerged(home: string, selection: LogSelection, options: {tail: number; sinceMs?: number}): Promise<LogLine[]> {
	return readMergedAt(sourcesAt(home, selection), options).lines;
}

/** Follow from the current end of every selected file (and files created later). */
export async function followLogs(home: string, selection: LogSelection, onLines: (batch: LogLine[]) => void): Promise<Follower> {
	return followFrom(homeAt(home), selection, null, onLines);
}
