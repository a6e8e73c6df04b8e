// `-n N` with `--grep`/`--level` (docs/logs.md): the last N lines that pass may lie anywhere in the
// files, so reading backwards (tail.ts) could parse a whole 200 MB log line by line in JavaScript (52 s
// and 750 MB for a word that never occurs). Instead the filtered merge runs forward through the kernel
// (write-all.ts, at the plain merge's speed) into a sink that keeps only the last N rendered lines.
import {writeAll, type OutputFormat, type Sink, type WriteOptions} from './write-all.js';
import {drained} from '../../drained.js';
import type {Source} from '../files.js';
import type {Positions} from '../tail.js';

/** Keeps the last `n` lines written to it (bounded: older ones are dropped as newer arrive). */
class LastLines {
	readonly destroyed = false;
	private readonly lines: string[] = [];
	private partial = '';

	constructor(private readonly n: number) {}

	write(chunk: Buffer, done?: (error?: Error | null) => void): boolean {
		const parts = (this.partial + chunk.toString('utf8')).split('\n');
		this.partial = parts.pop() ?? '';
		for (const line of parts.length > this.n ? parts.slice(-this.n) : parts) {
			this.lines.push(line);
		}

		if (this.lines.length > 2 * this.n) {
			this.lines.splice(0, this.lines.length - this.n);
		}

		done?.();
		return true;
	}

	once(): this {
		return this;
	}

	off(): this {
		return this;
	}

	/** The kept lines, each with its newline. */
	text(): string {
		const kept = this.lines.slice(-this.n);
		return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
	}
}

/** Write the last `tail` lines (> 0) of the filtered merge to `sink`; returns where each live file ended, for follow. */
export async function writeTail(sources: Source[], format: OutputFormat, sink: Sink, tail: number, options: WriteOptions = {}): Promise<{positions: Positions}> {
	const last = new LastLines(tail);
	// Rendered for the real sink: readable JSON lines when it is a terminal (as writeAll decides for its own sink).
	const {positions} = await writeAll(sources, {...format, readable: format.readable ?? sink.isTTY === true}, last, options);
	const text = last.text();
	if (text !== '' && !sink.destroyed && !sink.write(Buffer.from(text)) && !sink.destroyed) {
		await drained(sink);
	}

	return {positions};
}
