// Clean exit on SIGTERM/SIGINT for the built-in programs (docs/config.md: exit 0 within one second).

/**
 * Last resort if a cleanup hangs: the contract is "exit within 1 s of SIGTERM", and the
 * engine's stop escalates to SIGKILL after that, so we leave on our own a little before.
 */
export const SHUTDOWN_DEADLINE_MS = 800;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Abort the returned signal on the first SIGTERM or SIGINT, logging `shutting down`; later
 * signals are ignored. Also keeps a closed stdout/stderr (EPIPE) from crashing the program.
 */
export function shutdownSignal(log: (message: string) => void): AbortSignal {
	const controller = new AbortController();
	const ignore = (): void => {
		// The log reader went away; keep running and keep shutting down cleanly.
	};

	process.stdout.on('error', ignore);
	process.stderr.on('error', ignore);
	for (const name of SIGNALS) {
		process.on(name, () => {
			if (controller.signal.aborted) {
				return;
			}

			log(`shutting down (received ${name})`);
			setTimeout(() => {
				log(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS}ms; exiting anyway`);
				process.exit(0);
			}, SHUTDOWN_DEADLINE_MS).unref();
			controller.abort();
		});
	}

	return controller.signal;
}

/** Resolve after ms, or at once (without error) when `signal` aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
	if (signal.aborted) {
		return;
	}

	await new Promise<void>(resolve => {
		const done = (): void => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};

		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, {once: true});
	});
}
