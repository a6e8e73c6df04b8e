// macOS `ps` prints arguments and environment through strvis(3) with VIS_TAB | VIS_NL | VIS_NOSLASH (adv_cmds
// ps/print.c), in the C locale we run it in: bytes outside printable ASCII come out as `M-C`, `^A`, `\011`. These
// encode and decode that form (docs/safety.md says what it means for homes with such bytes).

/** Octal escape of one byte, as vis writes its "extra" characters (TAB and newline here) and 0xA0. */
function octal(byte: number): string {
	return `\\${byte.toString(8).padStart(3, '0')}`;
}

/** One byte as ps prints it. */
function visByte(byte: number): string {
	if (byte === 0x09 || byte === 0x0A || byte === 0xA0) {
		return octal(byte);
	}

	if (byte >= 0x20 && byte <= 0x7E) {
		return String.fromCharCode(byte);
	}

	const low = byte & 0x7F;
	const meta = byte >= 0x80 ? 'M' : '';
	if (low < 0x20 || low === 0x7F) {
		return `${meta}^${low === 0x7F ? '?' : String.fromCharCode(low + 0x40)}`;
	}

	return `${meta}-${String.fromCharCode(low)}`;
}

/** `text` (as UTF-8 bytes) the way macOS `ps` prints it under LC_ALL=C: `é` → `M-CM-)`, TAB → `\011`. */
export function psVis(text: string): string {
	let out = '';
	for (const byte of Buffer.from(text, 'utf8')) {
		out += visByte(byte);
	}

	return out;
}

/** One escape at the start of `rest`: its byte and length, or undefined for a plain character. */
function unvisOne(rest: string): {byte: number; length: number} | undefined {
	const octalMatch = /^\\([0-3][0-7]{2})/.exec(rest);
	if (octalMatch) {
		return {byte: Number.parseInt(octalMatch[1] ?? '0', 8), length: 4};
	}

	const match = /^(M?)(?:-([\u0020-\u007E])|\^([@-_?]))/.exec(rest);
	if (!match || (match[1] === '' && match[2] !== undefined)) {
		return undefined; // A bare `-x` is just text.
	}

	const high = match[1] === 'M' ? 0x80 : 0;
	const plain = match[2];
	const control = match[3];
	const low = plain === undefined ? (control === '?' ? 0x7F : (control ?? '@').charCodeAt(0) - 0x40) : plain.charCodeAt(0);
	return {byte: high | low, length: match[0].length};
}

/**
 * The text `ps` encoded, decoded (unvis): for showing another home's path. strvis without its backslash is not
 * one-to-one (a literal `M-C` reads as a byte), so never decide identity by this: compare `psVis(ours)` instead.
 */
export function psUnvis(text: string): string {
	const bytes: number[] = [];
	for (let at = 0; at < text.length;) {
		const escape = unvisOne(text.slice(at, at + 4));
		if (escape === undefined) {
			bytes.push(...Buffer.from(text[at] ?? '', 'utf8'));
			at += 1;
		} else {
			bytes.push(escape.byte);
			at += escape.length;
		}
	}

	return Buffer.from(bytes).toString('utf8');
}
