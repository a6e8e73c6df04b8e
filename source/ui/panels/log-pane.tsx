// The log pane: renders only the visible window of the (filtered) buffer, one memoised row per line.
import chalk from 'chalk';
import {Box, Text, Transform} from 'ink';
import {memo} from 'react';
import {chunks, clip, head, PLAIN} from '../clip.js';
import {paneText} from '../line-view.js';
import {itemAt} from '../../item-at.js';
import {clockTime} from '../../logs/format-line.js';
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
	/** Long lines wrap onto more rows instead of being cut at the edge. */
	wrap?: boolean;
	/** Following the tail: when wrapping, the newest line sits at the bottom. */
	follow?: boolean;
	/** What an empty pane says (`no error lines`, `no log lines yet`). */
	empty?: string;
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
// Underlined too: a match stays visible without colour (NO_COLOR).
const highlight: Paint = (text) => chalk.bgYellow.black.underline(text);

/** The row's columns before the text: clock, component, stream tag and padding. */
function prefixOf(line: DashLine, nameWidth: number): {clock: string; tag: string; pad: string; width: number} {
	const clock = `${clockTime(line.time)} `;
	const tag = line.stream === 'stderr' ? '[err]' : '[out]';
	const pad = ' '.repeat(Math.max(0, nameWidth - line.component.length) + 1);
	return {clock, tag, pad, width: clock.length + line.component.length + tag.length + pad.length};
}

/** The text of a row's piece, levels coloured and matches highlighted. */
function paintText(line: DashLine, text: string, query: string): string {
	// Levels colour the text; a stderr line without a level (a stack trace, a panic) is marked too.
	const textColor = paint(levelColor(line.level) ?? (line.stream === 'stderr' && line.level === null ? 'yellow' : undefined));
	return splitMatches(text, query)
		.map((part) => (part.match ? highlight(part.text) : textColor(part.text)))
		.join('');
}

/**
 * One log row as a single string with its colours as ANSI codes, cut to `width` columns: Ink then has
 * one text node per row to lay out and paint instead of six or more, and never needs to wrap or
 * truncate it. A plain ASCII row is cut at the edge; any other is cut by display width, with an ellipsis.
 */
export function rowText(props: RowProps): string {
	// Only the part that fits is highlighted and rendered: long lines cost nothing past the edge.
	const text = paneText(props.line);
	const room = Math.max(0, props.width - prefixOf(props.line, props.nameWidth).width);
	return rowOf(props, PLAIN.test(text) ? text.slice(0, room) : head(text, room));
}

/** The row of `line` showing `visible` (the part of its text that fits). */
function rowOf({line, color, query, current, width, nameWidth}: RowProps, visible: string): string {
	const {clock, tag, pad} = prefixOf(line, nameWidth);
	let row = `${chalk.gray(clock)}${paint(color)(line.component)}${(line.stream === 'stderr' ? chalk.red : chalk.gray)(tag)}${pad}${paintText(line, visible, query)}`;
	if (!PLAIN.test(visible) || line.component.length > nameWidth) {
		// Wide characters in the text: cut by display width.
		row = clip(row, width);
	}

	return current ? chalk.inverse(row) : row;
}

/** A line wrapped (`w`): its first row as `rowText`, the rest of its text on rows indented under the text column. */
export function wrappedRows(props: RowProps): string[] {
	const {line, query, current, width, nameWidth} = props;
	const {width: prefix} = prefixOf(line, nameWidth);
	const pieces = chunks(paneText(line), Math.max(1, width - prefix));
	const indent = ' '.repeat(prefix);
	const rows = pieces.map((piece, index) => (index === 0 ? rowOf(props, piece) : clip(`${indent}${paintText(line, piece, query)}`, width)));
	return current ? rows.map((row, index) => (index === 0 ? row : chalk.inverse(row))) : rows;
}


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

/** A painted row: a one-space placeholder Ink lays out, painted through <Transform> (see LogRow). */
const PaintedRow = memo(function PaintedRow({row}: {row: string}) {
	return (
		<Transform transform={() => row}>
			<Text> </Text>
		</Transform>
	);
});

/** The rows of wrapped lines that fill `height`: from `start` down, or (following) up from the newest line. */
function wrappedWindow(lines: readonly DashLine[], start: number, height: number, follow: boolean, row: (line: DashLine) => string[]): Array<{key: string; row: string}> {
	const out: Array<{key: string; row: string}> = [];
	const keyed = (line: DashLine) => row(line).map((text, index) => ({key: `${line.seq}:${index}`, row: text}));
	if (follow) {
		for (let index = lines.length - 1; index >= 0 && out.length < height; index--) {
			out.unshift(...keyed(itemAt(lines, index)));
		}

		return out.slice(-height);
	}

	for (let index = start; index < lines.length && out.length < height; index++) {
		out.push(...keyed(itemAt(lines, index)));
	}

	return out.slice(0, height);
}

/** The header line and exactly `height` rows (blank when there are fewer lines). */
export const LogPane = memo(function LogPane({lines, start, height, width, query, currentSeq, header, nameWidth: widest, wrap = false, follow = true, empty = 'no log lines yet'}: LogPaneProps) {
	const visible = wrap ? [] : lines.slice(start, start + height);
	// The name column is as wide as the longest name on screen, not the longest in the stack (at most `widest`).
	const window = wrap ? (follow ? lines.slice(-height) : lines.slice(start, start + height)) : visible;
	const nameWidth = Math.min(widest, Math.max(1, ...window.map((line) => line.component.length)));
	const wrapped = wrap ? wrappedWindow(lines, start, height, follow, (line) => wrappedRows({line, color: componentColor(line.component), query, current: line.seq === currentSeq, width, nameWidth})) : [];
	return (
		<Box flexDirection="column" width={width} height={height + 1}>
			<Text wrap="truncate-end" color="gray">
				{clip(header, width)}
			</Text>
			{lines.length === 0 ? <Text color="gray">{empty}</Text> : null}
			{visible.map((line) => (
				<LogRow key={line.seq} line={line} color={componentColor(line.component)} query={query} current={line.seq === currentSeq} width={width} nameWidth={nameWidth} />
			))}
			{wrapped.map(({key, row}) => (
				<PaintedRow key={key} row={row} />
			))}
		</Box>
	);
});
