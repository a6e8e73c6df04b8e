// The `?` overlay: every binding of the keymap with its help text.
import {Box, Text} from 'ink';
import {KEYMAP} from '../keymap.js';

/** Fills the log pane's place; any of ?, Esc or q closes it. */
export function HelpOverlay({height, width}: {height: number; width: number}) {
	const labelWidth = Math.max(...KEYMAP.map((b) => b.label.length)) + 2;
	return (
		<Box flexDirection="column" width={width} height={height + 1} borderStyle="round" borderColor="cyan" paddingX={1} overflow="hidden">
			<Text bold>Keys (? / Esc / q to close) — red keys act on the stack; quitting never stops it</Text>
			{KEYMAP.map((b) => (
				<Text key={b.action} wrap="truncate-end">
					<Text bold color={b.dangerous ? 'red' : 'cyan'}>
						{b.label.padEnd(labelWidth)}
					</Text>
					{b.help}
				</Text>
			))}
		</Box>
	);
}
