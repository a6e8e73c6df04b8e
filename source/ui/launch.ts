// The interactive dashboard's start, for commands/dash.ts once it knows a terminal watches. Ink, React and chalk
// are ES-module-only packages, so this module and everything under it is the CLI's ES-module half (dist/bin/dash.mjs,
// rollup.config.mjs), loaded with import(); `dash --once` never loads it and starts as fast as `status` does.
import {createRequire} from 'node:module';
import {colorEnabled} from '../colors.js';
import {onConfigFallback} from '../config/index.js';
import {resolveHome} from '../paths.js';
import {CI_VARIABLES} from './color-mode.js';
import {capYoungGeneration} from './heap.js';

export type LaunchOptions = {
	/** --no-color. */
	noColor: boolean;
	/** Where a broken config.yaml is named before the first frame (stderr); this half has its own copy of config/load. */
	warn: (message: string) => void;
};

/** Load Ink and run the dashboard until the user quits; the exit code. */
export async function launchDashboard({noColor, warn}: LaunchOptions): Promise<number> {
	onConfigFallback(warn);
	const home = resolveHome();
	const color = colorEnabled(noColor);
	// Ink decides at import whether it runs in CI (is-in-ci), and then paints nothing until exit. A
	// terminal on stdout means someone is watching, whatever CI says: the CI variables are hidden while
	// Ink loads, then restored, so components started by a key inherit exactly what `server start`
	// gives them. chalk is told its level from the terminal (color-mode.ts), not from these.
	const saved = [...CI_VARIABLES, 'NODE_ENV'].map((name) => [name, process.env[name]] as const);
	// React's development build costs several times the CPU per render; users run the dashboard all day.
	process.env['NODE_ENV'] ??= 'production';
	for (const name of CI_VARIABLES) {
		delete process.env[name];
	}

	// Before Ink loads: an idle dashboard's young generation stays small (heap.ts).
	capYoungGeneration();
	const {runDashboard} = await import('./run.js');
	forgetUnrunModules();
	for (const [name, value] of saved) {
		if (value === undefined) {
			delete process.env[name];
		} else {
			process.env[name] = value;
		}
	}

	// Once the screen is Ink's, stderr would be painted over: a broken file at launch is named before the first
	// frame, later ones on the status line, from each status poll, until it is fixed (docs/dashboard.md).
	const {liveDeps} = await import('./live-deps.js');
	const deps = liveDeps(home);
	onConfigFallback(() => undefined);
	return runDashboard(home, {color}, deps);
}

/**
 * Node's ES-module loader reads a CommonJS package's files to list their exports, following both branches of React's
 * `NODE_ENV` switch: the development builds of react, react-reconciler and scheduler (~0.85 MB of source) stay in the
 * module cache, never run, for the dashboard's whole life. A cached module that has not loaded by now never will.
 */
function forgetUnrunModules(): void {
	const {cache} = createRequire(import.meta.url);
	for (const [file, module] of Object.entries(cache)) {
		if (module !== undefined && !module.loaded) {
			delete cache[file];
		}
	}
}
