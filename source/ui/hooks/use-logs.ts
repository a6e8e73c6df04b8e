// Feeds the bounded log buffer from the log engine and batches screen updates (≤ 10 per second,
// fewer when frames are expensive: see frame-cost.ts).
import {useEffect, useState} from 'react';
import {batchDelay} from '../frame-cost.js';
import {LogBuffer} from '../log-model.js';
import type {LogFeed} from '../types.js';

export type LogsModel = {
	buffer: LogBuffer;
	/** Bumps when lines were added, so views re-derive their window. */
	version: number;
	error: string | null;
};

/** Follow the feed for the dashboard's lifetime. */
export function useLogs(feed: LogFeed, capacity?: number): LogsModel {
	// One buffer for the hook's lifetime, made on the first render only.
	const [buffer] = useState(() => new LogBuffer(capacity));
	const [version, setVersion] = useState(0);
	const [error, setError] = useState<string | null>(null);

	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		let lastFlush = 0;
		let closed = false;
		const flush = () => {
			timer = undefined;
			lastFlush = Date.now();
			if (!closed) {
				setVersion(buffer.added);
			}
		};

		const subscription = feed.follow(
			(lines) => {
				if (lines.length === 0 || closed) {
					return;
				}

				buffer.add(lines);
				timer ??= setTimeout(flush, Math.max(0, lastFlush + batchDelay() - Date.now()));
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
			void subscription.close();
		};
	}, [feed, buffer]);

	return {buffer, version, error};
}
