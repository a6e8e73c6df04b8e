import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

/** The home from STIGMER_HOME (default ~/.stigmer), resolved once; creates nothing. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): Home {
	const raw = env['STIGMER_HOME'] && env['STIGMER_HOME'] !== '' ? env['STIGMER_HOME'] : path.join(os.homedir(), '.stigmer');
	return homeAt(physicalPath(raw));
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
	while (pending.length > 0) {
		const segment = pending.shift()!;
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
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
}
