// One component's panel: a thin view over its status, progress and last error line.
import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ComponentStatus} from '../../engine/types.js';
import {clip} from '../clip.js';
import {lastErrorText} from '../../messages.js';
import {formatPanelBytes, formatPanelCpu, formatPanelUptime, formatAddress, formatProcess, formatReady} from '../format-panel.js';
import type {Progress} from '../stack-model.js';
import {BADGES, type BadgeColor as ColorName} from '../../state-badges.js';
import {COMPACT_PANEL_HEIGHT, PANEL_HEIGHT} from '../layout.js';

export type PanelProps = {
	status: ComponentStatus;
	selected: boolean;
	progress: Progress | undefined;
	restarts: number;
	/** Time-dependent texts, computed by the caller's clock so a memoised panel repaints only when they change: `last exit 3 · 12s ago`. */
	lastExit: string | undefined;
	/** `restarting in 3s`, in backoff. */
	countdown: string | undefined;
	lastError: string | undefined;
	color: string;
	width: number;
};

type PanelClock = Pick<PanelProps, 'lastExit' | 'countdown'>;

/** State shown: an action's progress wins over the last poll until the next poll sees the result. */
function shownState(status: ComponentStatus, progress: Progress | undefined) {
	return progress?.state ?? status.state;
}

function Badge({status, progress}: {status: ComponentStatus; progress: Progress | undefined}) {
	const state = shownState(status, progress);
	const badge = BADGES[state];
	return (
		<Text color={badge.color} bold>
			{badge.symbol} {state}
		</Text>
	);
}

function Title({status, selected, color}: Pick<PanelProps, 'status' | 'selected' | 'color'>) {
	return (
		<Text color={color} bold inverse={selected}>
			{selected ? '▶ ' : '  '}
			{status.name}
		</Text>
	);
}

/** `restarts 2 · last exit 3 · 12s ago`. */
function restartsText(restarts: number, clock: PanelClock): string {
	return clock.lastExit === undefined ? `restarts ${restarts}` : `restarts ${restarts} · ${clock.lastExit}`;
}

function orphansText(status: ComponentStatus): string {
	const n = status.orphans.length;
	return n === 0 ? 'orphans 0' : `orphans ${n} (${status.orphans.map((o) => o.pid).join(',')})`;
}

/** Colour of the reason line per state that explains itself with one (docs/lifecycle.md#status). */
const REASON_COLOR: Partial<Record<ComponentStatus['state'], ColorName>> = {crashed: 'red', failed: 'red', disabled: 'gray', exited: 'gray', starting: 'yellow'};

/** The line under the numbers: an action's progress, else the backoff countdown, else why it is disabled/crashed/failed/exited, else the last error. */
function noteOf(status: ComponentStatus, progress: Progress | undefined, clock: PanelClock, lastError: string | undefined): {text: string; color?: ColorName} {
	if (progress !== undefined) {
		return {text: progress.note, color: 'yellow'};
	}

	if (clock.countdown !== undefined) {
		return {text: status.reason === null ? clock.countdown : `${clock.countdown} (${status.reason})`, color: 'yellow'};
	}

	const reasonColor = REASON_COLOR[status.state];
	if (status.reason !== null && reasonColor !== undefined) {
		return {text: status.reason, color: reasonColor};
	}

	return lastError === undefined ? {text: 'no errors', color: 'gray'} : {text: lastErrorText(lastError), color: 'red'};
}

/** A bordered panel for wide terminals (side by side). */
export const ComponentPanel = memo(function ComponentPanel({status, selected, progress, restarts, lastExit, countdown, lastError, color, width}: PanelProps) {
	const clock = {lastExit, countdown};
	const inner = Math.max(4, width - 4);
	const note = noteOf(status, progress, clock, lastError);
	return (
		<Box flexDirection="column" width={width} height={PANEL_HEIGHT} borderStyle="round" borderColor={selected ? color : 'gray'} paddingX={1}>
			<Text wrap="truncate-end">
				<Title status={status} selected={selected} color={color} />
			</Text>
			<Text wrap="truncate-end">
				<Badge status={status} progress={progress} />
				{formatAddress(status) === '' ? '' : `  ${formatAddress(status)}`}
			</Text>
			<Text wrap="truncate-end">{formatProcess(status)}</Text>
			<Text wrap="truncate-end">
				cpu {formatPanelCpu(status.cpuPercent)} · mem {formatPanelBytes(status.rssBytes)} · {formatReady(status)}
			</Text>
			<Text wrap="truncate-end" color={status.orphans.length > 0 ? 'yellow' : undefined}>
				{restartsText(restarts, clock)} · {orphansText(status)}
			</Text>
			<Text wrap="truncate-end" color={note.color} bold={note.color === 'red'}>
				{clip(note.text, inner)}
			</Text>
		</Box>
	);
});

/** `:7234 · pid 4121 · ready · up 2m · cpu 0% · mem 43 MB`, or `:7234 · no process` (compact panels: what matters most first, as the right end may be cut). */
function compactFacts(status: ComponentStatus): string {
	const address = formatAddress(status);
	const facts = status.pid === null ? [formatProcess(status)] : [`pid ${status.pid}`, formatReady(status), `up ${formatPanelUptime(status.uptimeMs)}`, `cpu ${formatPanelCpu(status.cpuPercent)}`, `mem ${formatPanelBytes(status.rssBytes)}`];
	return (address === '' ? facts : [address, ...facts]).join(' · ');
}

/** Two lines per component for narrow terminals (stacked); the address comes first so a narrow terminal still shows it. */
export const CompactPanel = memo(function CompactPanel({status, selected, progress, restarts, lastExit, countdown, lastError, color, width}: PanelProps) {
	const clock = {lastExit, countdown};
	const note = noteOf(status, progress, clock, lastError);
	const counts = `    ${restartsText(restarts, clock)} · ${orphansText(status)} · `;
	return (
		<Box flexDirection="column" width={width} height={COMPACT_PANEL_HEIGHT}>
			<Text wrap="truncate-end">
				<Title status={status} selected={selected} color={color} /> <Badge status={status} progress={progress} /> {compactFacts(status)}
			</Text>
			<Text wrap="truncate-end">
				{counts}
				<Text color={note.color} bold={note.color === 'red'}>
					{clip(note.text, width - counts.length)}
				</Text>
			</Text>
		</Box>
	);
});
