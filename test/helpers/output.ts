// Reading what the CLI prints: text tests, colour and control bytes, the ✓ lines of start, cleanup and stop.
import {itemAt} from '../../source/item-at.js';

/** What a screen or frame must show: text it contains, a pattern it matches, or a test it passes. */
export type Expected = string | RegExp | ((text: string) => boolean);

/** `expected` as a test of a text. */
export function holds(expected: Expected): (text: string) => boolean {
	if (typeof expected === 'string') {
		return (text) => text.includes(expected);
	}

	return expected instanceof RegExp ? (text) => expected.test(text) : expected;
}

/** Remove terminal colour codes, in case colour slips through NO_COLOR. */
export function stripAnsi(text: string): string {
	return text.replaceAll(/\u001B\[[0-9;]*m/g, '');
}

/** Control characters a terminal would act on (but tab and newline), once SGR colour codes are taken out, as `U+001b`…: none in safe output. */
export function unsafeLeft(output: string): string[] {
	const found = output.replaceAll(/\u001B\[[\d;]*m/g, '').match(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g) ?? [];
	return [...new Set(found)].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What `server start` printed as ready, by component. */
export type Started = Map<string, {pid: number; ready: string; address: string | null}>;

/** `✓ name  pid N  ready in 180ms[  http://127.0.0.1:7234]` lines of `server start`, by component. */
export function parseStarted(stdout: string): Started {
	const started: Started = new Map();
	for (const m of stdout.matchAll(/^✓ (\S+)\s+pid (\d+)\s+ready in (\d+(?:\.\d+)?m?s)(?: {2}(\S+))?\s*$/gm)) {
		started.set(itemAt(m, 1), {pid: Number(m[2]), ready: itemAt(m, 3), address: m[4] ?? null});
	}

	return started;
}

/** `cleaned up 7 orphaned workflow-runner processes (pids 1, 2, …)` lines, by component. */
export function parseCleaned(stdout: string): Map<string, {count: number; pids: number[]; elided: boolean}> {
	const cleaned = new Map<string, {count: number; pids: number[]; elided: boolean}>();
	for (const m of stdout.matchAll(/^cleaned up (\d+) orphaned (\S+) process(?:es)? \(pids? ([^)]*)\)\s*$/gm)) {
		const list = itemAt(m, 3);
		const pids = [...list.matchAll(/\d+/g)].map((d) => Number(d[0]));
		cleaned.set(itemAt(m, 2), {count: Number(m[1]), pids: pids.sort((a, b) => a - b), elided: list.includes('…')});
	}

	return cleaned;
}

/** `name stopped in 120ms` / `name killed after 5s (SIGKILL)` lines of `server stop`, by component. */
export function parseStopped(stdout: string): Map<string, {how: 'stopped' | 'killed'; after: string}> {
	const stopped = new Map<string, {how: 'stopped' | 'killed'; after: string}>();
	for (const m of stdout.matchAll(/^(\S+) (?:stopped in (\S+)|killed after (\S+) \(SIGKILL\))\s*$/gm)) {
		stopped.set(itemAt(m, 1), m[2] ? {how: 'stopped', after: m[2]} : {how: 'killed', after: itemAt(m, 3)});
	}

	return stopped;
}

/** A duration as printed (`180ms`, `1.2s`, `5s`) in milliseconds. */
export function printedMs(text: string): number {
	const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
	if (!m) {
		throw new Error(`not a printed duration: ${JSON.stringify(text)}`);
	}

	return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
