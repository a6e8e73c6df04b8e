// Follow (docs/logs.md): new complete lines of every selected live file, batched in time order. This file
// schedules the scans; follow-rotation.ts follows one source across rotations, follow-read.ts reads.
// A stat poll of data/logs/ and inotify on each live file wake us (see DIR_POLL_MS); a slow scan backs them up for missed events.
// A scan reads at most SCAN_BYTES per file and the next waits for the consumer (a slow stdout), then
// follows at once while bytes are waiting: a burst of any size passes in bounded memory.
import fs from 'node:fs';
import type {Home} from '../paths.js';
import {listSources, type LogSelection} from './files.js';
import {scanOne, track, untrack, type Tracked} from './follow-rotation.js';
import type {LogLine} from './lines.js';
import {mergeSources} from './merge.js';
import {readMergedAt, type Positions} from './tail.js';

/**
 * Backup scan: catches what the watchers miss (some filesystems, events lost at a rotation) and
 * starts them once data/logs/ exists. Each scan stats every live file, so it stays slow: the
 * watchers carry latency, and an idle dashboard pays for this scan all day.
 */
const POLL_MS = 1000;
/**
 * How we are woken. A watcher on the directory itself (chokidar's) re-reads it (readdir + an lstat per
 * entry) on every raw event, and an appending writer makes one per write: that cost ~25 % of a core at
 * 5,000 lines/s. So the directory is stat-polled (its stat changes only on adds, unlinks and renames;
 * the poll runs in libuv and wakes JavaScript only on a change), and the live files are watched one by
 * one with fs.watch (inotify: nothing at all while idle). Plain fs, not chokidar: when its only watched
 * file is renamed away (every rotation at a start), chokidar watches the directory for its return and
 * re-reads data/logs back to back while anything in it is written (~150 readdirs a second, 50 % of a core).
 */
const DIR_POLL_MS = 100;
/** Least time between two scans while lines trickle in: a lone line shows within milliseconds. */
const MIN_SCAN_GAP_MS = 10;
/** Least time between two scans while lines pour in: a flood is read in fewer, larger batches. */
const BUSY_SCAN_GAP_MS = 40;
/** A scan that found at least this many lines means lines are pouring in. */
const BUSY_LINES = 20;
/** Takes a batch of lines; a returned promise holds the next batch back until it settles (a slow stdout). */
export type OnLines = (batch: LogLine[]) => void | Promise<void>;

/** A running follow; `close` stops watching and releases every file. */
export type Follower = {close(): Promise<void>};

/** The tail (as `readMergedAt`), then every later line through `onLines`: no line lost or repeated in between. */
export async function readAndFollow(home: Home, selection: LogSelection, options: {tail: number; sinceMs?: number}, onLines: OnLines): Promise<{lines: LogLine[]} & Follower> {
	const {lines, positions} = readMergedAt(listSources(home, selection), options);
	const follower = await followFrom(home, selection, positions, onLines);
	return {lines, close: follower.close};
}

/** Everything a running follow changes, in one place. */
type State = {
	closed: boolean;
	/** Nothing is emitted before the caller holds the follower (and has printed any tail it read first). */
	live: boolean;
	/** A scan (or its consumer) is in progress; `again`: a wake-up came meanwhile. */
	scanning: boolean;
	again: boolean;
	lastScan: number;
	/** Least time to the next scan: short while lines trickle, longer while they pour. */
	gap: number;
	scheduled: NodeJS.Timeout | null;
	/** Set once the watchers started (data/logs/'s stat poll and the live files' inotify): what their events call. */
	wake: (() => void) | null;
	/** One fs.watch per live file, by path (each file we open gets its own). */
	files: Map<string, fs.FSWatcher>;
};

