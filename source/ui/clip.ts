// Cutting text for the screen by display width (docs/dashboard.md): a CJK character or an emoji takes two
// columns, a colour code none, and a cut falls between whole characters as the terminal draws them
// (grapheme clusters: a surrogate pair, a flag, a ZWJ family, a letter with its accents). Every view
// that cuts text uses `clip`, `head` or `chunks`. A module of its own so that `dash --once` (plain text,
// no cutting) does not load the width tables at start-up.
import stringWidth from 'string-width';

/** Printable ASCII only: one column per character, so cutting by length is exact (the common case, and cheap). */
export const PLAIN = /^[\x20-\x7E]*$/;
/** An SGR colour code, as chalk writes them: kept whole, counted as no column. */
const SGR = /(\u001B\[[\d;:]*m)/;
/** Ends every style a cut may have left open (the cut dropped its closing code). */
const RESET = '\u001B[0m';
const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** The pieces of `text` in order: SGR codes (`code: true`) and the characters between them, each with its columns. */
function* pieces(text: string): Generator<{text: string; code: boolean; width: number}> {
	for (const [index, part] of text.split(SGR).entries()) {
		if (index % 2 === 1) {
			yield {text: part, code: true, width: 0};
			continue;
		}

		for (const {segment} of graphemes.segment(part)) {
			yield {text: segment, code: false, width: PLAIN.test(segment) ? segment.length : stringWidth(segment)};
		}
	}
}

/** Text cut to at most `width` columns, with an ellipsis when cut; ANSI colour codes kept and not counted. */
export function clip(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (PLAIN.test(text)) {
		return text.length <= width ? text : `${text.slice(0, width - 1)}${ELLIPSIS}`;
	}

	if (stringWidth(text) <= width) {
		return text;
	}

	let out = '';
	let used = 0;
	let styled = false;
	for (const piece of pieces(text)) {
		if (piece.code) {
			out += piece.text;
			styled = true;
		} else if (used + piece.width <= width - 1) {
			out += piece.text;
			used += piece.width;
		} else {
			break;
		}
	}

	return `${out}${ELLIPSIS}${styled ? RESET : ''}`;
}

/**
 * The start of `text` that covers `width` columns and, when the text goes on, the next character too, in whole
 * characters: cheap to paint and to `clip` for a long line whose end is off screen anyway.
 */
export function head(text: string, width: number): string {
	if (PLAIN.test(text)) {
		return text.slice(0, width + 1);
	}

	let out = '';
	let used = 0;
	for (const piece of pieces(text)) {
		if (used > width) {
			break;
		}

		out += piece.text;
		used += piece.width;
	}

	return out;
}

/** Text cut into pieces of at most `width` columns each (for wrapping); at least one piece, '' for empty text. */
export function chunks(text: string, width: number): string[] {
	const columns = Math.max(1, width);
	const out: string[] = [];
	if (PLAIN.test(text)) {
		for (let at = 0; at < text.length; at += columns) {
			out.push(text.slice(at, at + columns));
		}
	} else {
		let piece = '';
		let used = 0;
		for (const {text: char, width: w} of pieces(text)) {
			if (used + w > columns && piece !== '') {
				out.push(piece);
				piece = '';
				used = 0;
			}

			piece += char;
			used += w;
		}

		out.push(piece);
	}

	return out.length === 0 ? [''] : out;
}
