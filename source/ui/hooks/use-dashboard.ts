// The dashboard's controller: combines the stack, logs and actions models and folds every key,
// through the keymap table, into the pure UI reducer. The app component only lays out the result.
import {useApp, useInput, useStdin} from 'ink';
import {useEffect, useMemo, useReducer, useRef} from 'react';
import type {ComponentStatus} from '../../engine/types.js';
import {computeLayout, type Layout} from '../layout.js';
import {windowStart} from '../log-model.js';
import {newsLine, unknownStatus} from '../stack-model.js';
import type {ComponentInfo, DashDeps, DashLine} from '../types.js';
import {flagged, PASTE_END, PASTE_START, pressesOf} from '../presses.js';
import {INITIAL_UI, reducePaste, reducePress, viewLines, type Effect, type UiContext, type UiState} from '../ui-state.js';
import {plural} from '../../units.js';
import {useLifecycle, type LifecycleModel} from './use-lifecycle.js';
import {useLogs} from './use-logs.js';
import {useStack, type StackModel} from './use-stack.js';
import type {Size} from './use-terminal-size.js';

export type DashboardModel = {
	layout: Layout;
	stack: StackModel;
	lifecycle: LifecycleModel;
	/** One status per configured component, in status's order (placeholders from the config until the first poll). */
	components: ComponentStatus[];
	ui: UiState;
	lastErrors: Map<string, DashLine>;
	view: {lines: DashLine[]; version: number; start: number; header: string; matches: number; empty: string};
	logError: string | null;
};

/** A status row as an action target: disabled ones carry their reason. */
function infoOf(c: ComponentStatus): ComponentInfo {
	return {name: c.name, enabled: c.enabled && c.state !== 'disabled', disabledReason: c.reason};
}

/** Everything the layout needs, live. `onQuit` runs before Ink exits (the entry restores the terminal). */
export function useDashboard(deps: DashDeps, size: Size, options: {capacity?: number; onQuit?: () => void} = {}): DashboardModel {
	const {exit} = useApp();
	// Without a terminal on stdin (`stigmer dash < /dev/null`) there are no keys; Ctrl-C (SIGINT) still quits.
	const keys = useStdin().isRawModeSupported === true;
	const stack = useStack(deps);
	const lifecycle = useLifecycle(deps, stack.refresh, stack.reportStartedAt);
	// What changed from outside (a crash, give-up, stop or start) takes the status line, but for our own action at
	// work: while one runs, nothing; after, not the components whose progress still shows (a poll begun before it ended).
	const {announcement} = stack;
	const {busy, progress, setMessage} = lifecycle;
	useEffect(() => {
		const line = announcement === null || busy !== null ? undefined : newsLine(announcement.news, (component) => progress[component] !== undefined);
		if (line !== undefined) {
			setMessage(line);
		}
	}, [announcement, setMessage]);
	// The UI state lives in a ref so that keys arriving faster than renders fold into the newest state.
	const ui = useRef<UiState>(INITIAL_UI);
	/** Inside a bracketed paste: all of it is text, so a pasted newline never presses Enter, nor a pasted `r` restart. */
	const pasting = useRef(false);
	const [, rerender] = useReducer((n: number) => n + 1, 0);

	// Once status has answered, its list is the config as it is now: components added to or removed
	// from config.yaml meanwhile come and go, their logs with them (docs/dashboard.md).
	const components = useMemo(() => stack.report?.components ?? deps.components.map((c) => unknownStatus(c.name, c.enabled, c.disabledReason)), [stack.report, deps.components]);
	const names = useMemo(() => components.map((c) => c.name), [components]);
	const logs = useLogs(deps.logs, names, options.capacity);

	const layout = computeLayout(size.columns, size.rows, components.length);
	const live = useRef({components, layout, lifecycle});
	live.current = {components, layout, lifecycle};

	const perform = (effect: Effect | undefined) => {
		if (effect?.type === 'act') {
			live.current.lifecycle.run(effect.kind, effect.target);
		} else if (effect?.type === 'say') {
			live.current.lifecycle.setMessage({text: effect.text, tone: effect.tone ?? 'error'});
		} else if (effect?.type === 'quit') {
			options.onQuit?.();
			exit();
		}
	};

	useInput((input, key) => {
		const {layout: now} = live.current;
		const ctx: UiContext = {components: live.current.components.map(infoOf), lines: logs.buffer.lines, logHeight: now.logHeight, openWidth: now.columns, openHeight: openedHeight(now)};
		const before = ui.current;
		if (input === PASTE_START || input === PASTE_END) {
			pasting.current = input === PASTE_START;
			return;
		}

		// Esc ends a paste whose end mark got lost: it must not swallow every key after it.
		pasting.current &&= !key.escape;
		// A read may hold many presses (typed fast, `tmux send-keys 'text' Enter`): each lands where the one before left the view.
		const presses = pasting.current ? [] : pressesOf(input, key);
		if (pasting.current && !flagged(key)) {
			ui.current = reducePaste(before, input, ctx).state;
		}

		for (const press of presses) {
			const {state, effect} = reducePress(ui.current, press, ctx);
			ui.current = state;
			perform(effect);
			if (effect?.type === 'quit') {
				break;
			}
		}

		if (ui.current !== before) {
			rerender();
		}
	}, {isActive: keys});

	const state = ui.current;
	const lines = useMemo(() => viewLines(state, logs.buffer.lines), [logs.version, logs.buffer, state.filterComponent, state.errorsOnly, state.query]);
	const start = windowStart(lines, state.scroll, layout.logHeight);
	const filterText = [state.filterComponent === null ? 'all components' : `only ${state.filterComponent}`, state.errorsOnly ? 'errors only' : null, state.wrap ? 'wrap' : null].filter(Boolean).join(' · ');
	const followText = state.scroll.follow ? 'following' : `paused at ${start + 1}/${lines.length} (G to follow)`;
	return {
		layout,
		stack,
		lifecycle,
		components,
		ui: {...state, selected: Math.min(state.selected, Math.max(0, components.length - 1))},
		lastErrors: logs.buffer.lastError,
		view: {lines, version: logs.version, start, header: `── logs · ${filterText} · ${followText}${searchText(state, lines)} `, matches: state.query === '' ? 0 : lines.length, empty: emptyText(state, logs.buffer.lines.length)},
		logError: logs.error ?? (keys ? null : 'stdin is not a terminal: keys are off; Ctrl-C quits'),
	};
}

/** Rows an opened line may use: the panels' and log pane's place, less its own header. */
export function openedHeight(layout: Layout): number {
	return Math.max(1, layout.panelsHeight + layout.logHeight);
}

/** ` · search "q" k/N` (the current match of N), or ` · search "q" N matches` before one is current. */
function searchText(state: UiState, lines: readonly DashLine[]): string {
	if (state.query === '') {
		return '';
	}

	const k = state.currentSeq === null ? -1 : lines.findIndex((l) => l.seq === state.currentSeq);
	return ` · search "${state.query}" ${k >= 0 ? `${k + 1}/${lines.length}` : `${lines.length} ${plural(lines.length, 'match', 'matches')}`}`;
}

/** What an empty pane says: why nothing is shown under the filters, or that nothing came yet. */
function emptyText(state: UiState, buffered: number): string {
	if (state.query !== '') {
		return `no line matches "${state.query}"`;
	}

	if (state.errorsOnly) {
		return 'no error lines';
	}

	if (state.filterComponent !== null && buffered > 0) {
		return `no lines from ${state.filterComponent} yet`;
	}

	return 'no log lines yet';
}
