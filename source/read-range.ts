// Reading a byte range of a file: the one loop every reader (tails, follows, readiness, stderr tails) shares.
import fs from 'node:fs';

/** Bytes [start, end) of an open file; shorter only when the file ends first (a read may return fewer bytes than asked). */
export function readRange(fd: number, start: number, end: number): Buffer {
	const buf = Buffer.allocUnsafe(Math.max(0, end - start));
	let done = 0;
	while (done < buf.length) {
		const n = fs.readSync(fd, buf, done, buf.length - done, start + done);
		if (n === 0) {
			return buf.subarray(0, done);
		}

		done += n;
	}

	return buf;
}

/** Bytes [start, end) of the file at `path`, opened and closed here; throws what open or read throws. */
export function readFileRange(file: string, start: number, end: number): Buffer {
	const fd = fs.openSync(file, 'r');
	try {
		return readRange(fd, start, end);
	} finally {
		fs.closeSync(fd);
	}
}
