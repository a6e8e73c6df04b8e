#!/usr/bin/env node
// `npm start`'s prestart: build only when a source is newer than the built CLI (a full build takes ~30 s on
// two cores; this check, a stat of each source file, takes milliseconds). `npm run build` always builds.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
/** What the build reads: every file under these, and these files. */
const INPUTS = ['source', 'package.json', 'package-lock.json', 'tsconfig.json', 'rollup.config.mjs'];
/** Written last by the build (rollup swaps dist/bin in whole): older than any input means stale. */
const BUILT = path.join(root, 'dist', 'bin', 'cli.js');

/** The newest modification time under `file` (0 when missing). */
function newest(file) {
	let stat;
	try {
		stat = fs.statSync(file);
	} catch {
		return 0;
	}

	if (!stat.isDirectory()) {
		return stat.mtimeMs;
	}

	return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newest(path.join(file, name))));
}

let built = 0;
try {
	built = fs.statSync(BUILT).mtimeMs;
} catch {
	// Never built.
}

const changed = Math.max(...INPUTS.map((input) => newest(path.join(root, input))));
if (changed > built) {
	process.stderr.write(built === 0 ? 'stigmer: building (first run)…\n' : 'stigmer: sources changed since the last build: building…\n');
	const npm = process.env['npm_execpath'];
	const result = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], {cwd: root, stdio: 'inherit'}) : spawnSync('npm', ['run', 'build'], {cwd: root, stdio: 'inherit'});
	process.exit(result.status ?? 1);
}
