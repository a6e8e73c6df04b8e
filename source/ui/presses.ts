// One terminal read as the key presses it holds. Ink hands over a read whole when it holds no escape
// sequence (it splits those out itself): typed fast, pasted, or `tmux send-keys '/poller' Enter`
// arrive as one string. The dashboard folds it press by press (docs/dashboard.md): text up to a
// `\r` is the search's, the `\r` closes the box, and what follows is keys again.
import type {KeyFlags} from './keymap.js';

/** The key flags a press carries (Ink's `Key`, the part the reducers read). */
export type PressKey = KeyFlags & {backspace?: boolean; delete?: boolean; meta?: boolean};

export type Press = {input: string; key: PressKey};

/** Control characters that are keys of their own, as Ink reads each alone (ink/build/parse-keypress.js). */
const CONTROL_KEYS: Record<string, PressKey> = {'\r': {return: true}, '\b': {backspace: true}, '\u007F': {delete: true}};

/** Ctrl+letter: Ink reads `\x01`…`\x1a` alone as Ctrl plus the letter (`\x03` is Ctrl-C). */
const CTRL_LETTER = /^[\u0001-\u001A]$/;

/** Ink's flags that make a read one key (Shift is only a capital letter's, and says nothing of the read). */
const KEY_FLAGS = ['ctrl', 'meta', 'return', 'escape', 'tab', 'backspace', 'delete', 'upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end'] as const;

/** A flag Ink set for the read as a whole: then it is one press (an arrow, PgUp, Alt+x, Ctrl-C). */
export const flagged = (key: Partial<Record<(typeof KEY_FLAGS)[number], boolean>>): boolean => KEY_FLAGS.some((name) => key[name] === true);

/**
 * What Ink hands over for the markers of a bracketed paste (`\e[200~` … `\e[201~`, asked for by run.tsx):
 * the sequence without its escape, no key flag. What comes between them is text, never keys (reducePaste).
 */
export const PASTE_START = '[200~';
export const PASTE_END = '[201~';

/** The presses of one read: a single key as Ink reported it, or each character of a plain chunk in turn. */
export function pressesOf(input: string, key: PressKey): Press[] {
	const chars = [...input];
	if (chars.length <= 1 || flagged(key)) {
		return [{input, key}];
	}

	return chars.map((char): Press => {
		const special = CONTROL_KEYS[char];
		if (special !== undefined) {
			return {input: '', key: special};
		}

		// Tab and newline stay characters: not searchable text (reduceTyping drops them), and no key.
		if (CTRL_LETTER.test(char) && char !== '\t' && char !== '\n') {
			return {input: String.fromCharCode(char.charCodeAt(0) + 96), key: {ctrl: true}};
		}

		return {input: char, key: {}};
	});
}
