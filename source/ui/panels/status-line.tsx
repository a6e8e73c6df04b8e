// The status line: the search prompt while typing, else the last action's outcome or an error.
import {Text} from 'ink';
import type {Message} from '../status-message.js';
import {clip} from '../clip.js';

const TONE_COLOR = {info: 'yellow', ok: 'green', error: 'red'} as const;

export type StatusLineProps = {searching: boolean; query: string; message: Message | null; fallback: string; width: number};

const HINT = '  Enter keep · Esc clear';

/** One line, truncated to the width. */
export function StatusLine({searching, query, message, fallback, width}: StatusLineProps) {
	if (searching) {
		return (
			<Text wrap="truncate-end">
				<Text bold color="cyan">
					/
				</Text>
				{clip(query, width - 2 - HINT.length)}
				<Text inverse> </Text>
				<Text color="gray">{HINT}</Text>
			</Text>
		);
	}

	if (message !== null) {
		return (
			<Text wrap="truncate-end" color={TONE_COLOR[message.tone]} bold={message.tone === 'error'}>
				{clip(message.text, width)}
			</Text>
		);
	}

	return (
		<Text wrap="truncate-end" color="gray">
			{clip(fallback, width)}
		</Text>
	);
}
