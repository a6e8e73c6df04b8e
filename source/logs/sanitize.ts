// Untrusted text made safe for a terminal (docs/logs.md, docs/dashboard.md): the one place every log line, quoted stderr
// line or last-error line passes before a terminal sees it. A component's colour (SGR) sequences are
// kept only when our output is coloured; every other escape sequence (OSC window titles and clipboard
// writes, cursor movement, screen clearing, DCS…) and every other control character but tab is shown
// as literal `\xHH` text, so `ESC]0;PWNED BEL` prints as `\x1b]0;PWNED\x07` and does nothing.
// It lives in logs/ (a leaf every layer may import) beside the parser, which reads through the same
// sequences (Node's stripVTControlCharacters) to find a coloured line's time and level.

/** SGR: `ESC [ params m` (colours and styles), the only sequence a terminal may see from a log. */
const SGR = /\u001B\[[\d;:]*m/g;
/** One SGR sequence, or one control character that is not tab: C0, DEL and C1 (U+0080–U+009F). */
const UNSAFE = /\u001B\[[\d;:]*m|[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/g;
/** Any control character that is not tab: text without one is returned as it is. */
const ANY_CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;
const RESET = '\u001B[0m';

/** `\x1b`: how a control character is shown. */
function escaped(char: string): string {
	const code = char.charCodeAt(0);
	return `\\x${code < 16 ? '0' : ''}${code.toString(16)}`;
}

/**
 * Text safe for a terminal: colour sequences kept when `color` (with a reset after the last, so a
 * component's colour never bleeds past its line) and dropped otherwise; every other control
 * character but tab (and with it every other escape sequence) shown as `\xHH`.
 */
export function safeText(text: string, options: {color: boolean}): string {
	if (!ANY_CONTROL.test(text)) {
		return text;
	}

	let kept = false;
	const safe = text.replace(UNSAFE, (match) => {
		if (match.length === 1) {
			return escaped(match);
		}

		kept ||= options.color;
		return options.color ? match : '';
	});
	return kept ? `${safe}${RESET}` : safe;
}

/** The text without its colour (SGR) sequences and nothing else changed: `--json` `text`. */
export function stripColor(text: string): string {
	return text.includes('\u001B') ? text.replace(SGR, '') : text;
}
