// The log pane: renders only the visible window of the (filtered) buffer, one memoised row per line.
import {Box, Text} from 'ink';
import {memo} from 'react';
import {formatClock} from '../format.js';
import {componentColor, levelColor} from '../theme.js';
import type {DashLine} from '../types.js';

export type LogPaneProps = {
	lines: readonly DashLine[];
	start: number;
	height: number;
	width: number;
	query: string;
	currentSeq: number | null;
	header: string;
	/** Longest component name, for aligned columns. */
	nameWidth: number;
};

/** Split text around case-insensitive matches of `query`, for highlighting. */
export function splitMatches(text: string, query: string): Array<{text: string; match: boolean}> {
	if (query === '') {
		return [{text, match: false}];
	}

	const parts: Array<{text: string; match: boolean}> = [];
	const lower = text.toLowerCase();
	const needle = query.toLowerCase();
	let at = 0;
	for (let found = lower.indexOf(needle); found !== -1; found = lower.indexOf(needle, at)) {
		if (found > at) {
			parts.push({text: text.slice(at, found), match: false});
		}

		parts.push({text: text.slice(found, found + needle.length), match: true});
		at = found + needle.length;
	}

	if (at < text.length) {
		parts.push({text: text.slice(at), match: false});
	}

	return parts;
}

type RowProps = {line: DashLine; color: string; query: string; current: boolean; width: number; nameWidth: number};

const LogRow = memo(function LogRow({line, color, query, current, width, nameWidth}: RowProps) {
	const stderr = line.stream === 'stderr';
	const pad = ' '.repeat(Math.max(0, nameWidth - line.component.length) + 1);
	// Levels colour the text; a stderr line without a level (a stack trace, a panic) is marked too.
	const textColor = levelColor(line.level) ?? (stderr && line.level === null ? 'yellow' : undefined);
	// Only the part that fits is highlighted and rendered: long lines cost nothing past the edge.
	const visible = line.text.slice(0, Math.max(0, width));
	return (
		<Text wrap="truncate-end" inverse={current}>
			<Text color="gray">{formatClock(line.time)} </Text>
			<Text color={color}>{line.component}</Text>
			<Text color={stderr ? 'red' : 'gray'}>{stderr ? '[err]' : '[out]'}</Text>
			{pad}
			{splitMatches(visible, query).map((part, index) =>
				part.match ? (
					<Text key={index} backgroundColor="yellow" color="black">
						{part.text}
					</Text>
				) : (
					<Text key={index} color={textColor}>
						{part.text}
					</Text>
				),
			)}
		</Text>
	);
});

/** The header line and exactly `height` rows (blank when there are fewer lines). */
export function LogPane({lines, start, height, width, query, currentSeq, header, nameWidth}: LogPaneProps) {
	const visible = lines.slice(start, start + height);
	return (
		<Box flexDirection="column" width={width} height={height + 1}>
			<Text wrap="truncate-end" color="gray">
				{header}
			</Text>
			{visible.length === 0 ? <Text color="gray">no log lines yet</Text> : null}
			{visible.map((line) => (
				<LogRow key={line.seq} line={line} color={componentColor(line.component)} query={query} current={line.seq === currentSeq} width={width} nameWidth={nameWidth} />
			))}
		</Box>
	);
}
