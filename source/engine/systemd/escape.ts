// Text as systemd reads it (systemd.syntax(7), systemd.service(5) "Command lines", systemd.exec(5) EnvironmentFile=):
// every value written into a unit passes one of these, so a `%` or `$` in a user's argv reaches the program unchanged.
import {EXIT, FactError} from '../../errors.js';

/** C0 controls and DEL: a unit line (a path, a comment, User=) has no escape for them, and XML 1.0 none for most. */
const CONTROL = /[\u0000-\u001F\u007F]/;

/** `%` starts a specifier wherever systemd expands them (argv, paths, Description): doubled, it is a `%`. */
export function escapeSpecifiers(text: string): string {
	return text.replaceAll('%', '%%');
}

/** C-style escapes systemd undoes inside a quoted word; other control characters as \xNN. */
const C_ESCAPES: Record<string, string> = {'\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r'};

/**
 * One argv word of ExecStart=: double-quoted (spaces, quotes, a lone `;` stay one literal word), backslash and quote
 * escaped, `%` doubled, `$` doubled (ExecStart= expands `$VAR` and `${VAR}`; `$$` is a `$`).
 */
export function quoteArg(word: string): string {
	let out = '';
	for (const char of word) {
		const code = char.codePointAt(0) ?? 0;
		out += C_ESCAPES[char] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char === '%' ? '%%' : char === '$' ? '$$' : char);
	}

	return `"${out}"`;
}

/** A whole command line for ExecStart=/ExecStartPost=: each word quoted. */
export function commandLine(argv: readonly string[]): string {
	return argv.map((word) => quoteArg(word)).join(' ');
}

/**
 * One `NAME=value` line of an EnvironmentFile=: the value double-quoted with `\`, `"`, `$` and `` ` `` escaped (the file is
 * read without expansion, but a quoted value keeps spaces, `#` and trailing blanks); a newline stays inside the quotes.
 */
export function environmentLine(name: string, value: string): string {
	return `${name}="${value.replaceAll(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * Refuse (exit 2, one line) text that is written into a unit line or a property list as is: a newline there would start
 * a line of the writer's choosing (`ExecStartPre=…`). `what` names where the text comes from and how to fix it.
 */
export function refuseControl(text: string, what: string): void {
	if (CONTROL.test(text)) {
		throw new FactError({kind: 'control-character', what, text}, EXIT.usage);
	}
}

/** A path for keys that take one path (WorkingDirectory=, append:): specifiers escaped; systemd takes the rest as written, so no control characters. */
export function pathValue(file: string): string {
	refuseControl(file, 'the path');
	return escapeSpecifiers(file);
}
