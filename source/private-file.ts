import fs from 'node:fs';
import path from 'node:path';
import {StigmerError} from './errors.js';

// The private-file layer: the one way TypeScript reads and writes files under a home's data/ (docs/architecture.md).
// Nothing follows a symlink or blocks on a FIFO; what it creates is 0600 (dirs 0700); failures are one-line StigmerErrors.

/** Create a directory we own with mode 0700 (docs/lifecycle.md#the-home). */
export function ensurePrivateDir(dir: string): void {
	try {
		fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	} catch (error: unknown) {
		// A recursive mkdir says ENOENT on a read-only file system; one level at a time says why (EROFS, EACCES).
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(path.dirname(dir))) {
			fs.mkdirSync(dir, {mode: 0o700});
		}

		throw error;
	}
}

/** Why a path under the home cannot be used as a file: a symlink, a directory, a FIFO…; undefined when absent or regular. */
export function notRegular(file: string): string | undefined {
	let stat: fs.Stats;
	try {
		stat = fs.lstatSync(file);
	} catch {
		return undefined;
	}

	return stat.isFile() ? undefined : describeKind(stat);
}

function describeKind(stat: fs.Stats): string {
	return stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : 'not a regular file';
}

/** The one-line error for a file under the home that is not a regular file; we never write through it (docs/lifecycle.md#the-home). */
export function notRegularError(file: string, kind: string): StigmerError {
	return new StigmerError(`${file} is ${kind}, where stigmer keeps a regular file; remove it (\`rm -r ${file}\`) and try again`);
}

const {O_NOFOLLOW, O_NONBLOCK, O_CREAT, O_EXCL, O_WRONLY, O_APPEND, O_RDONLY} = fs.constants;

/**
 * Open a file under the home without following a symlink and without blocking on a FIFO; the result is a regular file
 * (mode tightened to 0600 when we own it) or a StigmerError naming it. `append` creates it 0600.
 */
export function openPrivate(file: string, how: 'read' | 'append'): number {
	let fd: number;
	try {
		fd = fs.openSync(file, how === 'read' ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK : O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
	} catch (error: unknown) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') {
			throw notRegularError(file, notRegular(file) ?? 'not a regular file');
		}

		throw fileError(file, how === 'read' ? 'read' : 'write', error);
	}

	const stat = fs.fstatSync(fd);
	if (!stat.isFile()) {
		fs.closeSync(fd);
		throw notRegularError(file, describeKind(stat));
	}

	if (how === 'append') {
		tighten(fd, stat); // Logs can hold secrets (docs/lifecycle.md#the-home): a 0666 .err left by an older tool is tightened.
	}

	return fd;
}

/** An open regular file of ours with group or other bits set becomes 0600; another user's file is left as it is. */
function tighten(fd: number, stat: fs.Stats): void {
	if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) {
		fs.fchmodSync(fd, 0o600);
	}
}

/**
 * Make a file under the home 0600 if it is a regular file of ours (docs/lifecycle.md#the-home): for logs renamed by rotation, which keep
 * the mode an older tool gave them. Never follows a symlink nor blocks on a FIFO; a file that cannot be opened is left.
 */
export function makePrivate(file: string): void {
	let fd: number;
	try {
		fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	} catch {
		return;
	}

	try {
		const stat = fs.fstatSync(fd);
		if (stat.isFile()) {
			tighten(fd, stat);
		}
	} finally {
		fs.closeSync(fd);
	}
}

/** A regular file's text, read without following symlinks or blocking; undefined when absent. Throws StigmerError otherwise. */
export function readPrivate(file: string): string | undefined {
	if (!fs.existsSync(file) && notRegular(file) === undefined) {
		return undefined;
	}

	const fd = openPrivate(file, 'read');

	try {
		return fs.readFileSync(fd, 'utf8');
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Write a file under the home atomically: a fresh temp file (O_EXCL|O_NOFOLLOW, 0600) renamed over it. On any failure
 * the temp file is removed and a one-line StigmerError names the file and the cause (a full disk, a read-only home).
 */
export function writePrivateAtomic(file: string, text: string): void {
	const kind = notRegular(file);
	if (kind !== undefined && kind !== 'a symbolic link') {
		throw notRegularError(file, kind);
	}

	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	try {
		fs.rmSync(temporary, {force: true}); // Left by a killed process that had our pid.
		const fd = fs.openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
		try {
			fs.writeFileSync(fd, text);
		} finally {
			fs.closeSync(fd);
		}

		fs.renameSync(temporary, file); // rename replaces a symlink itself, never its target.
	} catch (error: unknown) {
		fs.rmSync(temporary, {force: true});
		throw fileError(file, 'write', error);
	}
}

/** One line for a failed file operation: what, where, why (ENOSPC → no space left), never a stack. */
export function fileError(file: string, verb: string, error: unknown): StigmerError {
	if (error instanceof StigmerError) {
		return error;
	}

	const code = (error as NodeJS.ErrnoException).code;
	const hint = code === 'ENOSPC' || code === 'EDQUOT' ? 'no space left on the device; free some space and try again'
		: code === 'EROFS' ? 'the file system is read-only'
		: code === 'EACCES' || code === 'EPERM' ? `permission denied; check the owner and mode of ${path.dirname(file)}`
		: code === 'ENAMETOOLONG' ? 'the name is too long'
		: ((error as Error).message ?? String(error));
	return new StigmerError(`cannot ${verb} ${file}: ${hint}${code ? ` (${code})` : ''}`);
}

/** What a bounded read found: the text, no file, or why the file is not one stigmer reads. */
export type BoundedRead =
	| {kind: 'text'; text: string}
	| {kind: 'absent'}
	| {kind: 'symlink' | 'directory' | 'not-file' | 'unreadable'}
	| {kind: 'too-large'; size: number};

/** At most `maxBytes` of a regular file, never following a symlink nor blocking on a FIFO; never throws. */
export function readBounded(file: string, maxBytes: number): BoundedRead {
	let fd: number;
	try {
		fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	} catch (error: unknown) {
		const code = (error as NodeJS.ErrnoException).code;
		return {kind: code === 'ENOENT' ? 'absent' : code === 'ELOOP' ? 'symlink' : 'unreadable'};
	}

	try {
		const stat = fs.fstatSync(fd);
		if (!stat.isFile()) {
			return {kind: stat.isDirectory() ? 'directory' : 'not-file'};
		}

		if (stat.size > maxBytes) {
			return {kind: 'too-large', size: stat.size};
		}

		// One byte more than allowed: a file that grew since fstat is still caught.
		const buffer = Buffer.alloc(maxBytes + 1);
		const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
		return length > maxBytes ? {kind: 'too-large', size: length} : {kind: 'text', text: buffer.toString('utf8', 0, length)};
	} catch {
		return {kind: 'unreadable'};
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Create `file` holding `text` only if nothing is there (O_EXCL never follows a symlink), mode 0600; false when it
 * exists. A failed write leaves no half-written file behind; other failures are one-line StigmerErrors.
 */
export function createExclusive(file: string, text: string): boolean {
	let fd: number;
	try {
		fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			return false;
		}

		throw fileError(file, 'create', error);
	}

	try {
		if (text !== '') {
			fs.writeFileSync(fd, text);
		}
	} catch (error: unknown) {
		fs.closeSync(fd);
		fs.rmSync(file, {force: true});
		throw fileError(file, 'write', error);
	}

	fs.closeSync(fd);
	return true;
}
