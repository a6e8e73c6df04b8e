// Where the merge's read slots get filled: in this thread (InlineFeed), or by a worker thread that
// reads and parses ahead while this one merges and renders (ThreadFeed, worker.ts). Both
// threads share the kernel's memory; a slot changes hands through a state word in a shared array.
import {availableParallelism} from 'node:os';
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads';
import {itemAt} from '../../item-at.js';
import type {Source} from '../files.js';
import type {FilterSpec} from '../filter.js';
import {SLOTS, type Kernel, type Layout} from './kernel.js';
import {SourceReader, type Batch} from './reader.js';
import type {FilePosition, Positions} from '../tail.js';

/** Slots of each source, filled in turn (0, 1, …, SLOTS - 1, 0, …). */
export type Feed = {
	/** Slot s of source k, once filled. */
	take(k: number, s: number): Batch;
	/** Slot s of source k has been merged: it may be filled again. */
	release(k: number, s: number): void;
	/** Stop reading; where each live file was left, for follow. */
	finish(): Promise<Positions>;
};

/** A merge this big (bytes of all files) reads and parses on a second thread, when there is a second core. */
const THREAD_MIN_BYTES = 32 * 1024 * 1024;

/** The feed for a merge: a worker thread for big merges on a machine with two cores or more, unless `threads` says. */
export function makeFeed(sources: Source[], kernel: Kernel, totalBytes: number, sinceMs: number, threads?: boolean, filter?: FilterSpec): Feed {
	const useThreads = threads ?? (totalBytes >= THREAD_MIN_BYTES && availableParallelism() > 1);
	return useThreads ? new ThreadFeed(sources, kernel, sinceMs, filter) : new InlineFeed(sources, kernel, sinceMs, filter);
}

/** Every slot filled in this thread, when asked. */
class InlineFeed implements Feed {
	private readonly readers: SourceReader[];

	constructor(sources: Source[], kernel: Kernel, sinceMs: number, filter?: FilterSpec) {
		this.readers = sources.map((source, k) => new SourceReader(source, kernel, k, sinceMs, filter));
	}

	take(k: number, s: number): Batch {
		return itemAt(this.readers, k).fill(s);
	}

	release(): void {
		// Filled on demand by `take`.
	}

	async finish(): Promise<Positions> {
		return positionsOf(this.readers.map((r) => {
			r.close();
			return r.position;
		}));
	}
}

function positionsOf(list: Array<FilePosition | null>): Positions {
	const positions: Positions = new Map();
	for (const p of list) {
		if (p) {
			positions.set(p.path, p);
		}
	}

	return positions;
}

/** Slot states in the shared sync array. */
const EMPTY = 0;
const READY = 1;
/** sync[0]: the worker failed; sync[1]: the worker finished; then (state, n) per slot. */
const FAILED = 0;
const FINISHED = 1;
const SLOT_BASE = 2;
/** How long a wait for the worker may go without any progress before the merge gives up. */
const STALL_MS = 60_000;
const POLL_MS = 100;

/** What the worker is started with (worker.ts). */
export type WorkerData = {memory: WebAssembly.Memory; layout: Layout; sources: Source[]; sinceMs: number; filter?: FilterSpec; sync: Int32Array; port: MessagePort};
/** What the worker says on its port. */
export type WorkerMessage = {k: number; s: number; external: Buffer} | {positions: Array<FilePosition | null>} | {error: string};
/** What the worker is asked: fill a slot, or finish. */
export type WorkerRequest = {k: number; s: number} | {finish: true};

/** Slots filled ahead by worker.ts; this thread waits (bounded) only when it catches up. */
class ThreadFeed implements Feed {
	private readonly sync: Int32Array;
	private readonly port: MessagePort;
	private readonly worker: Worker;
	private readonly external = new Map<string, Buffer>();
	private positions: Array<FilePosition | null> | null = null;
	private workerError: Error | null = null;

