// The status line: the search prompt while typing, else the last action's outcome or an error.
import {Text} from 'ink';
import type {Message} from '../actions.js';

const TONE_COLOR = {info: 'yellow', ok: 'green', error: 'red'} as const;

export type StatusLineProps = {searching: boolean; query: string; message: Message | null; fallback: string};

/** One line, truncated to the width. */
export function StatusLine({searching, query, message, fallback}: StatusLineProps) {
	if (searching) {
		return (
			<Text wrap="truncate-end">
				<Text bold color="cyan">
					/
				</Text>
				{query}
				<Text inverse> </Text>
				<Text color="gray">  Enter keep · Esc clear</Text>
			</Text>
		);
	}

	if (message !== null) {
		return (
			<Text wrap="truncate-end" color={TONE_COLOR[message.tone]}>
				{message.text}
			</Text>
		);
	}

	return (
		<Text wrap="truncate-end" color="gray">
			{fallback}
		</Text>
	);
}
