// The merge order of SPEC 5, one pure function: repeatedly take the head with the smallest time;
// equal times go to the earlier source. A file's own order is never changed, so a stack trace
// (whose lines inherit its parent's time) stays right after its parent.

/** Anything with a time. */
type Timed = {time: number};

/** Merge per-source sequences (each in file order, sources in tie-break order) into one. */
export function mergeSources<T extends Timed>(sources: T[][]): T[] {
	const heads = sources.map(() => 0);
	let total = 0;
	for (const s of sources) {
		total += s.length;
	}

	const out: T[] = new Array<T>(total);
	for (let k = 0; k < total; k++) {
		let best = -1;
		let bestTime = Number.POSITIVE_INFINITY;
		for (let i = 0; i < sources.length; i++) {
			const line = sources[i]![heads[i]!];
			// Strict < keeps the earlier source on ties.
			if (line !== undefined && (best < 0 || line.time < bestTime)) {
				best = i;
				bestTime = line.time;
			}
		}

		out[k] = sources[best]![heads[best]!++]!;
	}

	return out;
}
