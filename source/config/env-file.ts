// `env_file` (docs/config.md): a component's dotenv files, read when it starts (never by `status`), parsed by Node's own
// dotenv parser, and merged under the config's own environment. Values are the user's secrets: no message holds one.
import fs from 'node:fs';
import util from 'node:util';
import {ConfigError} from '../errors.js';
import {readRange} from '../read-range.js';
import type {ComponentSpec} from './types.js';

/** Largest env file read: a secrets file is a few KiB; past this it is not one (a log, a database) and is refused unread. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** Node's dotenv parser (util.parseEnv, Node 20.12+): `#` comments, single/double/backtick quotes, `export ` prefixes. */
type ParseEnv = (text: string) => Record<string, string>;

/** Why `file` cannot be used as an env file (missing, unreadable, too large…), in words without its content; undefined when it can. */
export function envFileProblem(file: string): string | undefined {
	try {
		read(file);
		return undefined;
	} catch (error: unknown) {
		return (error as Error).message;
	}
}

/** The variables of a component's env files, later files winning; throws a ConfigError naming the `env_file` entry. */
export function envFromFiles(spec: Pick<ComponentSpec, 'name' | 'envFiles'>): Record<string, string> {
	const merged: Record<string, string> = {};
	for (const file of spec.envFiles) {
		let vars: Record<string, string>;
		try {
			vars = read(file.path);
		} catch (error: unknown) {
			throw new ConfigError(`${file.at()}: components.${spec.name}.env_file: ${file.path} ${(error as Error).message}`);
		}

		Object.assign(merged, vars);
	}

	return merged;
}

/**
 * The environment a component gets from its config (what `spawn`, its `exec` probe and an exported unit's
 * EnvironmentFile= carry): env files first, then the built-in variables and PORT, then `env`, which wins.
 */
export function componentEnv(spec: Pick<ComponentSpec, 'name' | 'envFiles' | 'env'>): Record<string, string> {
	return spec.envFiles.length === 0 ? {...spec.env} : {...envFromFiles(spec), ...spec.env};
}

/** Read and parse one env file with a size bound; errors say what is wrong in words, never what the file holds. */
function read(file: string): Record<string, string> {
	const parseEnv = (util as unknown as {parseEnv?: ParseEnv}).parseEnv;
	if (parseEnv === undefined) {
		throw new Error(`cannot be read: env_file needs Node.js 20.12 or later (this is ${process.version})`);
	}

	let fd: number;
	try {
		fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
	} catch (error: unknown) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be opened (${code ?? 'error'})`);
	}

	try {
		const stat = fs.fstatSync(fd);
		if (!stat.isFile()) {
			throw new Error('is not a regular file');
		}

		if (stat.size > MAX_ENV_FILE_BYTES) {
			throw new Error(`is larger than ${MAX_ENV_FILE_BYTES / 1024 / 1024} MiB: not an env file`);
		}

		const text = readRange(fd, 0, MAX_ENV_FILE_BYTES + 1).toString('utf8');
		if (text.length > MAX_ENV_FILE_BYTES || text.includes('\0')) {
			throw new Error(text.includes('\0') ? 'contains a NUL byte: not a text file' : 'grew past its size bound while read');
		}

		return parseEnv(text);
	} catch (error: unknown) {
		const code = (error as NodeJS.ErrnoException).code;
		throw code === undefined ? error : new Error(`cannot be read (${code})`);
	} finally {
		fs.closeSync(fd);
	}
}
