// The server's in-memory task queues and poller registry: what `/v1/queues` and `/v1/pollers` serve.
// No HTTP here, so the rules (who counts as polling, who gets a task) stay small and testable.

/** One task as a poller receives it: our envelope around the JSON that was posted. */
export type Task = {id: string; queue: string; enqueuedAt: string; task: unknown};

/** A process currently polling a queue (docs/config.md: queue, pid, component, since). */
export type Poller = {queue: string; pid: number; component: string; since: string};

export type BrokerEvent =
	| {kind: 'poller-registered'; poller: Poller}
	| {kind: 'poller-expired'; poller: Poller}
	| {kind: 'task-enqueued'; task: Task; waiting: number}
	| {kind: 'task-delivered'; task: Task; pid: number};

export type BrokerOptions = {
	/** How long a poller stays registered after its last poll ends: covers the gap between polls. */
	graceMs: number;
	/** Most tasks held per queue; more is refused so a runaway producer cannot eat the memory. */
	maxQueued: number;
	onEvent: (event: BrokerEvent) => void;
};

type Waiter = {pid: number; deliver: (task: Task | undefined) => void};
type Queue = {tasks: Task[]; waiters: Waiter[]};
type Registration = {poller: Poller; inflight: number; expiry: NodeJS.Timeout | undefined};

/** Why a task was refused by `enqueue`. */
export class QueueFullError extends Error {}

/** Queues, long-poll waiters and the poller registry of one server. */
export class Broker {
	readonly #queues = new Map<string, Queue>();
	readonly #registry = new Map<string, Registration>();
	#nextId = 1;
	#closed = false;

	constructor(private readonly options: BrokerOptions) {}

	/** Add a task; hand it straight to a waiting poller when there is one. Throws QueueFullError. */
	enqueue(queueName: string, body: unknown): Task {
		const queue = this.#queue(queueName);
		if (queue.tasks.length >= this.options.maxQueued) {
			throw new QueueFullError(`queue ${queueName} already holds ${queue.tasks.length} tasks (limit ${this.options.maxQueued})`);
		}

		const task: Task = {id: String(this.#nextId++), queue: queueName, enqueuedAt: new Date().toISOString(), task: body};
		this.options.onEvent({kind: 'task-enqueued', task, waiting: queue.waiters.length});
		const waiter = queue.waiters.shift();
		if (waiter) {
			waiter.deliver(task);
		} else {
			queue.tasks.push(task);
		}

		return task;
	}

	/** Put back a task whose poller vanished before it could be written, first in line. */
	requeue(task: Task): void {
		const queue = this.#queue(task.queue);
		const waiter = queue.waiters.shift();
		if (waiter) {
			waiter.deliver(task);
		} else {
			queue.tasks.unshift(task);
		}
	}

	/**
	 * Long-poll: resolve with the next task of the queue, or undefined after holdMs or when
	 * `signal` aborts (the client went away). The poller counts as registered meanwhile.
	 */
	async poll(queueName: string, who: {pid: number; component: string}, holdMs: number, signal: AbortSignal): Promise<Task | undefined> {
		const release = this.#register(queueName, who);
		try {
			const queue = this.#queue(queueName);
			const ready = queue.tasks.shift();
			if (ready || this.#closed || signal.aborted) {
				if (ready) {
					this.options.onEvent({kind: 'task-delivered', task: ready, pid: who.pid});
				}

				return ready;
			}

			return await new Promise<Task | undefined>(resolve => {
				const waiter: Waiter = {
					pid: who.pid,
					deliver: task => {
						clearTimeout(timer);
						signal.removeEventListener('abort', onAbort);
						if (task) {
							this.options.onEvent({kind: 'task-delivered', task, pid: who.pid});
						}

						resolve(task);
					},
				};
				const leave = (): void => {
					const index = queue.waiters.indexOf(waiter);
					if (index !== -1) {
						queue.waiters.splice(index, 1);
					}

					waiter.deliver(undefined);
				};

				const onAbort = leave;
				const timer = setTimeout(leave, holdMs);
				signal.addEventListener('abort', onAbort, {once: true});
				queue.waiters.push(waiter);
			});
		} finally {
			release(signal.aborted);
		}
	}

	/** Pollers registered now, of one queue or all (and of one pid, if given), oldest first. */
	pollers(queueName?: string, pid?: number): Poller[] {
		return [...this.#registry.values()]
			.map(r => r.poller)
			.filter(p => (queueName === undefined || p.queue === queueName) && (pid === undefined || p.pid === pid))
			.sort((a, b) => a.since.localeCompare(b.since));
	}

	/** End every long poll (they resolve empty) and drop timers, so the process can exit. */
	close(): void {
		this.#closed = true;
		for (const queue of this.#queues.values()) {
			for (const waiter of queue.waiters.splice(0)) {
				waiter.deliver(undefined);
			}
		}

		for (const registration of this.#registry.values()) {
			clearTimeout(registration.expiry);
		}

		this.#registry.clear();
	}

	#queue(name: string): Queue {
		let queue = this.#queues.get(name);
		if (!queue) {
			queue = {tasks: [], waiters: []};
			this.#queues.set(name, queue);
		}

		return queue;
	}

	/**
	 * Count one in-flight poll. The returned release starts the grace period once none is left,
	 * or drops the poller at once when its client went away (killed or stopping: it polls no more).
	 */
	#register(queue: string, who: {pid: number; component: string}): (gone: boolean) => void {
		const key = `${queue}\u0000${who.pid}\u0000${who.component}`;
		let registration = this.#registry.get(key);
		if (registration) {
			clearTimeout(registration.expiry);
			registration.expiry = undefined;
		} else {
			registration = {poller: {queue, pid: who.pid, component: who.component, since: new Date().toISOString()}, inflight: 0, expiry: undefined};
			this.#registry.set(key, registration);
			this.options.onEvent({kind: 'poller-registered', poller: registration.poller});
		}

		registration.inflight++;
		const held = registration;
		const expire = (): void => {
			if (this.#registry.get(key) === held && held.inflight === 0) {
				this.#registry.delete(key);
				this.options.onEvent({kind: 'poller-expired', poller: held.poller});
			}
		};

		return gone => {
			held.inflight--;
			if (held.inflight > 0 || this.#closed) {
				return;
			}

			if (gone) {
				expire();
			} else {
				held.expiry = setTimeout(expire, this.options.graceMs);
			}
		};
	}
}
