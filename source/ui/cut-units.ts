// Bounding a string's length without the width tables (`dash --once` must start as fast as `status`):
// a cut by UTF-16 units that never splits a surrogate pair, which a terminal would draw as `�`.

/** The first `max` UTF-16 units of `text` (one fewer when the last would be half of an emoji), plus `…` when cut. */
export function cutUnits(text: string, max: number): string {
	if (text.length <= max) {
		return text;
	}

	const last = text.charCodeAt(max - 1);
	const end = last >= 0xd8_00 && last <= 0xdb_ff ? max - 1 : max;
	return `${text.slice(0, end)}…`;
}
