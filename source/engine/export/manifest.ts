// What `stigmer export` wrote (docs/engines.md): data/export-<engine>.json lists every file with its sha256, so a
// re-export replaces, and `--remove` deletes, exactly those files, and a file changed by hand is never overwritten silently.
import type {Hash} from 'node:crypto';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {FactError} from '../../errors.js';
import type {Home} from '../../paths.js';
import {ensurePrivateDir, fileError, readPrivate, writePrivateAtomic} from '../../private-file.js';

/** Bound on a manifest read from disk: a few dozen paths and hashes; anything larger is not ours. */
const MANIFEST_MAX_BYTES = 256 * 1024;

export type ExportedFile = {path: string; sha256: string};
/**
 * `installed`: written where the manager reads units (not `--out DIR`); `loaded`: the manager was told (daemon-reload
 * succeeded); `enabled`: `--enable` started it. Only an installed, loaded export hands the home to the engine (docs/engines.md).
 */
export type Manifest = {engine: string; target: string; scope: string; unitDir: string; installed: boolean; loaded: boolean; enabled: boolean; files: ExportedFile[]};
/** A file an export writes, with its mode. */
export type PlannedFile = {path: string; text: string; mode: number};

// node:crypto loads only when an export hashes: `status` and `dash --once` read this module for manifestPath alone,
// and importing crypto costs them ~3 ms of their start-up budgets (bench/lifecycle.bench.mjs, bench/dash.bench.mjs).
const require = createRequire(import.meta.url);
const createHash = (algorithm: string): Hash => (require('node:crypto') as typeof import('node:crypto')).createHash(algorithm);

export function manifestPath(home: Home, engine: string): string {
	return path.join(home.data, `export-${engine}.json`);
}

export function sha256(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The manifest of `engine` in this home, or undefined (absent, or not a manifest: then it is ignored). */
export function readManifest(home: Home, engine: string): Manifest | undefined {
	const file = manifestPath(home, engine);
	let text: string | undefined;
	try {
		const size = fs.lstatSync(file).size;
		text = size > MANIFEST_MAX_BYTES ? undefined : readPrivate(file);
	} catch {
		return undefined;
	}

	try {
		const value = JSON.parse(text ?? '') as Partial<Manifest>;
		const files = Array.isArray(value.files) ? value.files.filter((f): f is ExportedFile => typeof f?.path === 'string' && path.isAbsolute(f.path) && typeof f.sha256 === 'string') : [];
		// A manifest from before these flags were recorded counts as installed and loaded, as it did then.
		const flag = (v: unknown, absent: boolean) => (typeof v === 'boolean' ? v : absent);
		return typeof value.target === 'string' && typeof value.unitDir === 'string'
			? {engine, target: value.target, scope: String(value.scope ?? ''), unitDir: value.unitDir, installed: flag(value.installed, true), loaded: flag(value.loaded, true), enabled: flag(value.enabled, false), files}
			: undefined;
	} catch {
		return undefined;
	}
}

/** The sha256 of a file on disk, or undefined when it is absent. */
function onDisk(file: string): string | undefined {
	try {
		return sha256(fs.readFileSync(file));
	} catch {
		return undefined;
	}
}

/** Files that are not as stigmer left them: changed since it wrote them, or present without having been written by it. */
export function changedByHand(manifest: Manifest | undefined, planned: Array<{path: string; text?: string}>): string[] {
	const recorded = new Map((manifest?.files ?? []).map((f) => [f.path, f.sha256]));
	const paths = new Set([...recorded.keys(), ...planned.map((p) => p.path)]);
	const wanted = new Map(planned.map((p) => [p.path, p.text === undefined ? undefined : sha256(p.text)]));
	return [...paths].filter((file) => {
		const now = onDisk(file);
		if (now === undefined) {
			return false;
		}

		const known = recorded.get(file);
		return known === undefined ? now !== wanted.get(file) : now !== known;
	});
}

/** Whether every planned file is on disk as planned and the manifest lists exactly them: nothing to write. */
export function upToDate(manifest: Manifest | undefined, planned: PlannedFile[]): boolean {
	if (manifest === undefined || manifest.files.length !== planned.length) {
		return false;
	}

	const recorded = new Map(manifest.files.map((f) => [f.path, f.sha256]));
	return planned.every((p) => recorded.get(p.path) === sha256(p.text) && onDisk(p.path) === sha256(p.text));
}

/** Refuse (one line naming them, with the --force that would go on) files changed by hand, unless forced. */
export function refuseChanged(changed: string[], action: 'replace' | 'remove'): void {
	if (changed.length > 0) {
		throw new FactError({kind: 'changed-by-hand', files: changed, action});
	}
}

/** Write the planned files (each atomically, with its mode), delete what the old manifest lists and the new one does not, record the new manifest. */
export function writeExport(home: Home, previous: Manifest | undefined, planned: PlannedFile[], meta: Omit<Manifest, 'files' | 'engine'> & {engine: string}): void {
	ensurePrivateDir(home.data);
	for (const file of planned) {
		const dir = path.dirname(file.path);
		if (dir.startsWith(home.data)) {
			ensurePrivateDir(dir);
		} else {
			fs.mkdirSync(dir, {recursive: true});
		}

		writeAtomic(file.path, file.text, file.mode);
	}

	const keep = new Set(planned.map((p) => p.path));
	for (const old of previous?.files ?? []) {
		if (!keep.has(old.path)) {
			fs.rmSync(old.path, {force: true});
		}
	}

	recordManifest(home, {...meta, files: planned.map((p) => ({path: p.path, sha256: sha256(p.text)}))});
}

/** Write the manifest as it now stands (after the manager was told, or an --enable). */
export function recordManifest(home: Home, manifest: Manifest): void {
	writePrivateAtomic(manifestPath(home, manifest.engine), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Delete every file the manifest lists, then the manifest. */
export function removeExport(home: Home, manifest: Manifest): string[] {
	const removed: string[] = [];
	for (const file of manifest.files) {
		try {
			fs.rmSync(file.path);
			removed.push(file.path);
		} catch (error: unknown) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
				throw fileError(file.path, 'remove', error);
			}
		}
	}

	fs.rmSync(manifestPath(home, manifest.engine), {force: true});
	return removed;
}

/** A temp file created exclusively beside `file`, renamed over it: a reader never sees half a unit. */
function writeAtomic(file: string, text: string, mode: number): void {
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	try {
		const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
		try {
			fs.writeFileSync(fd, text);
			fs.fchmodSync(fd, mode);
		} finally {
			fs.closeSync(fd);
		}

		fs.renameSync(temporary, file);
	} catch (error: unknown) {
		fs.rmSync(temporary, {force: true});
		throw fileError(file, 'write', error);
	}
}
