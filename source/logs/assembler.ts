// Bytes arriving in pieces to whole lines: a line split across reads is joined, a last line waits for
// its \n, and one runaway line is kept only up to MAX_LINE_BYTES (the rest is counted, not held).
import {decodeLine, MAX_LINE_BYTES, type RawLine} from './lines.js';
import {lastLevel, lastTime, parseInto} from './parse.js';

/** Joins the bytes of lines split across reads; holds back a last line until its \n arrives. */
export class Assembler {
	private parts: Buffer[] = [];
	private length = 0;
	private dropped = 0;

	/** Bytes held for an unfinished line. */
	get held(): number {
		return this.length + this.dropped;
	}

	/** Append bytes; complete lines go to `out`. */
	feed(chunk: Buffer, out: RawLine[]): void {
		let start = 0;
		for (;;) {
			const nl = chunk.indexOf(10, start);
			if (nl < 0) {
				this.keep(chunk.subarray(start));
				return;
			}

			if (this.held === 0) {
				out.push(raw(chunk, start, nl, 0));
			} else {
				this.keep(chunk.subarray(start, nl));
				out.push(this.take());
			}

			start = nl + 1;
		}
	}

	/** The unfinished line as a line (its file is finished), if any. */
	flush(out: RawLine[]): void {
		if (this.held > 0) {
			out.push(this.take());
		}
	}

	/** The unfinished line's text so far, left in place (a prompt without its \n can still be matched). */
	pending(): string {
		return this.held === 0 ? '' : decodeLine(Buffer.concat(this.parts, this.length), 0, this.length, this.dropped);
	}

	/** Forget the unfinished line (its bytes will be read again). */
	reset(): void {
		this.parts = [];
		this.length = 0;
		this.dropped = 0;
	}

	private keep(bytes: Buffer): void {
		const room = MAX_LINE_BYTES - this.length;
		if (bytes.length > room) {
			this.dropped += bytes.length - Math.max(room, 0);
			bytes = bytes.subarray(0, Math.max(room, 0));
		}

		if (bytes.length > 0) {
			this.parts.push(Buffer.from(bytes));
			this.length += bytes.length;
		}
	}

	private take(): RawLine {
		const buf = Buffer.concat(this.parts, this.length);
		const line = raw(buf, 0, buf.length, this.dropped);
		this.reset();
		return line;
	}
}

function raw(buf: Buffer, start: number, end: number, dropped: number): RawLine {
	const text = decodeLine(buf, start, end, dropped);
	parseInto(text);
	return {text, own: lastTime(), level: lastLevel()};
}
