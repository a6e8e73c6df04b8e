// One log line opened whole (Enter): wrapped, a JSON line pretty-printed, escapes shown as text.
import {Box, Text, Transform} from 'ink';
import {memo} from 'react';
import {clockTime} from '../../logs/format-line.js';
import {clip} from '../clip.js';
import {openedRows} from '../line-view.js';
import type {DashLine} from '../types.js';

export type LineViewerProps = {line: DashLine; top: number; width: number; height: number};

/** Fills the panels' and log pane's place: a header, then `height - 1` rows of the line from row `top`. */
export const LineViewer = memo(function LineViewer({line, top, width, height}: LineViewerProps) {
	const rows = openedRows(line, width);
	const body = Math.max(1, height - 1);
	const first = Math.min(top, Math.max(0, rows.length - body));
	const shown = rows.slice(first, first + body);
	const more = rows.length > body ? ` · rows ${first + 1}–${first + shown.length} of ${rows.length} (↑↓ PgUp/PgDn)` : '';
	const header = `── ${clockTime(line.time)} ${line.component}[${line.stream === 'stderr' ? 'err' : 'out'}]${line.level === null ? '' : ` ${line.level}`}${more} · Esc closes `;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end" color="cyan">
				{clip(header, width)}
			</Text>
			{shown.map((row, index) => (
				// Painted through <Transform> as the log rows are: a line's text never reaches Ink's text caches.
				<Transform key={first + index} transform={() => row}>
					<Text> </Text>
				</Transform>
			))}
		</Box>
	);
});
