// Bundles tsc's ESM output (dist/source) into the shipped CLI (dist/bin), in two builds:
//  - CommonJS (`.js`, dist/bin/package.json says so): the CLI entry, every verb, `dash --once` included, the logs worker.
//    Node 20's ES-module loader costs ~12 ms of start-up that require() does not (its loader, a facade per built-in
//    module), and `server status` has a budget of 1.5 × `node -e 0`, `dash --once` 2 ×. Node 20 pays ~0.7 ms more per
//    module loaded, so status's modules share one chunk (core); the other verbs and built-in components stay lazily
//    loaded chunks.
//  - ES modules (`.mjs`): the interactive dashboard (ui/launch.ts), whose Ink, React and chalk are ES-module-only
//    packages that require() cannot load on Node 20. `dash` loads it with import(); it holds its own copy of the engine,
//    so errors cross by brand (errors.ts).
// Packages stay external, resolved from node_modules at run time.
import fs from 'node:fs';
import path from 'node:path';
import {builtinModules} from 'node:module';

const source = path.resolve('dist/source');
const shipped = path.resolve('dist/bin');
// Written beside, then swapped in whole: a stack running from this checkout re-executes dist/bin/cli.js whenever a
// supervisor restarts a component, so a rebuild (`npm start`, `npm test`) must never leave it missing or half-written.
const out = path.resolve('dist/bin.next');
const cliEntry = path.join(source, 'cli.js');
const dashboard = path.join(source, 'ui', 'launch.js');

/** Resolved at run time from node_modules or Node itself. */
const isPackage = (id) => id.startsWith('node:') || builtinModules.includes(id) || !(id.startsWith('.') || path.isAbsolute(id));

/**
 * What the entry itself needs (exit codes, help, --version, an error's one sanitised line), and `dash` before it picks
 * --once or the live dashboard (the config warning): their own small chunk, so `--version`, help and the live dashboard
 * load no engine of this bundle. A module they import that is left to `core` makes them load all of it.
 */
const entryModules = new Set(['errors.js', 'version.js', path.join('commands', 'flags.js'), path.join('logs', 'sanitize.js'), path.join('commands', 'config-warning.js')].map((file) => path.join(source, file)));

/** `server status`'s modules in one chunk (it is the verb with a start-up budget); the entry stays apart so no chunk that imports shared code runs the CLI's main. */
function manualChunks(id, {getModuleInfo}) {
	if (entryModules.has(id)) {
		return 'base';
	}

	return id !== cliEntry && statusPath(getModuleInfo).has(id) ? 'core' : undefined;
}

/** Every module of ours that `roots` import statically, directly or not. */
function staticGraph(getModuleInfo, roots) {
	const modules = new Set();
	const visit = (id) => {
		if (!modules.has(id) && !isPackage(id)) {
			modules.add(id);
			for (const next of getModuleInfo(id)?.importedIds ?? []) {
				visit(next);
			}
		}
	};
	for (const root of roots) {
		visit(path.join(source, root));
	}

	return modules;
}

let statusModules;
/** `server status`'s modules. */
function statusPath(getModuleInfo) {
	statusModules ??= staticGraph(getModuleInfo, [path.join('commands', 'status.js')]);
	return statusModules;
}

