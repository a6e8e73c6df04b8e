// Which files hold a component's stream (docs/lifecycle.md#the-home, docs/lifecycle.md#logs-on-disk): the live `.log`/`.err`, its rotations
// `<name>.<log|err>.<YYYYMMDDTHHMMSSZ>[-N]`, and for stigmer-server the legacy `daemon.log`/`.err`.
import fs from 'node:fs';
import path from 'node:path';
import {STREAM_SUFFIX, type Home, type Stream} from '../paths.js';

/** What to read: components in tie-break order, and streams (both by default). */
export type LogSelection = {components: string[]; streams?: Stream[]};

/** One component's stream: its files oldest first, the live file last. */
export type Source = {
	/** Position in the selection: equal times keep this order. */
	index: number;
	component: string;
	stream: Stream;
	/** The live file (may not exist yet). */
	live: string;
	/** Rotated (and legacy) files, oldest first. */
	rotated: string[];
};

const STREAMS: readonly Stream[] = ['stdout', 'stderr'];
const ROTATED = /^(.+)\.(log|err)\.(\d{8}T\d{6}Z)(?:-(\d+))?$/;
const LIVE = /^(.+)\.(log|err)$/;
/** The component whose rotated form the legacy daemon.log/.err take (docs/lifecycle.md#the-home). */
const LEGACY_OWNER = 'stigmer-server';
const LEGACY_NAME = 'daemon';

const extOf = (stream: Stream): string => STREAM_SUFFIX[stream].slice(1);

/** A rotated log's name taken apart: `<component>.<log|err>.<YYYYMMDDTHHMMSSZ>[-n]`. */
export type RotatedName = {component: string; extension: string; stamp: string; n: number};

/** The parts of a rotated log's name, or undefined for any other name. */
export function parseRotatedName(name: string): RotatedName | undefined {
	const [, component, extension, stamp, n] = ROTATED.exec(name) ?? [];
	if (component === undefined || extension === undefined || stamp === undefined) {
		return undefined;
	}

	return {component, extension, stamp, n: n === undefined ? 0 : Number(n)};
}

/** The streams of a selection, defaulted. */
export function selectedStreams(selection: LogSelection): readonly Stream[] {
	return selection.streams && selection.streams.length > 0 ? selection.streams : STREAMS;
}

function listDir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

/** The sources of a selection, in selection order (component, then stdout before stderr). */
export function listSources(home: Home, selection: LogSelection): Source[] {
	const dir = home.logs;
	const names = listDir(dir);
	const sources: Source[] = [];
	for (const component of selection.components) {
		for (const stream of selectedStreams(selection)) {
			const rotated: Array<RotatedName & {name: string}> = [];
			for (const name of names) {
				const parts = parseRotatedName(name);
				if (parts && parts.component === component && parts.extension === extOf(stream)) {
					rotated.push({...parts, name});
				}
			}

			rotated.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.n - b.n));
			const files = rotated.map((r) => path.join(dir, r.name));
			const legacy = `${LEGACY_NAME}.${extOf(stream)}`;
			if (component === LEGACY_OWNER && names.includes(legacy)) {
				files.unshift(path.join(dir, legacy));
			}

			sources.push({index: sources.length, component, stream, live: home.logFile(component, stream), rotated: files});
		}
	}

	return sources;
}

/** Component names that have log files on disk (live or rotated), sorted; the legacy daemon files count as stigmer-server. */
export function componentsOnDisk(home: Home): string[] {
	const found = new Set<string>();
	for (const name of listDir(home.logs)) {
		const [, component] = ROTATED.exec(name) ?? LIVE.exec(name) ?? [];
		if (component !== undefined) {
			found.add(component === LEGACY_NAME ? LEGACY_OWNER : component);
		}
	}

	return [...found].sort();
}

/** Open a log file for reading; anything but a regular file (a directory named `x.log`, a FIFO) is refused like a missing one. */
export function openLog(file: string): number {
	const fd = fs.openSync(file, 'r');
	if (!fs.fstatSync(fd).isFile()) {
		fs.closeSync(fd);
		throw Object.assign(new Error(`${file} is not a regular file`), {code: 'ENOTFILE'});
	}

	return fd;
}

/** Paths of the sources that exist but are not regular files: the readers skip them; the command says so. */
export function notRegularFiles(sources: Source[]): string[] {
	const odd: string[] = [];
	for (const file of sources.flatMap((s) => [...s.rotated, s.live])) {
		try {
			if (!fs.statSync(file).isFile()) {
				odd.push(file);
			}
		} catch {
			// Missing: nothing to say.
		}
	}

	return odd;
}

/** True when any file of the sources exists. */
export function anyLogExists(sources: Source[]): boolean {
	return sources.some((s) => s.rotated.length > 0 || fs.existsSync(s.live));
}
