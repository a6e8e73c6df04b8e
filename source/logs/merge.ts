// The merge order of docs/logs.md, one pure function: repeatedly take the head with the smallest time;
// equal times go to the earlier source. A file's own order is never changed, so a stack trace
// (whose lines inherit its parent's time) stays right after its parent.

/** Anything with a time. */
type Timed = {time: number};

/** Merge per-source sequences (each in file order, sources in tie-break order) into one. */
export function mergeSources<T extends Timed>(sources: T[][]): T[] {
	const cursors = sources.map((lines) => ({lines, next: 0}));
	let total = 0;
	for (const s of sources) {
		total += s.length;
	}

	const out: T[] = new Array<T>(total);
	for (let k = 0; k < total; k++) {
		let best: {lines: T[]; next: number} | undefined;
		let bestLine: T | undefined;
		for (const cursor of cursors) {
			const line = cursor.lines[cursor.next];
			// Strict < keeps the earlier source on ties.
			if (line !== undefined && (bestLine === undefined || line.time < bestLine.time)) {
				best = cursor;
				bestLine = line;
			}
		}

		if (best === undefined || bestLine === undefined) {
			break; // every source used up: only at k === total
		}

		out[k] = bestLine;
		best.next++;
	}

	return out;
}
