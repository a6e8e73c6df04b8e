// The one key table (STYLE habit 4): input handling, the footer, the `?` overlay and the README
// key table are all generated from KEYMAP. No key is handled anywhere else.

/** What a key does; the app maps each to a handler. */
export const ACTIONS = {
	up: 'up',
	down: 'down',
	restart: 'restart',
	stop: 'stop',
	restartAll: 'restartAll',
	stopAll: 'stopAll',
	filter: 'filter',
	errors: 'errors',
	search: 'search',
	next: 'next',
	previous: 'previous',
	pageUp: 'pageUp',
	pageDown: 'pageDown',
	top: 'top',
	bottom: 'bottom',
	help: 'help',
	quit: 'quit',
} as const;
export type Action = (typeof ACTIONS)[keyof typeof ACTIONS];

/** The special keys Ink reports as flags (a subset of Ink's `Key`). */
export type SpecialKey = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'escape' | 'return';

/** One way to press a binding: a printable character, a special key, or Ctrl+character. */
export type KeySpec = {input: string; ctrl?: boolean} | {special: SpecialKey};

export type Binding = {
	action: Action;
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
};

/** Every key of the dashboard, in the order the help overlay and README list them. */
export const KEYMAP: readonly Binding[] = [
	{action: 'up', keys: [{special: 'upArrow'}, {input: 'k'}], label: '↑ / k', short: 'select', help: 'Select the previous component', dangerous: false, footer: true, footerLabel: '↑↓/jk'},
	{action: 'down', keys: [{special: 'downArrow'}, {input: 'j'}], label: '↓ / j', short: 'select', help: 'Select the next component', dangerous: false, footer: false},
	{action: 'restart', keys: [{input: 'r'}], label: 'r', short: 'restart', help: 'Restart the selected component (orphan cleanup, then start), as `server start NAME`', dangerous: true, footer: true},
	{action: 'stop', keys: [{input: 's'}], label: 's', short: 'stop', help: 'Stop the selected component gracefully, as `server stop NAME`', dangerous: true, footer: true},
	{action: 'restartAll', keys: [{input: 'R'}], label: 'R', short: 'restart all', help: 'Restart the whole stack, as `server start` (asks y to confirm)', dangerous: true, confirm: true, footer: true},
	{action: 'stopAll', keys: [{input: 'S'}], label: 'S', short: 'stop all', help: 'Stop the whole stack, as `server stop` (asks y to confirm)', dangerous: true, confirm: true, footer: true},
	{action: 'filter', keys: [{input: 'f'}], label: 'f', short: 'filter', help: 'Show only the selected component\'s logs (again: all components)', dangerous: false, footer: true},
	{action: 'errors', keys: [{input: 'e'}], label: 'e', short: 'errors', help: 'Show only error lines (again: every line)', dangerous: false, footer: true},
	{action: 'search', keys: [{input: '/'}], label: '/', short: 'search', help: 'Search the logs (Enter to keep, Esc to clear); matches are highlighted', dangerous: false, footer: true},
	{action: 'next', keys: [{input: 'n'}], label: 'n', short: 'next', help: 'Jump to the next search match', dangerous: false, footer: false},
	{action: 'previous', keys: [{input: 'N'}], label: 'N', short: 'prev', help: 'Jump to the previous search match', dangerous: false, footer: false},
	{action: 'pageUp', keys: [{special: 'pageUp'}], label: 'PgUp', short: 'scroll', help: 'Scroll the logs up a page (pauses following)', dangerous: false, footer: true, footerLabel: 'PgUp/PgDn'},
	{action: 'pageDown', keys: [{special: 'pageDown'}], label: 'PgDn', short: 'scroll', help: 'Scroll the logs down a page (follows again at the end)', dangerous: false, footer: false},
	{action: 'top', keys: [{input: 'g'}, {special: 'home'}], label: 'g / Home', short: 'top', help: 'Jump to the oldest buffered line (pauses following)', dangerous: false, footer: false},
	{action: 'bottom', keys: [{input: 'G'}, {special: 'end'}], label: 'G / End', short: 'follow', footerLabel: 'G', help: 'Jump to the newest line and follow the tail', dangerous: false, footer: true},
	{action: 'help', keys: [{input: '?'}], label: '?', short: 'help', help: 'Show or hide the key help', dangerous: false, footer: true},
	{action: 'quit', keys: [{input: 'q'}, {input: 'c', ctrl: true}], label: 'q / Ctrl-C', short: 'quit', help: 'Quit the dashboard; the stack keeps running', dangerous: false, footer: true},
];

/** The subset of Ink's `Key` the table needs; keeps this file free of an Ink import. */
export type KeyFlags = Partial<Record<SpecialKey | 'ctrl', boolean>>;

/** The action bound to a key press, if any. */
export function actionFor(input: string, key: KeyFlags): Action | undefined {
	for (const binding of KEYMAP) {
		for (const spec of binding.keys) {
			if ('special' in spec ? key[spec.special] === true : input === spec.input && Boolean(key.ctrl) === Boolean(spec.ctrl)) {
				return binding.action;
			}
		}
	}

	return undefined;
}

/** Whether a binding asks for confirmation before it acts. */
export function needsConfirm(action: Action): boolean {
	return KEYMAP.some((b) => b.action === action && b.confirm === true);
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
