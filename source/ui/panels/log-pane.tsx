// The log pane: renders only the visible window of the (filtered) buffer, one memoised row per line.
import chalk from 'chalk';
import {Box, Text, Transform} from 'ink';
import {memo} from 'react';
import {clip} from '../clip.js';
import {clockTime} from '../../logs/format.js';
import {componentColor, levelColor} from '../theme.js';
import type {DashLine} from '../types.js';

export type LogPaneProps = {
	/** The (filtered) buffer: the same array grows in place, so `version` tells the pane it changed. */
	lines: readonly DashLine[];
	/** Lines ever added to the buffer: lets the memoised pane skip frames where no line arrived. */
	version: number;
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

type Paint = (text: string) => string;
/** chalk's painter for an Ink colour name (`cyanBright`…), as Ink's own <Text color> does it. */
const paint = (name: string | undefined): Paint => (name === undefined ? (text) => text : ((chalk as unknown as Record<string, Paint>)[name] ?? ((text: string) => text)));
const highlight: Paint = (text) => chalk.bgYellow.black(text);

/**
 * One log row as a single string with its colours as ANSI codes, cut to `width` columns: Ink then has
 * one text node per row to lay out and paint instead of six or more, and never needs to wrap or
 * truncate it (ASCII-width approximation; the <Text> still truncates anything wider).
 */
export function rowText({line, color, query, current, width, nameWidth}: RowProps): string {
	const stderr = line.stream === 'stderr';
	const clock = `${clockTime(line.time)} `;
	const tag = stderr ? '[err]' : '[out]';
	const pad = ' '.repeat(Math.max(0, nameWidth - line.component.length) + 1);
	// Levels colour the text; a stderr line without a level (a stack trace, a panic) is marked too.
	const textColor = paint(levelColor(line.level) ?? (stderr && line.level === null ? 'yellow' : undefined));
	// Only the part that fits is highlighted and rendered: long lines cost nothing past the edge.
	const visible = line.text.slice(0, Math.max(0, width - clock.length - line.component.length - tag.length - pad.length));
	const text = splitMatches(visible, query)
		.map((part) => (part.match ? highlight(part.text) : textColor(part.text)))
		.join('');
	let row = `${chalk.gray(clock)}${paint(color)(line.component)}${(stderr ? chalk.red : chalk.gray)(tag)}${pad}${text}`;
	if (!PLAIN.test(visible) || line.component.length > nameWidth) {
		// Wide characters in the text: cut by display width.
		row = clip(row, width);
	}

	return current ? chalk.inverse(row) : row;
}

/** Printable ASCII only: one column per character, so slicing by length cut the row exactly. */
const PLAIN = /^[\x20-\x7E]*$/;

/**
 * Ink lays out a one-space placeholder and paints the row through <Transform>: Ink's text caches
 * (measure-text, wrap-text) keep every string they see and never evict, so a row's own text must not
 * reach them, or a dashboard left open on a busy stack grows by every line it ever showed.
 */
const LogRow = memo(function LogRow(props: RowProps) {
	const row = rowText(props);
	return (
		<Transform transform={() => row}>
			<Text> </Text>
		</Transform>
	);
});

/** The header line and exactly `height` rows (blank when there are fewer lines). */
export const LogPane = memo(function LogPane({lines, start, height, width, query, currentSeq, header, nameWidth}: LogPaneProps) {
	const visible = lines.slice(start, start + height);
	return (
		<Box flexDirection="column" width={width} height={height + 1}>
			<Text wrap="truncate-end" color="gray">
				{clip(header, width)}
			</Text>
			{visible.length === 0 ? <Text color="gray">no log lines yet</Text> : null}
			{visible.map((line) => (
				<LogRow key={line.seq} line={line} color={componentColor(line.component)} query={query} current={line.seq === currentSeq} width={width} nameWidth={nameWidth} />
			))}
		</Box>
	);
});
