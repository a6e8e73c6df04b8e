// Read config.yaml of a home: the cache that spares `status` yaml and zod, the check, and the migration done under the lock (docs/config.md).
import fs from 'node:fs';
import {ConfigError} from '../errors.js';
import type {Home} from '../paths.js';
import {fileError, readPrivate, writePrivateAtomic} from '../private-file.js';
import {packageVersion} from '../version.js';
import {resolveComponents, throwFirst, type Fail} from './resolve.js';
import {runnableProblems} from './runnable.js';
import {CONFIG_VERSION, getSchemas, type RawConfig} from './schema.js';
import type {StackConfig} from './types.js';
import {parseConfig, salvage, validateText, yaml, type ConfigProblem, type Locator} from './validate.js';

/** Backups of one second's migrations get -1, -2…: past this many something is looping. */
const MAX_BACKUP_SUFFIX = 100;

/** How a command loads config.yaml. */
export type LoadOptions = {
	/**
	 * `start`: also refuse what this machine cannot run (a cwd, E2BIG), and never fall back. Without it a broken file
	 * does not lock the user out: the last valid config is used, after one warning (docs/decisions.md).
	 */
	strict?: boolean;
};

/** Where the one warning about a broken config.yaml goes; the CLI writes it to stderr. Each text is reported once per process. */
let reportFallback: (message: string) => void = () => undefined;
const reported = new Set<string>();

/** The fallback warning of each config.yaml's latest load in this process, until a load succeeds (the dashboard shows it). */
const falling = new Map<string, string>();

/** The warning of the latest load of a home's config.yaml when that fell back to the last valid one; null once the file loads. */
export function configFallback(home: Home): string | null {
	return falling.get(home.config) ?? null;
}

/** Route the warning a fallback load gives (once per distinct text) to `report`. */
export function onConfigFallback(report: (message: string) => void): void {
	reportFallback = report;
}

/**
 * Load config.yaml of a home over the defaults. With `strict` (start) a broken file throws ConfigError (exit 2) naming
 * file:line:col and key; without it (stop, status, logs, dash) the last valid config (or the defaults) is used instead,
 * after one warning. An old version is validated in memory; migrateConfig (only under the lock) rewrites it.
 */
export function loadConfig(home: Home, options: LoadOptions = {}): StackConfig {
	try {
		const loaded = loadStrictly(home, options);
		falling.delete(home.config);
		return loaded;
	} catch (error: unknown) {
		if (options.strict || !(error instanceof ConfigError) || !fs.existsSync(home.config)) {
			throw error;
		}

		const last = lastValid(home);
		const message = `${error.message}; using ${last === undefined ? 'the built-in defaults (no valid config.yaml was ever loaded)' : 'the last valid config.yaml'} and the PID files until it is fixed (\`stigmer config check\`)`;
		falling.set(home.config, message);
		if (!reported.has(message)) {
			reported.add(message);
			reportFallback(message);
		}

		const ignore: Fail = () => undefined; // Whatever the last valid config lacks now, stop and status still need its names.
		return {components: resolveComponents(home, last ?? {}, () => home.config, ignore)};
	}
}

function loadStrictly(home: Home, options: LoadOptions): StackConfig {
	const file = home.config;
	let text: string | undefined;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw new ConfigError(`${file}: cannot read: ${(error as Error).message}`);
		}
	}

	if (text === undefined) {
		return runnable({components: resolveComponents(home, {}, () => file)}, () => file, options);
	}

	const cached = readCache(home, file, text);
	// The cache skips parsing; a message that must name a line (an env_file that vanished, a cwd) parses then.
	let located: Locator | undefined;
	const lazy: Locator = (keyPath, atKey) => (located ??= parseConfig(file, text).locate)(keyPath, atKey);
	const {config, locate} = cached === undefined ? parseConfig(file, text) : {config: cached, locate: lazy};
	const loaded = runnable({components: resolveComponents(home, config, locate)}, locate, options);
	validated.set(loaded, {text, config, cached: cached !== undefined});
	if (cached === undefined) {
		writeCache(home, file, config);
	}

	return loaded;
}

/** With `strict`, refuse what this machine cannot run (the first problem, at its file:line:col). */
function runnable(loaded: StackConfig, locate: Locator, options: LoadOptions): StackConfig {
	if (options.strict) {
		runnableProblems(loaded.components, locate, throwFirst);
	}

	return loaded;
}

/** What a load that passed every check read, by the StackConfig it returned: migrateConfig acts on that text only. */
const validated = new WeakMap<StackConfig, {text: string; config: RawConfig; cached: boolean}>();

/**
 * Under the home lock, after the command's one load (`loaded`): rewrite config.yaml if it is a valid old version, and
 * keep it as the last valid config (data/ exists now). A fallback load, or a file edited while the command waited for
 * the lock, is left as it is for the next load.
 */
