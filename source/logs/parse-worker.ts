// Worker thread of the parallel full merge (parallel.ts): reads and parses every source with a
// Cursor and hands each chunk (bytes, line bounds, times, levels) to the main thread, which only
// merges and renders. Each source may be `PREFETCH` chunks ahead; the main thread acks each one.
import {parentPort, workerData} from 'node:worker_threads';
import {Cursor} from './cursor.js';
import type {Source} from './files.js';
import type {ChunkMessage, EndMessage, WorkerInput} from './parallel.js';
import type {Positions} from './tail.js';

const {sources, prefetch} = workerData as WorkerInput;
const port = parentPort!;
const positions: Positions = new Map();
const cursors: Cursor[] = sources.map((s: Source) => new Cursor(s, positions));
const credit = sources.map(() => prefetch);
const ended = sources.map(() => false);

/** Send chunks of source k while it has credit. */
function pump(k: number): void {
	const c = cursors[k]!;
	while (credit[k]! > 0 && !ended[k]) {
		if (c.done) {
			ended[k] = true;
			const message: EndMessage = {k, end: true, position: positions.get(c.source.live) ?? null};
			port.postMessage(message);
			return;
		}

		// The chunk's buffer is its own ArrayBuffer (large allocations are not pooled): move it, do not copy.
		const own = c.buf.byteOffset === 0 && c.buf.buffer.byteLength === c.buf.length;
		const bytes = own ? (c.buf.buffer as ArrayBuffer) : new Uint8Array(c.buf.subarray(0, c.length)).buffer;
		const message: ChunkMessage = {
			k,
			end: false,
			bytes,
			length: c.length,
			clean: c.clean,
			n: c.n,
			starts: c.starts.slice(0, c.n),
			ends: c.ends.slice(0, c.n),
			times: c.times.slice(0, c.n),
			inherited: c.inherited.slice(0, c.n),
			levels: c.levels.slice(0, c.n),
		};
		port.postMessage(message, [bytes, ...[message.starts, message.ends, message.times, message.inherited].map((a) => a.buffer as ArrayBuffer)]);
		credit[k]!--;
		c.nextChunk();
	}
}

port.on('message', (k: number) => {
	credit[k]!++;
	pump(k);
});

for (let k = 0; k < cursors.length; k++) {
	pump(k);
}
