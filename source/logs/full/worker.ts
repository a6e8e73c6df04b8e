// The second thread of a big `-n 0` merge (feed.ts ThreadFeed): reads and parses each source's next
// batches into the shared kernel memory while the main thread merges and renders the ones before.
import {parentPort, workerData} from 'node:worker_threads';
import {itemAt} from '../../item-at.js';
import {SYNC, type WorkerData, type WorkerMessage, type WorkerRequest} from './feed.js';
import {Kernel, SLOTS} from './kernel.js';
import {SourceReader} from './reader.js';

const {memory, layout, sources, sinceMs, filter, sync, port} = workerData as WorkerData;
const parent = parentPort;
if (parent === null) {
	throw new Error('logs/full/worker.js runs only as the worker thread feed.ts starts');
}

const post = (message: WorkerMessage) => port.postMessage(message);

try {
	const kernel = new Kernel(memory, layout, 1);
	const readers = sources.map((source, k) => new SourceReader(source, kernel, k, sinceMs, filter));
	parent.on('message', (request: WorkerRequest) => {
		try {
			if ('finish' in request) {
				post({positions: readers.map((r) => {
					r.close();
					return r.position;
				})});
				Atomics.store(sync, SYNC.FINISHED, 1);
				Atomics.notify(sync, SYNC.FINISHED);
				parent.close();
				return;
			}

			const {k, s} = request;
			const batch = itemAt(readers, k).fill(s);
			const at = SYNC.SLOT_BASE + 2 * (k * SLOTS + s);
			if (batch.external) {
				post({k, s, external: batch.external});
			}

			// A negative count says a long line's buffer was posted for this slot.
			Atomics.store(sync, at + 1, batch.external ? -batch.n : batch.n);
			Atomics.store(sync, at, SYNC.READY);
			Atomics.notify(sync, at);
		} catch (error) {
			fail(error);
		}
	});
} catch (error) {
	fail(error);
}

function fail(error: unknown): void {
	post({error: error instanceof Error ? (error.stack ?? error.message) : String(error)});
	Atomics.store(sync, SYNC.FAILED, 1);
	Atomics.notify(sync, SYNC.FAILED);
}
