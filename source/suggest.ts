// "Did you mean": the closest known word to a mistyped command, flag or config key (docs/cli.md). A leaf: config/ and commands/ both use it.

/** Edits allowed per this many characters of the typed word: `strat` → `start`, not `stop` → `status`. */
const CHARS_PER_EDIT = 3;
/** Beyond this many edits a guess is noise, however long the word. */
const MAX_EDITS = 3;

/** The candidate closest to `typed` (a unique prefix, else the fewest edits), or undefined when none is close. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
	const word = bare(typed);
	if (word.length === 1) {
		// Every one-letter flag is one edit from every other (`-x` → `-h`): only the same letter in the other case is a likely slip.
		return candidates.find((c) => c !== typed && bare(c).length === 1 && bare(c).toLowerCase() === word.toLowerCase());
	}

	const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(typed));
	if (prefixed.length === 1) {
		return prefixed[0];
	}

	const budget = Math.min(MAX_EDITS, Math.max(1, Math.floor(word.length / CHARS_PER_EDIT)));
	let best: string | undefined;
	let bestDistance = budget + 1;
	for (const candidate of candidates) {
		const d = editDistance(typed, candidate);
		if (d < bestDistance) {
			best = candidate;
			bestDistance = d;
		}
	}

	return best;
}

/** `; did you mean "start"?` (quoted for commands, bare for flags), or '' when nothing is close. */
export function didYouMean(typed: string, candidates: readonly string[], quote = true): string {
	const guess = closest(typed, candidates);
	return guess === undefined ? '' : `; did you mean ${quote ? `"${guess}"` : guess}?`;
}

/**
 * The one-line error for unknown flags, as typed: the closest of `candidates` when one is close,
 * else where the flags are listed (`command --help`, e.g. `stigmer server status --help`).
 */
export function unknownFlag(typed: readonly string[], candidates: readonly string[], command: string): string {
	const [only] = typed;
	const guess = typed.length === 1 && only !== undefined ? didYouMean(only, candidates, false) : '';
	return `unknown flag ${typed.join(', ')}${guess === '' ? `; see ${command} --help` : guess}`;
}

/** A word without its leading dashes: `--json` → `json`. */
function bare(word: string): string {
	return word.replace(/^-+/, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
	// rows[i][j]: the distance between a's first i and b's first j characters, built row by row.
	const rows = [Array.from({length: b.length + 1}, (_, j) => j)];
	const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY; // outside the table: no alignment
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		rows.push(row);
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
				d = Math.min(d, at(i - 2, j - 2) + 1);
			}

			row.push(d);
		}
	}

	return at(a.length, b.length);
}
