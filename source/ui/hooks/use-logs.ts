// Feeds the bounded log buffer from the log engine and batches screen updates (≤ 10 per second,
// fewer when frames are expensive: see frame-cost.ts). Follows the components the config names now:
// one added while the dashboard runs gets a follower of its own (its backlog, then its new lines); one
// removed takes its lines out of the pane (docs/dashboard.md).
import {useEffect, useRef, useState} from 'react';
import {batchDelay} from '../frame-cost.js';
import {LogBuffer} from '../log-model.js';
import type {Closer, LogFeed} from '../types.js';

export type LogsModel = {
	buffer: LogBuffer;
	/** Bumps when lines were added or removed, so views re-derive their window. */
	version: number;
	error: string | null;
};

/** Follow `components` of the feed for the dashboard's lifetime. */
export function useLogs(feed: LogFeed, components: readonly string[], capacity?: number): LogsModel {
	// One buffer for the hook's lifetime, made on the first render only.
	const [buffer] = useState(() => new LogBuffer(capacity));
	const [version, setVersion] = useState(0);
	const [error, setError] = useState<string | null>(null);
	/** Adds lines and schedules a repaint; set by the effect below. */
	const deliver = useRef<((components: string[]) => Closer) | null>(null);
	const current = useRef(new Set(components));
	const followed = useRef(new Set<string>());
	const followers = useRef<Closer[]>([]);

	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		let lastFlush = 0;
		let closed = false;
		const flush = () => {
			timer = undefined;
			lastFlush = Date.now();
			if (!closed) {
				setVersion((v) => v + 1);
			}
		};

		const repaint = () => {
			timer ??= setTimeout(flush, Math.max(0, lastFlush + batchDelay() - Date.now()));
		};

		deliver.current = (names) =>
			feed.follow(
				names,
				(incoming) => {
					// A follower may still deliver a component removed from the config meanwhile.
					const lines = incoming.some((l) => !current.current.has(l.component)) ? incoming.filter((l) => current.current.has(l.component)) : incoming;
					if (lines.length === 0 || closed) {
						return;
					}

					buffer.add(lines);
					repaint();
				},
				(error_) => {
					if (!closed) {
						setError(`logs: ${error_.message}`);
					}
				},
			);
		return () => {
			closed = true;
			clearTimeout(timer);
			deliver.current = null;
			for (const follower of followers.current) {
				void follower.close();
			}

			followers.current = [];
			followed.current = new Set();
		};
	}, [feed, buffer]);

	const key = components.join('\u0000');
	useEffect(() => {
		current.current = new Set(components);
		const added = components.filter((name) => !followed.current.has(name));
		if (added.length > 0 && deliver.current !== null) {
			for (const name of added) {
				followed.current.add(name);
			}

			followers.current.push(deliver.current(added));
		}

		const removed = buffer.lines.some((l) => !current.current.has(l.component));
		if (removed) {
			buffer.lines = buffer.lines.filter((l) => current.current.has(l.component));
			for (const name of buffer.lastError.keys()) {
				if (!current.current.has(name)) {
					buffer.lastError.delete(name);
				}
			}

			setVersion((v) => v + 1);
		}
		// `key` stands for `components`: a new array with the same names changes nothing.
	}, [key, feed, buffer]);

	return {buffer, version, error};
}
