// What the keys do to the view, as a pure reducer: selection, log filters, scroll, search, help.
// Key presses are folded one by one into the newest state, so fast typing never acts on a stale view.
import {itemAt} from '../item-at.js';
import {commandFor, needsConfirm, type KeyCommand} from './keymap.js';
import {FOLLOW, filterLines, reveal, scrollBy, scrollTop, stepMatch, windowStart, type Scroll} from './log-model.js';
import {openedRows} from './line-view.js';
import type {Press} from './presses.js';
import type {ComponentInfo, DashLine} from './types.js';

export type UiState = {
	selected: number;
	filterComponent: string | null;
	errorsOnly: boolean;
	scroll: Scroll;
	/** The search prompt is open and takes the keys. */
	typing: boolean;
	query: string;
	/** The search match the user jumped to (a line seq), highlighted. */
	currentSeq: number | null;
	helpOpen: boolean;
	/** A whole-stack action waiting for `y`. */
	confirming: 'restartAll' | 'stopAll' | null;
	/** The line opened whole with Enter, and the first of its rows shown. */
	opened: {line: DashLine; top: number} | null;
	/** Long lines wrap in the pane instead of being cut at the edge. */
	wrap: boolean;
};

/** First component selected, all logs, following, no search, no overlay. */
export const INITIAL_UI: UiState = {selected: 0, filterComponent: null, errorsOnly: false, scroll: FOLLOW, typing: false, query: '', currentSeq: null, helpOpen: false, confirming: null, opened: null, wrap: false};

/** What the reducer needs to know about the world at the moment of the key press. */
export type UiContext = {
	components: readonly ComponentInfo[];
	lines: DashLine[];
	logHeight: number;
	/** The opened line's place: its width in columns and its height in rows. */
	openWidth: number;
	openHeight: number;
};

/** Side effects the reducer asks for; the hook carries them out. */
export type Effect =
	| {type: 'act'; kind: 'restart' | 'stop' | 'restartAll' | 'stopAll'; target: ComponentInfo | undefined}
	| {type: 'quit'}
	| {type: 'say'; text: string; tone?: 'info' | 'error'};

/** The lines the pane shows under the state's filters; a search shows only its matches. */
export function viewLines(state: UiState, lines: DashLine[]): DashLine[] {
	return filterLines(lines, {component: state.filterComponent, errorsOnly: state.errorsOnly, query: state.query});
}

/** The state with search match `index` (an index into `lines`) current and in view. */
function showMatch(state: UiState, lines: readonly DashLine[], index: number, height: number): UiState {
	return {...state, currentSeq: itemAt(lines, index).seq, scroll: reveal(lines, index, height)};
}

/** A key of the keymap. */
export function reduceKeyCommand(state: UiState, command: KeyCommand, ctx: UiContext): {state: UiState; effect?: Effect} {
	const count = ctx.components.length;
	const selected = Math.min(state.selected, Math.max(0, count - 1));
	const lines = viewLines(state, ctx.lines);
	const page = Math.max(1, ctx.logHeight - 1);
	const jump = (forward: boolean, currentSeq: number | null): {state: UiState; effect?: Effect} => {
		// Under a search the pane shows only matches: every line in view is one.
		const matches = state.query === '' ? [] : lines.map((_, i) => i);
		const index = stepMatch(lines, matches, currentSeq, windowStart(lines, state.scroll, ctx.logHeight), forward);
		if (index === undefined) {
			return {state, effect: {type: 'say', text: state.query === '' ? 'no search: press / to search' : `no match for "${state.query}"`}};
		}

		return {state: showMatch(state, lines, index, ctx.logHeight)};
	};

	switch (command) {
		case 'up': {
			return {state: {...state, selected: Math.max(0, selected - 1)}};
		}

		case 'down': {
			return {state: {...state, selected: Math.min(Math.max(0, count - 1), selected + 1)}};
		}

		case 'restartAll':
		case 'stopAll': {
			if (needsConfirm(command)) {
				// The status line shows the question while it is pending (confirmPrompt), above any event that arrives meanwhile.
				return {state: {...state, confirming: command}};
			}

			return {state, effect: {type: 'act', kind: command, target: undefined}};
		}

		case 'restart':
		case 'stop': {
			return {state, effect: {type: 'act', kind: command, target: ctx.components[selected]}};
		}

		case 'filter': {
			const name = ctx.components[selected]?.name ?? null;
			return {state: {...state, filterComponent: state.filterComponent === name ? null : name, scroll: FOLLOW}};
		}

		case 'errors': {
			return {state: {...state, errorsOnly: !state.errorsOnly, scroll: FOLLOW}};
		}

		case 'search': {
			return {state: {...state, typing: true, query: '', currentSeq: null}};
		}

		case 'next':
		case 'previous': {
			return jump(command === 'next', state.currentSeq);
		}

		case 'open': {
			return open(state, lines, ctx);
		}

		case 'close': {
			return {state: state.query === '' ? state : {...state, query: '', currentSeq: null, scroll: FOLLOW}};
		}

		case 'wrap': {
			return {state: {...state, wrap: !state.wrap}};
		}

		case 'pageUp':
		case 'pageDown': {
			return {state: {...state, scroll: scrollBy(lines, state.scroll, ctx.logHeight, command === 'pageUp' ? -page : page)}};
		}

		case 'top': {
			return {state: {...state, scroll: scrollTop(lines)}};
		}

		case 'bottom': {
			return {state: {...state, scroll: FOLLOW}};
		}

		case 'help': {
			return {state: {...state, helpOpen: !state.helpOpen}};
		}

		case 'quit': {
			return {state, effect: {type: 'quit'}};
		}
	}
}

