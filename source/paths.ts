import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Stream = 'stdout' | 'stderr';

/** Every file stigmer uses under one STIGMER_HOME (SPEC 2). */
export type HomePaths = {
	home: string;
	config: string;
	bin: string;
	data: string;
	logs: string;
	lock: string;
	legacyPid: string;
};

/** The home from STIGMER_HOME (default ~/.stigmer), absolute with symlinks resolved when it exists. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
	const raw = env['STIGMER_HOME'] && env['STIGMER_HOME'] !== '' ? env['STIGMER_HOME'] : path.join(os.homedir(), '.stigmer');
	const abs = path.resolve(raw);
	try {
		return fs.realpathSync(abs);
	} catch {
		return abs;
	}
}

/** Paths of a home; pure, touches nothing. */
export function homePaths(home: string): HomePaths {
	const data = path.join(home, 'data');
	return {
		home,
		config: path.join(home, 'config.yaml'),
		bin: path.join(home, 'bin'),
		data,
		logs: path.join(data, 'logs'),
		lock: path.join(data, 'lock'),
		legacyPid: path.join(data, 'daemon.pid'),
	};
}

/** `data/<component>.pid` */
export function pidFile(home: string, component: string): string {
	return path.join(home, 'data', `${component}.pid`);
}

/** `data/<component>.state`: its supervisor's record (SPEC 4.8). */
export function stateFile(home: string, component: string): string {
	return path.join(home, 'data', `${component}.state`);
}

/** `data/logs/<component>.log` for stdout, `.err` for stderr. */
export function logFile(home: string, component: string, stream: Stream): string {
	return path.join(home, 'data', 'logs', `${component}.${stream === 'stdout' ? 'log' : 'err'}`);
}

/** Create a directory we own with mode 0700 (SPEC 2). */
export function ensurePrivateDir(dir: string): void {
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
}