/** Follow the selected live files from the given positions (from `readMergedAt`/`writeAll`), or from their current end. */
export async function followFrom(home: Home, selection: LogSelection, positions: Positions | null, onLines: OnLines): Promise<Follower> {
	const tracked = track(home, selection, positions);
	const state: State = {closed: false, live: false, scanning: false, again: false, lastScan: 0, gap: MIN_SCAN_GAP_MS, scheduled: null, wake: null, files: new Map()};
	const scan = scanner(home, tracked, state, onLines);
	const soon = scheduler(state, scan);
	const dir = home.logs;
	if (fs.existsSync(dir)) {
		startWatchers(state, dir, tracked, soon);
	}

	const timer = setInterval(() => {
		if (state.wake === null && !state.closed && fs.existsSync(dir)) {
			startWatchers(state, dir, tracked, soon);
		}

		scan();
	}, POLL_MS);
	setImmediate(() => {
		state.live = true;
		scan();
	});

	return {
		async close() {
			state.closed = true;
			clearInterval(timer);
			if (state.scheduled) {
				clearTimeout(state.scheduled);
			}

			if (state.wake !== null) {
				fs.unwatchFile(dir, state.wake);
			}

			for (const watcher of state.files.values()) {
				watcher.close();
			}

			state.files.clear();
			for (const t of tracked) {
				untrack(t);
			}
		},
	};
}

/**
 * A scan of every tracked file: the new lines, merged, in one batch to `onLines`; one scan at a time (a wake-up
 * meanwhile asks for another), the next once the consumer took this batch (backpressure), at once if bytes are waiting.
 */
function scanner(home: Home, tracked: Tracked[], state: State, onLines: OnLines): () => void {
	const watchLive = (file: string) => {
		if (!state.closed) {
			watchFile(state, file);
		}
	};

	const scan = () => {
		if (state.closed || !state.live) {
			return;
		}

		if (state.scanning) {
			state.again = true;
			return;
		}

		state.scanning = true;
		state.again = false;
		let waiting: Promise<void> | void = undefined;
		let more = false;
		try {
			const perSource = tracked.map((t) => scanOne(home, t, watchLive));
			more = tracked.some((t) => t.more);
			const batch = mergeSources(perSource);
			state.gap = batch.length >= BUSY_LINES ? BUSY_SCAN_GAP_MS : MIN_SCAN_GAP_MS;
			if (batch.length > 0) {
				waiting = onLines(batch);
			}
		} finally {
			const next = () => {
				state.scanning = false;
				if ((more || state.again) && !state.closed) {
					setImmediate(scan);
				}
			};

			if (waiting instanceof Promise) {
				waiting.then(next, next);
			} else {
				next();
			}
		}
	};

	return scan;
}

/** Wake-ups (every raw watcher event) coalesced into one scan, no sooner than `state.gap` after the last. */
function scheduler(state: State, scan: () => void): () => void {
	return () => {
		if (state.scheduled === null && !state.closed) {
			state.scheduled = setTimeout(() => {
				state.scheduled = null;
				state.lastScan = Date.now();
				scan();
			}, Math.max(0, state.lastScan + state.gap - Date.now()));
		}
	};
}

/** Watch data/logs/ (stat-polled) and the live files (inotify); every event calls `wake`. */
function startWatchers(state: State, dir: string, tracked: Tracked[], wake: () => void): void {
	state.wake = wake;
	fs.watchFile(dir, {interval: DIR_POLL_MS}, wake);
	for (const t of tracked) {
		if (fs.existsSync(t.source.live)) {
			watchFile(state, t.source.live);
		}
	}
}

/** (Re)watch one live file with inotify once the watchers started; its previous watcher (an inode renamed away) is closed. */
function watchFile(state: State, file: string): void {
	const {wake} = state;
	if (wake === null) {
		return;
	}

	state.files.get(file)?.close();
	state.files.delete(file);
	try {
		const watcher = fs.watch(file, wake);
		watcher.on('error', () => {
			// The scan timer still runs: a watcher error (the file gone, too many watches) only costs latency.
			watcher.close();
			if (state.files.get(file) === watcher) {
				state.files.delete(file);
			}
		});
		state.files.set(file, watcher);
	} catch {
		// Gone already, or too many watches: the directory poll and the scan timer still wake us.
	}
}
