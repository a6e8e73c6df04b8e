// Bundles tsc's ESM output (dist/source) into the shipped CLI (dist/bin): Node 20 pays ~0.7 ms per ESM
// module loaded, and `server status` crossed 33 of them; bundled it loads two (cli.js and the core chunk).
// One chunk for everything would cost as much again in compile time (~20 ms for 300 KB), so only status's
// modules share the core chunk; the other verbs, the dashboard and the built-in components stay lazily
// loaded chunks. Packages stay external, resolved from node_modules at run time.
import fs from 'node:fs';
import path from 'node:path';
import {builtinModules} from 'node:module';

const source = path.resolve('dist/source');
const out = path.resolve('dist/bin');

/** Resolved at run time from node_modules or Node itself. */
const external = (id) => id.startsWith('node:') || builtinModules.includes(id) || !(id.startsWith('.') || path.isAbsolute(id));

/** `server status`'s modules in one chunk (it is the verb with a start-up budget); the entry stays apart so no chunk that imports shared code runs the CLI's main. */
function manualChunks(id, {getModuleInfo}) {
	return id !== path.join(source, 'cli.js') && statusPath(getModuleInfo).has(id) ? 'core' : undefined;
}

let statusModules;
/** Every module `commands/status.js` imports statically, directly or not, and the Linux process table (the same bundle on every OS: macOS loads darwin.js as its own chunk). */
function statusPath(getModuleInfo) {
	if (statusModules === undefined) {
		statusModules = new Set();
		const visit = (id) => {
			if (!statusModules.has(id) && !external(id)) {
				statusModules.add(id);
				const info = getModuleInfo(id);
				for (const next of [...(info?.importedIds ?? []), ...(info?.dynamicallyImportedIds ?? []).filter((d) => d === path.join(source, 'os', 'linux.js'))]) {
					visit(next);
				}
			}
		};
		visit(path.join(source, 'commands', 'status.js'));
	}

	return statusModules;
}

/** Files the bundle reads beside itself through `new URL(name, import.meta.url)`. */
const copyBeside = {
	name: 'copy-beside',
	writeBundle() {
		fs.copyFileSync(path.join(source, 'logs', 'full', 'merge.wasm'), path.join(out, 'merge.wasm'));
	},
};

export default {
	input: {cli: path.join(source, 'cli.js'), worker: path.join(source, 'logs', 'full', 'worker.js')},
	external,
	plugins: [copyBeside],
	output: {dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', manualChunks},
	onwarn(warning, warn) {
		// A warning is a build failure: a circular chunk or a missing export would break the shipped CLI silently.
		throw new Error(warning.message ?? String(warning), {cause: warn});
	},
};
