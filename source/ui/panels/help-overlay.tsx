// The `?` overlay: every binding of the keymap with its help text, wrapped, never cut: in columns when
// rows run short and width allows, without its border when that is what it takes to fit.
import {Box, Text} from 'ink';
import {KEYMAP, type Binding} from '../keymap.js';

const TITLE = 'Keys · ? or Esc closes · red keys act on the stack; quitting never stops it';
/** Rows and columns a border and its padding take. */
const BORDER_ROWS = 2;
const BORDER_COLUMNS = 4;
/** Narrowest useful help text beside its key. */
const MIN_TEXT_WIDTH = 24;
/** Most columns of keys tried before giving up on a fit. */
const MAX_COLUMNS = 3;
/** Between a column's keys and its help texts, and between columns. */
const GUTTER = 2;

/** Rows `text` takes when wrapped at word boundaries to `width` columns (ASCII help texts). */
export function wrappedRows(text: string, width: number): number {
	let rows = 1;
	let used = 0;
	for (const word of text.split(' ')) {
		const need = used === 0 ? word.length : used + 1 + word.length;
		if (need <= width) {
			used = need;
		} else {
			rows += Math.max(1, Math.ceil(word.length / width)) - (used === 0 ? 1 : 0);
			used = word.length % width || width;
		}
	}

	return rows;
}

export type HelpLayout = {border: boolean; columns: number; columnWidth: number; labelWidth: number; titleRows: number; fits: boolean};

/** The roomiest layout in which every binding's whole help shows in `width`×`height`: border first, then more columns; else the most compact, texts cut. */
export function helpLayout(bindings: readonly Binding[], width: number, height: number): HelpLayout {
	const labelWidth = Math.max(...bindings.map((b) => b.label.length)) + GUTTER;
	let compact: HelpLayout = {border: false, columns: 1, columnWidth: width, labelWidth, titleRows: wrappedRows(TITLE, width), fits: false};
	for (const border of [true, false]) {
		const inner = width - (border ? BORDER_COLUMNS : 0);
		const titleRows = wrappedRows(TITLE, inner);
		for (let columns = 1; columns <= MAX_COLUMNS; columns++) {
			const columnWidth = Math.floor((inner - (columns - 1) * GUTTER) / columns);
			if (columnWidth - labelWidth < MIN_TEXT_WIDTH) {
				break;
			}

			const perColumn = Math.ceil(bindings.length / columns);
			const rows = Math.max(...Array.from({length: columns}, (_, c) => bindings.slice(c * perColumn, (c + 1) * perColumn).reduce((sum, b) => sum + wrappedRows(b.help, columnWidth - labelWidth), 0)));
			const layout = {border, columns, columnWidth, labelWidth, titleRows, fits: titleRows + rows + (border ? BORDER_ROWS : 0) <= height};
			if (layout.fits) {
				return layout;
			}

			if (!border) {
				compact = layout;
			}
		}
	}

	return compact;
}

/** Fills the panels' and log pane's place (`height` rows); any of ?, Esc or q closes it. */
export function HelpOverlay({height, width}: {height: number; width: number}) {
	const layout = helpLayout(KEYMAP, width, height);
	const perColumn = Math.ceil(KEYMAP.length / layout.columns);
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden" {...(layout.border ? {borderStyle: 'round', borderColor: 'cyan', paddingX: 1} : {})}>
			<Text bold wrap="wrap">
				{TITLE}
			</Text>
			<Box flexDirection="row" flexShrink={0} columnGap={GUTTER}>
				{Array.from({length: layout.columns}, (_, column) => (
					<Box key={column} flexDirection="column" width={layout.columnWidth} flexShrink={0}>
						{KEYMAP.slice(column * perColumn, (column + 1) * perColumn).map((b) => (
							<Box key={b.command} flexDirection="row">
								<Box width={layout.labelWidth} flexShrink={0}>
									<Text bold color={b.dangerous ? 'red' : 'cyan'} underline={b.dangerous}>
										{b.label}
									</Text>
								</Box>
								<Text wrap={layout.fits ? 'wrap' : 'truncate-end'}>{b.help}</Text>
							</Box>
						))}
					</Box>
				))}
			</Box>
		</Box>
	);
}
