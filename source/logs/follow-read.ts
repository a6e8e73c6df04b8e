// Following, part 1: reading a live file by its open descriptor (follow.ts schedules, follow-rotation.ts
// handles renames and copy-truncates): bounded reads from an offset into whole lines, and the
// signature that notices a file rewritten under us.
import fs from 'node:fs';
import {readRange} from '../read-range.js';
import {Assembler} from './assembler.js';
import {openLog} from './files.js';
import type {RawLine} from './lines.js';

/** Read size while catching up on a file. */
export const READ_CHUNK = 1024 * 1024;
/**
 * Most bytes read from one file in one scan: a burst of any size is handed on in batches of bounded
 * size (about a thousand lines per file), the next scan following at once. 200,000 lines read in one
 * go took ~280 MB before the consumer saw the first; over a 1,000,000-line burst 1 MB per file peaked
 * at 175 MB and took 7 s, 64 KiB at 70-90 MB in 2.5-4 s: a batch's objects die young.
 */
export const SCAN_BYTES = 64 * 1024;
/** Bytes before our offset compared on each scan to notice a truncate-and-rewrite that outgrew our offset. */
export const SIGNATURE_BYTES = 64;
/** Last-resort bound on how far into an existing file we look for the last complete line when starting at its end. */
const START_LOOKBACK = 64 * 1024;

/** One open file being read. */
export type Reader = {
	fd: number;
	dev: number;
	ino: number;
	/** Bytes consumed (an unfinished line's included: it waits in the assembler). */
	offset: number;
	assembler: Assembler;
	/** Time of the last line given out from this file, for the untimed lines after it. */
	lastTime: number;
	/** The last bytes before `offset`, to notice a truncate-and-rewrite. */
	signature: Buffer;
	/** mtime at the last scan: an unchanged file of the size we read is skipped without a read. */
	mtimeMs: number;
};

export function openReader(file: string, offset: number, lastTime: number): Reader | null {
	try {
		const fd = openLog(file);
		const stat = fs.fstatSync(fd);
		const length = Math.min(offset, SIGNATURE_BYTES);
		const signature = readRange(fd, offset - length, offset);

		return {fd, dev: stat.dev, ino: stat.ino, offset, lastTime, assembler: new Assembler(), signature, mtimeMs: -1};
	} catch {
		return null;
	}
}

export function closeReader(reader: Reader): void {
	try {
		fs.closeSync(reader.fd);
	} catch {
		// Already closed: nothing to release.
	}
}

/** Offset just after the last complete line of an existing file: following starts there. */
export function endOfLastLine(file: string): number {
	try {
		const fd = openLog(file);
		try {
			const size = fs.fstatSync(fd).size;
			const start = Math.max(0, size - START_LOOKBACK);
			const nl = readRange(fd, start, size).lastIndexOf(10);
			return nl >= 0 ? start + nl + 1 : start === 0 ? 0 : size;
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return 0;
	}
}

/**
 * Read [reader.offset, EOF) into lines, or only `limit` bytes of it; keeps the signature of the bytes
 * before the new offset. True when it stopped at the limit with bytes left to read.
 */
export function drain(reader: Reader, out: RawLine[], limit = Number.POSITIVE_INFINITY): boolean {
	let size: number;
	try {
		size = fs.fstatSync(reader.fd).size;
	} catch {
		return false;
	}

	const stop = Math.min(size, reader.offset + limit);
	while (reader.offset < stop) {
		let buf: Buffer;
		try {
			buf = readRange(reader.fd, reader.offset, Math.min(stop, reader.offset + READ_CHUNK));
		} catch {
			return false;
		}

		const n = buf.length;
		if (n === 0) {
			break;
		}

		reader.assembler.feed(buf.subarray(0, n), out);
		reader.offset += n;
		const recent = n >= SIGNATURE_BYTES ? buf.subarray(n - SIGNATURE_BYTES, n) : Buffer.concat([reader.signature, buf.subarray(0, n)]);
		reader.signature = Buffer.from(recent.subarray(Math.max(0, recent.length - SIGNATURE_BYTES)));
	}

	return reader.offset < size;
}

/** Every line of a file we never had open (a rotation that came and went between two scans). */
export function readWhole(file: string): RawLine[] {
	const lines: RawLine[] = [];
	const reader = openReader(file, 0, Number.NaN);
	if (reader) {
		drain(reader, lines);
		reader.assembler.flush(lines);
		closeReader(reader);
	}

	return lines;
}

/** True when the bytes just before our offset are no longer what we read there: the file was truncated (and maybe rewritten). */
export function truncated(reader: Reader, size: number): boolean {
	if (size < reader.offset) {
		return true;
	}

	const length = reader.signature.length;
	if (length === 0 || reader.offset < length) {
		return false;
	}

	let now: Buffer;
	try {
		now = readRange(reader.fd, reader.offset - length, reader.offset);
	} catch {
		return true;
	}

	return !now.equals(reader.signature);
}
