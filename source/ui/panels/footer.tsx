// The one-line key footer, generated from the keymap.
import {Text} from 'ink';
import {memo} from 'react';
import {footerBindings, type Binding} from '../keymap.js';

/** Between two footer entries. */
const GAP = '  ';

/** A footer entry as shown: `r restart`. */
const entryText = (b: Binding) => `${b.footerLabel ?? b.label} ${b.short}`;

/** The footer's bindings that fit `width` columns: the others give way from the end of the table, `footerAlways` ones never (docs/dashboard.md). */
export function fitFooter(bindings: readonly Binding[], width: number): Binding[] {
	const kept = [...bindings];
	const cost = () => kept.reduce((sum, b, i) => sum + entryText(b).length + (i === 0 ? 0 : GAP.length), 0);
	for (let i = kept.length - 1; i >= 0 && cost() > width; i--) {
		if (kept[i]?.footerAlways !== true) {
			kept.splice(i, 1);
		}
	}

	return kept;
}

/** Every footer binding that fits as `key label`, dangerous keys in red (memoised: repaints only on resize). */
export const Footer = memo(function Footer({width}: {width: number}) {
	return (
		<Text wrap="truncate-end">
			{fitFooter(footerBindings(), width).map((b, i) => (
				<Text key={b.command}>
					{i === 0 ? '' : GAP}
					<Text bold color={b.dangerous ? 'red' : 'cyan'}>
						{b.footerLabel ?? b.label}
					</Text>
					<Text color="gray"> {b.short}</Text>
				</Text>
			))}
		</Text>
	);
});
