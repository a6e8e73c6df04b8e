// The status line: the search prompt while typing, a pending confirmation's question, else the last action's outcome or an error.
import {Text} from 'ink';
import type {Message} from '../status-message.js';
import {clip} from '../clip.js';

const TONE_COLOR = {info: 'yellow', ok: 'green', error: 'red'} as const;

export type StatusLineProps = {
	searching: boolean;
	query: string;
	/** A question waiting for its key (`Stop the whole stack? y to confirm…`): events that arrive meanwhile wait under it. */
	prompt: string | null;
	message: Message | null;
	fallback: string;
	width: number;
};

const HINT = '  Enter keep · Esc clear';

/** One line, truncated to the width. */
export function StatusLine({searching, query, prompt, message, fallback, width}: StatusLineProps) {
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

	if (prompt !== null) {
		return (
			<Text wrap="truncate-end" color="yellow" bold>
				{clip(prompt, width)}
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
