// Cutting text for the screen by display width (docs/dashboard.md): a CJK character or an emoji takes two
// columns, a colour code none. Every view that cuts text uses `clip`. A module of its own so that
// `dash --once` (plain text, no cutting) does not load the width tables at start-up.
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

/** Printable ASCII only: one column per character, so cutting by length is exact (the common case, and cheap). */
const PLAIN = /^[\x20-\x7E]*$/;

/** Text cut to at most `width` columns, with an ellipsis when cut; ANSI colour codes kept and not counted. */
export function clip(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (PLAIN.test(text)) {
		return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
	}

	if (stringWidth(text) <= width) {
		return text;
	}

	// cli-truncate can overshoot by one column when a wide character straddles the edge.
	const cut = cliTruncate(text, width);
	return stringWidth(cut) > width ? cliTruncate(text, width - 1) : cut;
}

/** Text cut into pieces of at most `width` columns each (for wrapping); at least one piece, '' for empty text. */
export function chunks(text: string, width: number): string[] {
	const columns = Math.max(1, width);
	const pieces: string[] = [];
	if (PLAIN.test(text)) {
		for (let at = 0; at < text.length; at += columns) {
			pieces.push(text.slice(at, at + columns));
		}
	} else {
		let piece = '';
		let used = 0;
		for (const char of text) {
			const w = stringWidth(char);
			if (used + w > columns && piece !== '') {
				pieces.push(piece);
				piece = '';
				used = 0;
			}

			piece += char;
			used += w;
		}

		pieces.push(piece);
	}

	return pieces.length === 0 ? [''] : pieces;
}
