// One component's panel: a thin view over its status, progress and last error line.
import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ComponentStatus} from '../../engine/types.js';
import {clip} from '../clip.js';
import {formatPanelBytes, formatPanelCpu, formatPanelUptime, formatReady} from '../format.js';
import type {Progress} from '../stack-model.js';
import {BADGES, type ColorName} from '../theme.js';

export type PanelProps = {
	status: ComponentStatus;
	selected: boolean;
	progress: Progress | undefined;
	restarts: number;
	lastError: string | undefined;
	color: string;
	width: number;
};

/** Rows a wide panel takes, borders included (the layout reserves them). */
export const PANEL_HEIGHT = 8;
/** Rows a narrow (stacked) panel takes. */
export const COMPACT_PANEL_HEIGHT = 2;

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

function orphansText(status: ComponentStatus): string {
	const n = status.orphans.length;
	return n === 0 ? 'orphans 0' : `orphans ${n} (${status.orphans.map((o) => o.pid).join(',')})`;
}

/** The line under the numbers: an action's progress, else why it is disabled/crashed, else the last error. */
function noteOf(status: ComponentStatus, progress: Progress | undefined, lastError: string | undefined): {text: string; color?: ColorName} {
	if (progress !== undefined) {
		return {text: progress.note, color: 'yellow'};
	}

	if (status.reason !== null && (status.state === 'disabled' || status.state === 'crashed')) {
		return {text: status.reason, color: status.state === 'crashed' ? 'red' : 'gray'};
	}

	return lastError === undefined ? {text: 'no errors', color: 'gray'} : {text: `last error: ${lastError}`, color: 'red'};
}

/** A bordered panel for wide terminals (side by side). */
export const ComponentPanel = memo(function ComponentPanel({status, selected, progress, restarts, lastError, color, width}: PanelProps) {
	const inner = Math.max(4, width - 4);
	const note = noteOf(status, progress, lastError);
	const pid = status.pid === null ? 'pid -' : `pid ${status.pid}`;
	return (
		<Box flexDirection="column" width={width} height={PANEL_HEIGHT} borderStyle="round" borderColor={selected ? color : 'gray'} paddingX={1}>
			<Text wrap="truncate-end">
				<Title status={status} selected={selected} color={color} />
			</Text>
			<Text wrap="truncate-end">
				<Badge status={status} progress={progress} />
				{status.port === null || status.state === 'disabled' ? '' : `  :${status.port}`}
			</Text>
			<Text wrap="truncate-end">
				{pid} · up {formatPanelUptime(status.uptimeMs)}
			</Text>
			<Text wrap="truncate-end">
				cpu {formatPanelCpu(status.cpuPercent)} · mem {formatPanelBytes(status.rssBytes)} · {formatReady(status)}
			</Text>
			<Text wrap="truncate-end" color={status.orphans.length > 0 ? 'yellow' : undefined}>
				restarts {restarts} · {orphansText(status)}
			</Text>
			<Text wrap="truncate-end" color={note.color}>
				{clip(note.text, inner)}
			</Text>
		</Box>
	);
});

/** Two lines per component for narrow terminals (stacked). */
export const CompactPanel = memo(function CompactPanel({status, selected, progress, restarts, lastError, color, width}: PanelProps) {
	const note = noteOf(status, progress, lastError);
	const pid = status.pid === null ? 'pid -' : `pid ${status.pid}`;
	return (
		<Box flexDirection="column" width={width} height={COMPACT_PANEL_HEIGHT}>
			<Text wrap="truncate-end">
				<Title status={status} selected={selected} color={color} /> <Badge status={status} progress={progress} /> {pid} · up {formatPanelUptime(status.uptimeMs)} · cpu{' '}
				{formatPanelCpu(status.cpuPercent)} · mem {formatPanelBytes(status.rssBytes)} · {formatReady(status)}
			</Text>
			<Text wrap="truncate-end">
				{'    '}restarts {restarts} · {orphansText(status)} · <Text color={note.color}>{clip(note.text, width - `    restarts ${restarts} · ${orphansText(status)} · `.length)}</Text>
			</Text>
		</Box>
	);
});
