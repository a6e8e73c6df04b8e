// The one key table (STYLE habit 4): input handling, the footer, the `?` overlay and the README
// key table are all generated from KEYMAP. No key is handled anywhere else.

/** What a key does (a key command; not a lifecycle action): the app maps each to a handler. */
export const KEY_COMMANDS = {
	up: 'up',
	down: 'down',
	restart: 'restart',
	stop: 'stop',
	restartAll: 'restartAll',
	stopAll: 'stopAll',
	filter: 'filter',
	errors: 'errors',
	search: 'search',
	open: 'open',
	close: 'close',
	wrap: 'wrap',
	next: 'next',
	previous: 'previous',
	pageUp: 'pageUp',
	pageDown: 'pageDown',
	top: 'top',
	bottom: 'bottom',
	help: 'help',
	quit: 'quit',
} as const;
export type KeyCommand = (typeof KEY_COMMANDS)[keyof typeof KEY_COMMANDS];

/** The special keys Ink reports as flags (a subset of Ink's `Key`). */
export type SpecialKey = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'escape' | 'return';

/** One way to press a binding: a printable character, a special key, or Ctrl+character. */
export type KeySpec = {input: string; ctrl?: boolean} | {special: SpecialKey};

export type Binding = {
	command: KeyCommand;
	keys: KeySpec[];
	/** How the keys are written in the footer, help and README. */
	label: string;
	/** Short footer text. */
	short: string;
	/** One sentence for the help overlay and the README. */
	help: string;
	/** Changes what runs: shown in red so it is never pressed by accident. */
	dangerous: boolean;
	/** Acts on the whole stack: asks for `y` first, as k9s and lazygit do. */
	confirm?: boolean;
	/** Listed in the one-line footer (the overlay lists every binding). */
	footer: boolean;
	/** Footer label when it differs from `label` (one entry standing for a pair of keys). */
	footerLabel?: string;
	/** Kept in the footer however narrow the terminal (the way to help and out); the others give way from the end. */
	footerAlways?: boolean;
};

/** Every key of the dashboard, in the order the help overlay and README list them. */
export const KEYMAP: readonly Binding[] = [
	{command: 'up', keys: [{special: 'upArrow'}, {input: 'k'}], label: '↑ / k', short: 'select', help: 'Select the previous component', dangerous: false, footer: true, footerLabel: '↑↓/jk'},
	{command: 'down', keys: [{special: 'downArrow'}, {input: 'j'}], label: '↓ / j', short: 'select', help: 'Select the next component', dangerous: false, footer: false},
	{command: 'restart', keys: [{input: 'r'}], label: 'r', short: 'restart', help: 'Restart the selected one: orphan cleanup, then `server start NAME`', dangerous: true, footer: true},
	{command: 'stop', keys: [{input: 's'}], label: 's', short: 'stop', help: 'Stop the selected component gracefully, as `server stop NAME`', dangerous: true, footer: true},
	{command: 'restartAll', keys: [{input: 'R'}], label: 'R', short: 'restart all', help: 'Restart the whole stack, as `server start` (asks y to confirm)', dangerous: true, confirm: true, footer: true},
	{command: 'stopAll', keys: [{input: 'S'}], label: 'S', short: 'stop all', help: 'Stop the whole stack, as `server stop` (asks y to confirm)', dangerous: true, confirm: true, footer: true},
	{command: 'filter', keys: [{input: 'f'}], label: 'f', short: 'filter', help: 'Show only the selected component\'s logs (again: all components)', dangerous: false, footer: true},
	{command: 'errors', keys: [{input: 'e'}], label: 'e', short: 'errors', help: 'Show only error lines (again: every line)', dangerous: false, footer: true},
	{command: 'search', keys: [{input: '/'}], label: '/', short: 'search', help: 'Search: only lines that match, k/N shown (Enter keeps, Esc clears)', dangerous: false, footer: true},
	{command: 'next', keys: [{input: 'n'}], label: 'n', short: 'next', help: 'Jump to the next search match', dangerous: false, footer: false},
	{command: 'previous', keys: [{input: 'N'}], label: 'N', short: 'prev', help: 'Jump to the previous search match', dangerous: false, footer: false},
	{command: 'open', keys: [{special: 'return'}], label: 'Enter', short: 'open', help: 'Open the current match (else the newest line in view) whole', dangerous: false, footer: false},
	{command: 'close', keys: [{special: 'escape'}], label: 'Esc', short: 'close', help: 'Close the open line or the help; else clear the search', dangerous: false, footer: false},
	{command: 'wrap', keys: [{input: 'w'}], label: 'w', short: 'wrap', help: 'Wrap long log lines (again: cut them at the edge)', dangerous: false, footer: false},
	{command: 'pageUp', keys: [{special: 'pageUp'}], label: 'PgUp', short: 'scroll', help: 'Scroll the logs up a page (pauses following)', dangerous: false, footer: true, footerLabel: 'PgUp/PgDn'},
	{command: 'pageDown', keys: [{special: 'pageDown'}], label: 'PgDn', short: 'scroll', help: 'Scroll the logs down a page (follows again at the end)', dangerous: false, footer: false},
	{command: 'top', keys: [{input: 'g'}, {special: 'home'}], label: 'g / Home', short: 'top', help: 'Jump to the oldest buffered line (pauses following)', dangerous: false, footer: false},
	{command: 'bottom', keys: [{input: 'G'}, {special: 'end'}], label: 'G / End', short: 'follow', footerLabel: 'G', help: 'Jump to the newest line and follow the tail', dangerous: false, footer: true},
	{command: 'help', keys: [{input: '?'}], label: '?', short: 'help', help: 'Show or hide the key help', dangerous: false, footer: true, footerAlways: true},
	{command: 'quit', keys: [{input: 'q'}, {input: 'c', ctrl: true}], label: 'q / Ctrl-C', short: 'quit', help: 'Quit the dashboard; the stack keeps running', dangerous: false, footer: true, footerAlways: true, footerLabel: 'q'},
];

/** The subset of Ink's `Key` the table needs; keeps this file free of an Ink import. */
export type KeyFlags = Partial<Record<SpecialKey | 'ctrl', boolean>>;

/** The command bound to a key press, if any. */
export function commandFor(input: string, key: KeyFlags): KeyCommand | undefined {
	for (const binding of KEYMAP) {
		for (const spec of binding.keys) {
			if ('special' in spec ? key[spec.special] === true : input === spec.input && Boolean(key.ctrl) === Boolean(spec.ctrl)) {
				return binding.command;
			}
		}
	}

	return undefined;
}

/** Whether a binding asks for confirmation before it acts. */
export function needsConfirm(command: KeyCommand): boolean {
	return KEYMAP.some((b) => b.command === command && b.confirm === true);
}

/** The footer's bindings, in table order. */
export function footerBindings(): Binding[] {
	return KEYMAP.filter((b) => b.footer);
}

/** The README key table, as Markdown. */
export function keyTableMarkdown(): string {
	const rows = KEYMAP.map((b) => `| \`${b.label.replaceAll(' / ', '` / `')}\` | ${b.help}${b.dangerous ? ' (acts on the stack)' : ''} |`);
	return ['| key | what it does |', '|---|---|', ...rows].join('\n');
}