/** One key press, wherever it lands: the opened line, the search box, a pending confirmation, the help, else the keymap. */
export function reducePress(state: UiState, {input, key}: Press, ctx: UiContext): {state: UiState; effect?: Effect} {
	if (state.opened !== null) {
		return reduceOpened(state, commandFor(input, key), ctx);
	}

	if (state.typing) {
		return reduceTyping(state, input, key, ctx);
	}

	if (state.confirming !== null) {
		return reduceConfirm(state, input);
	}

	const command = commandFor(input, key);
	if (state.helpOpen && command !== 'help') {
		return {state: key.escape === true || command === 'quit' ? {...state, helpOpen: false} : state};
	}

	return command === undefined ? {state} : reduceKeyCommand(state, command, ctx);
}

/**
 * A bracketed paste (run.tsx asks the terminal for them): text for the search box, which it opens (a leading `/`
 * is the key that opens it), never keys. Over an opened line, the help or a pending question it is dropped.
 */
export function reducePaste(state: UiState, text: string, ctx: UiContext): {state: UiState} {
	if (state.opened !== null || state.helpOpen || state.confirming !== null) {
		return {state};
	}

	const open = state.typing ? state : {...state, typing: true, query: '', currentSeq: null};
	return {state: reduceTyping(open, state.typing ? text : text.replace(/^\//, ''), {}, ctx).state};
}

/** Enter: the current search match, else the newest line in view, opened whole. */
function open(state: UiState, lines: readonly DashLine[], ctx: UiContext): {state: UiState; effect?: Effect} {
	const current = state.currentSeq === null ? undefined : lines.find((l) => l.seq === state.currentSeq);
	const newestInView = lines[Math.min(lines.length, windowStart(lines, state.scroll, ctx.logHeight) + ctx.logHeight) - 1];
	const line = current ?? newestInView;
	if (line === undefined) {
		return {state, effect: {type: 'say', text: 'no log line to open', tone: 'info'}};
	}

	return {state: {...state, opened: {line, top: 0}}};
}

/** A key while a line is open: scroll keys move through it; Esc, Enter and q close it; every other key waits. */
export function reduceOpened(state: UiState, command: KeyCommand | undefined, ctx: UiContext): {state: UiState} {
	const {opened} = state;
	if (opened === null) {
		return {state};
	}

	const rows = openedRows(opened.line, ctx.openWidth).length;
	const last = Math.max(0, rows - ctx.openHeight);
	const page = Math.max(1, ctx.openHeight - 1);
	const move: Partial<Record<KeyCommand, number>> = {up: -1, down: 1, pageUp: -page, pageDown: page, top: -rows, bottom: rows};
	if (command === 'close' || command === 'open' || command === 'quit') {
		return {state: {...state, opened: null}};
	}

	const delta = command === undefined ? undefined : move[command];
	if (delta === undefined) {
		return {state};
	}

	return {state: {...state, opened: {...opened, top: Math.min(last, Math.max(0, opened.top + delta))}}};
}

/** The question a pending whole-stack action asks on the status line until the next key answers it. */
export function confirmPrompt(kind: NonNullable<UiState['confirming']>): string {
	return `${kind === 'stopAll' ? 'Stop' : 'Restart'} the whole stack? y to confirm, any other key cancels`;
}

/** The key after a whole-stack action asked for confirmation: `y` acts, anything else cancels. */
export function reduceConfirm(state: UiState, input: string): {state: UiState; effect: Effect} {
	const kind = state.confirming;
	const next = {...state, confirming: null};
	if (kind !== null && input === 'y') {
		return {state: next, effect: {type: 'act', kind, target: undefined}};
	}

	return {state: next, effect: {type: 'say', text: 'cancelled', tone: 'info'}};
}

/** Control characters: never part of a search. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

/** A key while the search prompt is open: Enter keeps the search and jumps to the newest match. */
export function reduceTyping(state: UiState, input: string, key: {escape?: boolean; return?: boolean; backspace?: boolean; delete?: boolean; ctrl?: boolean; meta?: boolean}, ctx: UiContext): {state: UiState; effect?: Effect} {
	if (key.ctrl && input === 'c') {
		return {state, effect: {type: 'quit'}};
	}

	if (key.escape) {
		return {state: {...state, typing: false, query: '', currentSeq: null}};
	}

	if (key.return) {
		const closed = {...state, typing: false};
		const lines = viewLines(closed, ctx.lines);
		if (lines.length === 0) {
			return {state: closed, effect: closed.query === '' ? undefined : {type: 'say', text: `no match for "${closed.query}"`}};
		}

		// The pane keeps only the matches: the newest is the last line.
		return {state: closed.query === '' ? closed : showMatch(closed, lines, lines.length - 1, ctx.logHeight)};
	}

	if (key.backspace || key.delete) {
		return {state: {...state, query: state.query.slice(0, -1)}};
	}

	// Text, typed or pasted; control characters (a paste's stray escapes, tabs, newlines) are not searchable text.
	const text = input.replaceAll(CONTROL, '');
	if (text !== '' && !key.ctrl && !key.meta) {
		return {state: {...state, query: state.query + text}};
	}

	return {state};
}