export function migrateConfig(home: Home, loaded: StackConfig): void {
	const seen = validated.get(loaded);
	let text: string | undefined;
	try {
		text = fs.readFileSync(home.config, 'utf8');
	} catch {} // No file: the defaults, nothing to migrate.

	if (seen === undefined || text !== seen.text) {
		return;
	}

	if ((seen.config.version ?? 0) < CONFIG_VERSION && hasSettings(seen.config)) {
		migrate(home.config, text);
	}

	if (!seen.cached) {
		writeCache(home, home.config, seen.config);
	}
}

/** A document with no settings at all (empty, `---`, `~`, `null`, `{}`) means the defaults: nothing to migrate. */
function hasSettings(config: RawConfig): boolean {
	return Object.keys(config).length > 0;
}

/** The config of the last successful load (the cache keeps it, whatever the text now), if the schema still accepts it. */
function lastValid(home: Home): RawConfig | undefined {
	try {
		const cache = JSON.parse(readPrivate(home.configCache) ?? '') as Cache;
		const parsed = getSchemas().configSchema.safeParse(cache.config);
		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}

/** The validated config as JSON, keyed by the exact text: `status` skips yaml and zod when nothing changed. */
type Cache = {text: string; version: string; config: RawConfig};

function readCache(home: Home, file: string, text: string): RawConfig | undefined {
	try {
		const cache = JSON.parse(readPrivate(home.configCache) ?? '') as Cache;
		return cache.text === text && cache.version === packageVersion() && fs.existsSync(file) ? cache.config : undefined;
	} catch {
		return undefined;
	}
}

function writeCache(home: Home, file: string, config: RawConfig): void {
	try {
		const text = fs.readFileSync(file, 'utf8'); // After a migration the text on disk is the migrated one.
		// Only into a data/ that exists: reading config never creates a home (the first start does).
		if (fs.statSync(home.data).isDirectory()) {
			writePrivateAtomic(home.configCache, JSON.stringify({text, version: packageVersion(), config} satisfies Cache));
		}
	} catch {} // A cache that cannot be written only costs time.
}

/** What `config check` found: every problem of the file at once, and its version (0 = would be migrated). */
export type ConfigCheck = {file: string; exists: boolean; version: number | null; problems: ConfigProblem[]};

/**
 * Every problem of a home's config.yaml — YAML, schema, and the stack's own rules (unknown depends_on,
 * cycles, duplicate ports, missing command) — without migrating, caching or creating anything.
 */
export function checkConfig(home: Home): ConfigCheck {
	const file = home.config;
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {file, exists: false, version: null, problems: []};
		}

		throw new ConfigError(`${file}: cannot read: ${(error as Error).message}`);
	}

	const checked = validateText(file, text);
	const problems = [...checked.problems];
	// Keys the schema refused are left out, so the stack's rules still run over the rest of the file.
	const config = checked.config ?? salvage(checked.raw, checked.issuePaths);
	if (config !== undefined) {
		const overlaps = (a: Array<string | number>, b: Array<string | number>) => a.every((k, i) => i >= b.length || String(b[i]) === String(k));
		const fail: Fail = (keyPath, message) => {
			if (!checked.issuePaths.some((reported) => overlaps(reported, keyPath))) {
				problems.push({keyPath, message});
			}
		};

		const specs = resolveComponents(home, config, checked.locate, fail);
		runnableProblems(specs, checked.locate, fail); // What `start` refuses on this machine too (status and stop do not).
	}

	return {file, exists: true, version: config === undefined ? null : hasSettings(config) ? (config.version ?? 0) : CONFIG_VERSION, problems};
}

/** Names of the components of a home's config.yaml for shell completion: read-only, and [] on any problem. */
export function componentNamesQuietly(home: Home): string[] {
	try {
		const file = home.config;
		const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		const checked = validateText(file, text);
		return checked.config === undefined ? [] : resolveComponents(home, checked.config, checked.locate).map((c) => c.name);
	} catch {
		return [];
	}
}

/**
 * Version 0 (no `version:`, or `version: 0`) → 1: the same keys and comments, `version` set through yaml's Document API;
 * the old text is kept as a unique backup next to the real file. A symlinked config.yaml (dotfiles) stays a symlink:
 * its target is rewritten.
 */
function migrate(file: string, text: string): void {
	const {isMap, parseDocument} = yaml();
	const doc = parseDocument(text);
	if (isMap(doc.contents) && !doc.has('version')) {
		(doc.contents.items as unknown[]).unshift(doc.createPair('version', CONFIG_VERSION)); // First, where a reader looks for it.
	} else {
		doc.set('version', CONFIG_VERSION);
	}

	const real = fs.realpathSync(file);
	const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
	for (let n = 0; ; n++) {
		try {
			fs.writeFileSync(`${real}.bak.${stamp}${n === 0 ? '' : `-${n}`}`, text, {flag: 'wx', mode: 0o600});
			break;
		} catch (error: unknown) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= MAX_BACKUP_SUFFIX) {
				throw fileError(`${real}.bak.${stamp}`, 'write the backup', error);
			}
		}
	}

	try {
		writePrivateAtomic(real, doc.toString());
	} catch (error: unknown) {
		throw new ConfigError(`${(error as Error).message}; ${file} is still at version 0 (it works as is)`);
	}
}
