// Backpressure in one place: a writer that got `false` from write() waits here before writing on.

/** What drained needs of a stream: process.stdout, or the log writers' sinks. */
export type Drainable = {
	once(event: 'drain' | 'close', listener: () => void): unknown;
	off(event: 'drain' | 'close', listener: () => void): unknown;
	readonly destroyed?: boolean;
};

/** Resolves once `stream` has drained, or closed (a reader that went away never drains it). */
export async function drained(stream: Drainable): Promise<void> {
	if (stream.destroyed) {
		return;
	}

	return new Promise<void>((resolve) => {
		const done = () => {
			stream.off('drain', done);
			stream.off('close', done);
			resolve();
		};

		stream.once('drain', done);
		stream.once('close', done);
	});
}
