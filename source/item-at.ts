// Indexing where the index is in range by construction (a source's slot, a constant table's row):
// `array[i]!` would turn a broken invariant into a silent `undefined`; this names it instead.

/** `list[index]`, for an index the caller's structure keeps in range; throws (a bug, not a user error) when it is not. */
export function itemAt<T>(list: ArrayLike<T>, index: number): T {
	const item = list[index];
	if (item === undefined) {
		throw new RangeError(`index ${index} is outside a list of ${list.length}`);
	}

	return item;
}
