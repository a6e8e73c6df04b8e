// The `?` overlay: every binding of the keymap with its help text, in columns when rows run short.
import {Box, Text} from 'ink';
import {KEYMAP} from '../keymap.js';

/** Rows the frame and title of the overlay take. */
const CHROME_ROWS = 3;

/** Fills the panels' and log pane's place (`height` rows); any of ?, Esc or q closes it. */
export function HelpOverlay({height, width}: {height: number; width: number}) {
	const rows = Math.max(1, height - CHROME_ROWS);
	const columns = Math.ceil(KEYMAP.length / rows);
	const labelWidth = Math.max(...KEYMAP.map((b) => b.label.length)) + 2;
	const columnWidth = Math.max(10, Math.floor((width - 4) / columns));
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="cyan" paddingX={1} overflow="hidden">
			<Text bold wrap="truncate-end">
				Keys (? / Esc / q to close) — red keys act on the stack; quitting never stops it
			</Text>
			<Box flexDirection="row" flexShrink={0}>
				{Array.from({length: columns}, (_, column) => (
					<Box key={column} flexDirection="column" width={columnWidth} flexShrink={0}>
						{KEYMAP.slice(column * rows, (column + 1) * rows).map((b) => (
							<Text key={b.command} wrap="truncate-end">
								<Text bold color={b.dangerous ? 'red' : 'cyan'}>
									{b.label.padEnd(labelWidth)}
								</Text>
								{b.help}
							</Text>
						))}
					</Box>
				))}
			</Box>
		</Box>
	);
}
