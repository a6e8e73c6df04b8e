// Where a home is and whether to trust it: STIGMER_HOME resolved once into a Home with every path under it.
// Reading and writing those files is private-file.ts's job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {EXIT, StigmerError} from './errors.js';
import {MARKER} from './markers.js';

export type Stream = 'stdout' | 'stderr';

/** The one place a stream becomes a file name: `data/logs/<component>.log` holds stdout, `.err` stderr (docs/logs.md). */
export const STREAM_SUFFIX: Readonly<Record<Stream, string>> = {stdout: '.log', stderr: '.err'};

/**
 * One STIGMER_HOME, resolved once at the edge (symlinks and `..` followed), with every path stigmer uses under it
 * (docs/lifecycle.md#the-home). Engine, commands and dashboard take this object, never a raw string.
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
	/** `data/<component>.state` (docs/supervision.md). */
	stateFile(component: string): string;
};

/** Kernel limit on symlinks followed while resolving one path (Linux MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The home from STIGMER_HOME (default ~/.stigmer), resolved once; creates nothing. Refuses (one line, exit 2) a home
 * that is not a directory, and a home or data/ owned by another user or writable by group or others: its config.yaml
 * decides what runs (docs/lifecycle.md#the-home).
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): Home {
	const given = env[MARKER.home];
	const raw = given !== undefined && given !== '' ? given : path.join(os.homedir(), '.stigmer');
	const home = homeAt(physicalPath(raw));
	checkTrusted(home.root, MARKER.home);
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
		logFile: (component, stream) => path.join(logs, `${component}${STREAM_SUFFIX[stream]}`),
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