/** Files the bundle reads beside itself (`new URL(name, import.meta.url)`), and the package.json that makes `.js` CommonJS. */
const besideBundle = {
	name: 'beside-bundle',
	writeBundle() {
		fs.copyFileSync(path.join(source, 'logs', 'full', 'merge.wasm'), path.join(out, 'merge.wasm'));
		fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({type: 'commonjs'})}\n`);
	},
};

/**
 * dist/bin/cli.js is also a POSIX sh script: its #! line runs sh, which execs node at once, except as PID 1 of a
 * container, where it stays as the reaper Node cannot be (source/reaper-script.ts) and runs node as its child. The sh
 * lines sit in a JavaScript block comment after a string statement, so node reads none of them.
 */
const launcher = {
	name: 'launcher',
	async renderChunk(code, chunk) {
		if (chunk.fileName !== 'cli.js') {
			return null;
		}

		const {REAPED, REAPER} = await import(path.join(source, 'reaper-script.js'));
		const body = code.replace(/^#!.*\n/, '');
		// sh reads the comment's first line as words too: no quote, parenthesis or operator there. The reaper must not end the comment early.
		if (REAPER.includes('*/') || body === code) {
			throw new Error('launcher: the reaper must not close a block comment, and cli.js must start with #!');
		}

		const sh = ['[ "$$" = 1 ] || exec node "$0" "$@"', `${REAPED}=1 && export ${REAPED}`, 'set -- node "$0" "$@"', REAPER.trimEnd()];
		return {code: `#!/bin/sh\n":" /* the stigmer launcher, written by rollup.config.mjs: sh runs the lines below, node skips them\n${sh.join('\n')}\n*/\n${body}`, map: null};
	},
	// Executable, as npm makes an installed bin: `dist/bin/cli.js` runs directly from a clone, and as a container's PID 1.
	writeBundle(options) {
		fs.chmodSync(path.join(options.dir, 'cli.js'), 0o755);
	},
};

/**
 * Non-ASCII characters (…, ·, →) written as \u escapes: V8 keeps each module's whole source in memory, and one such
 * character makes it a two-byte string, twice the bytes (the live dashboard's ~350 KB of source held ~700 KB).
 * An escape means the same everywhere but after a backslash and inside String.raw, which the check refuses.
 */
const asciiOnly = {
	name: 'ascii-only',
	renderChunk(code, chunk) {
		if (/\\[^\x00-\x7F]|String\.raw\s*`[^`]*[^\x00-\x7F]/.test(code)) {
			throw new Error(`ascii-only: ${chunk.fileName} has a non-ASCII character after a backslash or inside String.raw`);
		}

		return {code: code.replaceAll(/[^\x00-\x7F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), map: null};
	},
};

let written = 0;
/** Once both builds are written: the new bundle replaces dist/bin with two renames (the old one is gone for an instant only). */
const swapIn = {
	name: 'swap-in',
	writeBundle() {
		written += 1;
		if (written === 2) {
			const old = `${shipped}.old`;
			fs.rmSync(old, {recursive: true, force: true});
			if (fs.existsSync(shipped)) {
				fs.renameSync(shipped, old);
			}

			fs.renameSync(out, shipped);
			fs.rmSync(old, {recursive: true, force: true});
		}
	},
};

function onwarn(warning, warn) {
	// A warning is a build failure: a circular chunk or a missing export would break the shipped CLI silently.
	throw new Error(warning.message ?? String(warning), {cause: warn});
}

const commonjs = {
	input: {cli: cliEntry, worker: path.join(source, 'logs', 'full', 'worker.js')},
	// The interactive dashboard is the ES-module build's entry: `dash` imports it by its file name there.
	external: (id, importer) => isPackage(id) || (importer !== undefined && path.resolve(path.dirname(importer), id) === dashboard),
	plugins: [asciiOnly, launcher, besideBundle, swapIn],
	output: {
		dir: out,
		format: 'cjs',
		entryFileNames: '[name].js',
		chunkFileNames: '[name]-[hash].js',
		manualChunks,
		generatedCode: 'es2015',
		// ES-module-only packages (meow, execa, chokidar) and the dashboard are loaded with import(), which CommonJS has on Node 20.
		dynamicImportInCjs: true,
		paths: (id) => (id === dashboard ? './dash.mjs' : id),
	},
	onwarn,
};

const esm = {
	input: {dash: dashboard},
	external: isPackage,
	plugins: [asciiOnly, swapIn],
	output: {dir: out, format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs'},
	onwarn,
};

export default [commonjs, esm];
