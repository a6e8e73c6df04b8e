// Log line formats of the built-in stack (docs/config.md): each mimics the real program it stands in for,
// so `server logs` parses the same timestamps it will meet in the real binaries.

/** zerolog/Python-style level names a line can carry. */
export const LEVELS = {debug: 'debug', info: 'info', warn: 'warn', error: 'error'} as const;
export type Level = (typeof LEVELS)[keyof typeof LEVELS];

export type Fields = Record<string, string | number | boolean | null>;

/** How far the monotonic clock may drift from the wall clock before we re-anchor (ms). */
const CLOCK_DRIFT_MS = 2;
let origin = performance.timeOrigin;

/** Wall-clock time in ms with microsecond precision; follows the wall clock if it jumps. */
export function preciseNow(): number {
	const mono = performance.now();
	const wall = Date.now();
	if (Math.abs(origin + mono - wall) >= CLOCK_DRIFT_MS) {
		origin = wall - mono;
	}

	return origin + mono;
}

/** Longest message text we print; a line stays one readable line whatever a task holds. */
export const MAX_MESSAGE_CHARS = 2000;

function clip(text: string): string {
	const one = text.replace(/\r?\n/g, '\\n');
	return one.length > MAX_MESSAGE_CHARS ? `${one.slice(0, MAX_MESSAGE_CHARS)}…` : one;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** zerolog JSON: `{"level":"info","time":"2026-11-26T03:47:41.123Z",...fields,"message":"..."}` (UTC). */
export function zerologLine(at: number, level: Level, message: string, fields: Fields = {}): string {
	const record: Record<string, unknown> = {level, time: new Date(Math.floor(at)).toISOString()};
	for (const [key, value] of Object.entries(fields)) {
		if (key !== 'level' && key !== 'time' && key !== 'message') {
			record[key] = value;
		}
	}

	record['message'] = clip(message);
	return JSON.stringify(record);
}

/** Go `log` with LstdFlags|Lmicroseconds: `2026/11/26 03:47:41.123456 message` (local time). */
export function goLogLine(at: number, message: string): string {
	const d = new Date(Math.floor(at));
	const micros = Math.floor(at * 1000) % 1_000_000;
	const date = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
	const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
	return `${date} ${time} ${clip(message)}`;
}

/** Python `logging` names for our levels. */
const PYTHON_LEVEL: Record<Level, string> = {debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR'};

/** Python `logging` `%(asctime)s %(levelname)s %(name)s: %(message)s`: `2026-11-26 03:47:41,123 INFO agent_runner: ...` (local). */
export function pythonLogLine(at: number, level: Level, logger: string, message: string): string {
	const d = new Date(Math.floor(at));
	const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
	const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
	return `${date} ${time} ${PYTHON_LEVEL[level]} ${logger}: ${clip(message)}`;
}

/** Write one line to a stream; a closed stream (EPIPE) must not crash a component mid-shutdown. */
export function writeLine(stream: NodeJS.WriteStream, line: string): void {
	try {
		stream.write(`${line}\n`);
	} catch {
		// The reader went away; nothing useful left to do with the line.
	}
}