	constructor(sources: Source[], kernel: Kernel, sinceMs: number, filter?: FilterSpec) {
		this.sync = new Int32Array(new SharedArrayBuffer(4 * (SLOT_BASE + 2 * SLOTS * sources.length)));
		const {port1, port2} = new MessageChannel();
		this.port = port1;
		const data: WorkerData = {memory: kernel.memory, layout: kernel.layout, sources, sinceMs, filter, sync: this.sync, port: port2};
		this.worker = new Worker(new URL('worker.js', import.meta.url), {workerData: data, transferList: [port2]});
		this.worker.on('error', (error) => {
			this.workerError = error;
		});
		for (let k = 0; k < sources.length; k++) {
			for (let s = 0; s < SLOTS; s++) {
				this.request({k, s});
			}
		}
	}

	take(k: number, s: number): Batch {
		const at = SLOT_BASE + 2 * (k * SLOTS + s);
		this.waitFor(at, READY);
		const n = Atomics.load(this.sync, at + 1);
		let external: Buffer | null = null;
		if (n < 0) {
			// The worker posts a long line's buffer before it marks the slot ready.
			external = this.externalFor(k, s);
		}

		return {n: Math.abs(n), external};
	}

	release(k: number, s: number): void {
		Atomics.store(this.sync, SLOT_BASE + 2 * (k * SLOTS + s), EMPTY);
		this.request({k, s});
	}

	/** Ask the worker to close its files and say where they ended; after a failure, just stop it. */
	async finish(): Promise<Positions> {
		try {
			if (Atomics.load(this.sync, FAILED) === 0 && !this.workerError) {
				this.request({finish: true});
				this.waitFor(FINISHED, 1);
				while (this.positions === null && this.receive(false)) {
					// Long lines nobody merged (the merge stopped early) are dropped on the way.
				}
			}
		} finally {
			await this.worker.terminate();
		}

		return positionsOf(this.positions ?? []);
	}

	private request(request: WorkerRequest): void {
		this.worker.postMessage(request);
	}

	/** Block until sync[at] is `value`: polled so that a failed or stalled worker ends the merge with its error. */
	private waitFor(at: number, value: number): void {
		const deadline = Date.now() + STALL_MS;
		while (Atomics.load(this.sync, at) !== value) {
			if (Atomics.load(this.sync, FAILED) !== 0 || this.workerError) {
				this.receive(false);
				throw this.workerError ?? new Error('the log reader thread failed');
			}

			if (Date.now() > deadline) {
				throw new Error(`the log reader thread made no progress in ${STALL_MS / 1000} s`);
			}

			Atomics.wait(this.sync, at, Atomics.load(this.sync, at), POLL_MS);
		}
	}

	private externalFor(k: number, s: number): Buffer {
		const key = `${k}:${s}`;
		let buffer = this.external.get(key);
		while (buffer === undefined) {
			if (!this.receive(true)) {
				throw new Error('a long line from the log reader thread went missing');
			}

			buffer = this.external.get(key);
		}

		this.external.delete(key);
		return buffer;
	}

	/** Take the worker's next message, if any; false when there was none. */
	private receive(required: boolean): boolean {
		const got = receiveMessageOnPort(this.port) as {message: WorkerMessage} | undefined;
		if (!got) {
			if (required && Atomics.load(this.sync, FAILED) !== 0) {
				throw new Error('the log reader thread failed');
			}

			return false;
		}

		const message = got.message;
		if ('error' in message) {
			this.workerError = new Error(`log reader thread: ${message.error}`);
		} else if ('positions' in message) {
			this.positions = message.positions;
		} else {
			this.external.set(`${message.k}:${message.s}`, Buffer.from(message.external.buffer, message.external.byteOffset, message.external.length));
		}

		return true;
	}
}

export const SYNC = {EMPTY, READY, FAILED, FINISHED, SLOT_BASE};
