// The one-line key footer, generated from the keymap.
import {Text} from 'ink';
import {memo} from 'react';
import {footerBindings} from '../keymap.js';

/** Every footer binding as `key label`, dangerous keys in red (memoised: the keymap never changes). */
export const Footer = memo(function Footer() {
	return (
		<Text wrap="truncate-end">
			{footerBindings().map((b) => (
				<Text key={b.command}>
					<Text bold color={b.dangerous ? 'red' : 'cyan'}>
						{b.footerLabel ?? b.label}
					</Text>
					<Text color="gray"> {b.short}  </Text>
				</Text>
			))}
		</Text>
	);
});
