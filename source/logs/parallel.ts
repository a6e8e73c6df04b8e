// The full merge on two threads: a worker (parse-worker.ts) reads and parses, the main thread merges
// and renders. Parsing is about half of a merge's CPU time, so this nearly doubles `-n 0` on a
// machine with a spare core; small merges stay on one thread (a worker costs ~40 ms to start).
import os from 'node:os';
import {Worker} from 'node:worker_threads';
import type {Source} from './files.js';
import type {FilePosition, Positions} from './tail.js';

/** Below this many bytes the merge stays on one thread: starting a worker would cost more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** Chunks a source may be parsed ahead of the merge: enough that the merge never waits, bounded memory (~1 MB each). */
const PREFETCH = 3;

export type WorkerInput = {sources: Source[]; prefetch: number};
export type ChunkMessage = {
	k: number;
	end: false;
	bytes: ArrayBuffer;
	length: number;
	clean: boolean;
	n: number;
	starts: Int32Array;
	ends: Int32Array;
	times: Float64Array;
	inherited: Uint8Array;
	levels: Array<string | null>;
};
export type EndMessage = {k: number; end: true; position: FilePosition | null};

/** True when a merge of these sources is worth a worker thread. */
export function worthParallel(totalBytes: number): boolean {
	return totalBytes >= PARALLEL_MIN_BYTES && os.availableParallelism() > 1;
}

/** A source whose chunks arrive from the worker; the same fields as Cursor for the renderer. */
export class RemoteCursor {
	i = 0;
	n = 0;
	starts: Int32Array = new Int32Array(0);
	ends: Int32Array = new Int32Array(0);
	times: Float64Array = new Float64Array(0);
	inherited: Uint8Array = new Uint8Array(0);
	levels: Array<string | null> = [];
	buf: Buffer = Buffer.alloc(0);
	bytes: Uint8Array = new Uint8Array(0);
	clean = true;
	done = false;
	/** The current chunk is used up: `refill` before reading `time`. */
	empty = true;
	private viewCache: string | null = null;
	private readonly queue: Array<ChunkMessage | EndMessage> = [];
	private wake: (() => void) | null = null;
	private failure: Error | null = null;

	constructor(readonly source: Source, private readonly k: number, private readonly worker: Worker, private readonly positions: Positions) {}

	/** Time of the current line. */
	get time(): number {
		return this.times[this.i]!;
	}

	/** The chunk's latin1 view, made only if asked for (the --json writer). */
	get view(): string {
		this.viewCache ??= this.buf.toString('latin1');
		return this.viewCache;
	}

	/** Next line of the chunk; at its end the cursor is `empty`. */
	advance(): void {
		if (++this.i >= this.n) {
			this.empty = true;
		}
	}

	/** A message from the worker for this source. */
	receive(message: ChunkMessage | EndMessage): void {
		this.queue.push(message);
		this.wake?.();
	}

	/** The worker failed: every waiting cursor rejects. */
	fail(error: Error): void {
		this.failure = error;
		this.wake?.();
	}

	/** Take the next chunk, waiting for the worker if it has not sent it yet. */
	async refill(): Promise<void> {
		while (this.queue.length === 0) {
			if (this.failure) {
				throw this.failure;
			}

			await new Promise<void>((resolve) => {
				this.wake = resolve;
			});
			this.wake = null;
		}

		const message = this.queue.shift()!;
		if (message.end) {
			if (message.position) {
				this.positions.set(message.position.path, message.position);
			}

			this.done = true;
			return;
		}

		this.worker.postMessage(this.k);
		this.buf = Buffer.from(message.bytes, 0, message.length);
		this.bytes = new Uint8Array(message.bytes, 0, message.length);
		this.viewCache = null;
		this.clean = message.clean;
		this.n = message.n;
		this.starts = message.starts;
		this.ends = message.ends;
		this.times = message.times;
		this.inherited = message.inherited;
		this.levels = message.levels;
		this.i = 0;
		this.empty = false;
	}

	/** Nothing to release here: the worker owns the files. */
	finish(): void {
		// The worker is terminated by whoever started it.
	}
}

/** Start the worker for these sources; returns one cursor per source (each needs a first `refill`) and a stop function. */
export function startParallel(sources: Source[], positions: Positions): {cursors: RemoteCursor[]; stop: () => Promise<void>} {
	const input: WorkerInput = {sources, prefetch: PREFETCH};
	const worker = new Worker(new URL('parse-worker.js', import.meta.url), {workerData: input});
	const cursors = sources.map((s, k) => new RemoteCursor(s, k, worker, positions));
	worker.on('message', (message: ChunkMessage | EndMessage) => {
		cursors[message.k]!.receive(message);
	});
	worker.on('error', (error) => {
		for (const c of cursors) {
			c.fail(error);
		}
	});
	worker.on('exit', (code) => {
		if (code !== 0) {
			for (const c of cursors) {
				c.fail(new Error(`the log parsing worker exited with code ${code}`));
			}
		}
	});
	return {
		cursors,
		async stop() {
			await worker.terminate();
		},
	};
}
