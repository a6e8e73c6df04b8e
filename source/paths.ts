import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {EXIT, StigmerError} from './errors.js';

export type Stream = 'stdout' | 'stderr';

/**
 * One STIGMER_HOME, resolved once at the edge (symlinks and `..` followed), with every path stigmer uses under it
 * (SPEC 2). Engine, commands and dashboard take this object, never a raw string.
 */
export type Home = {
	/** Absolute, symlinks resolved: the value of every component's STIGMER_HOME marker. */
	readonly root: string;
	readonly config: string;
	readonly bin: string;
	readonly data: string;
	readonly logs: string;
	readonly lock: string;
	/** `data/daemon.pid`, the legacy name of stigmer-server's PID file. */
	readonly legacyPid: string;
	/** `data/.config-cache.json`: the validated config, keyed by its text. */
	readonly configCache: string;
	/** `data/<component>.pid` */
	pidFile(component: string): string;
	/** `data/logs/<component>.log` for stdout, `.err` for stderr. */
	logFile(component: string, stream: Stream): string;
	/** `data/<component>.state` (SPEC 4.8). */
	stateFile(component: string): string;
};

/** Kernel limit on symlinks followed while resolving one path (Linux MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The home from STIGMER_HOME (default ~/.stigmer), resolved once; creates nothing. Refuses (one line, exit 2) a home
 * that is not a directory, and a home or data/ owned by another user or writable by group or others: its config.yaml
 * decides what runs (SPEC 2).
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): Home {
	const raw = env['STIGMER_HOME'] && env['STIGMER_HOME'] !== '' ? env['STIGMER_HOME'] : path.join(os.homedir(), '.stigmer');
	const home = homeAt(physicalPath(raw));
	checkTrusted(home.root, 'STIGMER_HOME');
	checkTrusted(home.data, 'its data directory');
	return home;
}

function checkTrusted(dir: string, what: string): void {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(dir);
	} catch (error: unknown) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') {
			return; // Created 0700 by the first start.
		}

		throw new StigmerError(`${what} ${dir} cannot be used: ${code === 'ENOTDIR' ? 'a parent is not a directory' : (error as Error).message}`, EXIT.usage);
	}

	if (!stat.isDirectory()) {
		throw new StigmerError(`${what} ${dir} is not a directory; point STIGMER_HOME at a directory (or remove the file)`, EXIT.usage);
	}

	const uid = process.getuid?.();
	if (uid !== undefined && stat.uid !== uid) {
		throw new StigmerError(`refusing ${what} ${dir}: it is owned by uid ${stat.uid}, not by you (uid ${uid}), and its config.yaml decides what runs; use your own home, or \`chown -R ${uid} ${dir}\``, EXIT.usage);
	}

	if ((stat.mode & 0o022) !== 0) {
		throw new StigmerError(`refusing ${what} ${dir}: it is writable by ${(stat.mode & 0o002) === 0 ? 'its group' : 'others'} (mode ${(stat.mode & 0o777).toString(8)}), so anyone could change what runs; fix with \`chmod 700 ${dir}\``, EXIT.usage);
	}
}

/** The Home of an already resolved absolute root; pure, touches nothing. */
export function homeAt(root: string): Home {
	const data = path.join(root, 'data');
	const logs = path.join(data, 'logs');
	return {
		root,
		config: path.join(root, 'config.yaml'),
		bin: path.join(root, 'bin'),
		data,
		logs,
		lock: path.join(data, 'lock'),
		legacyPid: path.join(data, 'daemon.pid'),
		configCache: path.join(data, '.config-cache.json'),
		pidFile: (component) => path.join(data, `${component}.pid`),
		logFile: (component, stream) => logFile(root, component, stream),
		stateFile: (component) => path.join(data, `${component}.state`),
	};
}

/**
 * An absolute path with every symlink and `..` resolved as the kernel would, even where the path does not exist yet:
 * a symlink whose target is still missing is followed to that target, so a home reached through a symlink is the
 * same home before and after its first start.
 */
export function physicalPath(raw: string): string {
	let pending = (path.isAbsolute(raw) ? raw : `${process.cwd()}/${raw}`).split('/').filter((s) => s !== '' && s !== '.');
	let at = '/';
	let hops = 0;
	for (let segment = pending.shift(); segment !== undefined; segment = pending.shift()) {
		if (segment === '..') {
			at = path.dirname(at);
			continue;
		}

		const next = path.join(at, segment);
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(next);
		} catch {
			// Missing from here on: nothing below can be a symlink yet.
			return path.resolve(next, ...pending);
		}

		if (stat.isSymbolicLink()) {
			if (++hops > MAX_SYMLINK_HOPS) {
				return path.resolve(next, ...pending);
			}

			const target = fs.readlinkSync(next);
			pending = [...target.split('/').filter((s) => s !== '' && s !== '.'), ...pending];
			at = path.isAbsolute(target) ? '/' : at;
			continue;
		}

		at = next;
	}

	return at;
}

/** `data/logs/<component>.log` for stdout, `.err` for stderr, of the home at `root` (for logs/, which takes roots). */
export function logFile(root: string, component: string, stream: Stream): string {
	return path.join(root, 'data', 'logs', `${component}.${stream === 'stdout' ? 'log' : 'err'}`);
}

/** Create a directory we own with mode 0700 (SPEC 2). */
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

/** The one-line error for a file under the home that is not a regular file; we never write through it (SPEC 2). */
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

	if (how === 'append' && (stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) {
		fs.fchmodSync(fd, 0o600); // Logs can hold secrets (SPEC 2): a 0666 .err left by an older tool is tightened.
	}

	return fd;
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
