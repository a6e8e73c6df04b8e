// The terminal's size, updated on resize (Ink 6 has no useWindowSize; STYLE Ink notes).
import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export type Size = {columns: number; rows: number};
/** Used when the output is not a terminal (tests, pipes) and reports no size. */
const FALLBACK: Size = {columns: 100, rows: 30};

/** `fixed` overrides the terminal (tests); otherwise follows stdout's `resize` events. */
export function useTerminalSize(fixed?: Size): Size {
	const {stdout} = useStdout();
	const read = (): Size => ({columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows});
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed !== undefined) {
			return;
		}

		const onResize = () => {
			setSize(read());
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return fixed ?? size;
}
