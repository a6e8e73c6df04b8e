// Bounded waits: every wait in the tests is for a condition, with a deadline.

/** Poll period of waitFor: short enough to measure sub-second behaviour, long enough to stay cheap. */
export const POLL_MS = 25;

/** Wait until `condition` returns a truthy value (returned), polling every pollMs; throws naming `what` after timeoutMs. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 10_000, pollMs = POLL_MS): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await condition();
			if (value) {
				return value as NonNullable<T>;
			}

			last = value;
		} catch (error: unknown) {
			last = error;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
		}

		await new Promise((r) => setTimeout(r, pollMs));
	}
}
