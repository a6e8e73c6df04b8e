// The one-line key footer, generated from the keymap.
import {Text} from 'ink';
import {footerBindings} from '../keymap.js';

/** Every footer binding as `key label`, dangerous keys in red. */
export function Footer() {
	return (
		<Text wrap="truncate-end">
			{footerBindings().map((b) => (
				<Text key={b.action}>
					<Text bold color={b.dangerous ? 'red' : 'cyan'}>
						{b.footerLabel ?? b.label}
					</Text>
					<Text color="gray"> {b.short}  </Text>
				</Text>
			))}
		</Text>
	);
}
