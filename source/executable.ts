// Whether a file can be run, and where a command is on PATH: one answer for config (built-in binaries) and engine (argv[0]).
import fs from 'node:fs';
import path from 'node:path';

/** Whether `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** Why `dir` cannot be a working directory ('does not exist', 'is not a directory'), or undefined when it can. */
export function directoryProblem(dir: string): string | undefined {
	try {
		return fs.statSync(dir).isDirectory() ? undefined : 'is not a directory';
	} catch {
		return 'does not exist';
	}
}

/** First executable `name` on PATH, or undefined. */
export function which(name: string, envPath = process.env['PATH'] ?? ''): string | undefined {
	for (const dir of envPath.split(path.delimiter)) {
		if (dir !== '' && isExecutableFile(path.join(dir, name))) {
			return path.join(dir, name);
		}
	}

	return undefined;
}
