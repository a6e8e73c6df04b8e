// Read, migrate and validate config.yaml over the built-in stack (SPEC 3); errors name file:line:col and key.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createRequire} from 'node:module';
import type {Document} from 'yaml';
import type {z as Zod} from 'zod';
import {ConfigError, UsageError} from './errors.js';
import {parseDuration} from './duration.js';
import {fileError, readPrivate, writePrivateAtomic, type Home} from './paths.js';
import {packageVersion} from './version.js';

export type ReadyProbe =
	/** `pidProof`: the built-in components prove the answer is theirs: `body` has `"pid": N`, `query` asks `?pid=N`. */
	| {kind: 'http'; url: string; pidProof?: 'body' | 'query'}
	| {kind: 'tcp'; port: number; host: string}
	| {kind: 'log'; pattern: RegExp}
	| {kind: 'exec'; argv: string[]}
	| {kind: 'after'; ms: number};

/** One component, fully resolved: defaults applied, command resolved to argv. */
export type ComponentSpec = {
	name: string;
	builtin: boolean;
	enabled: boolean;
	/** Why it is disabled (e.g. "temporal binary not found"), else null. */
	disabledReason: string | null;
	/** argv; with shell: true, ['sh', '-c', command]. */
	command: string[];
	env: Record<string, string>;
	cwd: string | null;
	port: number | null;
	ready: ReadyProbe | null;
	dependsOn: string[];
	stopSignal: NodeJS.Signals;
	stopTimeoutMs: number;
	readyTimeoutMs: number;
	/** What its supervisor does when it exits by itself (SPEC 4.8). */
	restart: RestartPolicy;
	/** Directories the command expects to exist (temporal's database folder); created 0700 before a start. */
	ensureDirs: string[];
};

/** SPEC 4.8: `restart`, `max_restarts`, `restart_delay`, `min_uptime`, resolved. */
export type RestartPolicy = {
	mode: (typeof RESTART_MODES)[number];
	maxRestarts: number;
	delayMs: number;
	minUptimeMs: number;
};

export type StackConfig = {
	home: Home;
	/** Absolute path of config.yaml (may not exist). */
	file: string;
	/** Every component, enabled or not, in dependency order. */
	components: ComponentSpec[];
};

export const CONFIG_VERSION = 1;
/** Grace between stop_signal and SIGKILL when config names none (SPEC 3). */
const DEFAULT_STOP_TIMEOUT_MS = 5000;
/** How long a component may take to be ready when config names no ready_timeout. */
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const RESTART_MODES = ['no', 'on-failure', 'always'] as const;
/** SPEC 4.8 defaults: five quick failures in a row, backoff from 1s, a 10s run counts as healthy. */
const DEFAULT_RESTART: RestartPolicy = {mode: 'on-failure', maxRestarts: 5, delayMs: 1000, minUptimeMs: 10_000};
const BUILTIN_NAMES = ['temporal', 'stigmer-server', 'workflow-runner', 'agent-runner'] as const;
const DEFAULT_PORTS: Record<string, number> = {temporal: 7233, 'stigmer-server': 7234};
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP'] as const;
/** SPEC 3: a component name is 1–64 of a-z 0-9 - _ (it names files under data/ and data/logs/). */
const NAME = /^[a-z0-9_-]{1,64}$/;
/** Names the character rule lets through that data/ already uses for something else: daemon.pid/.log/.err are legacy files. */
const RESERVED_NAMES = ['daemon'] as const;
/** Longest duration config accepts: longer waits are typos, and past ~24.8 days Node's timers fire at once. */
const MAX_DURATION_MS = 24 * 3_600_000;
/** Backups of one second's migrations get -1, -2…: past this many something is looping. */
const MAX_BACKUP_SUFFIX = 100;
/** Alias expansions allowed in config.yaml (yaml's own default): a small config needs a handful, a bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

// yaml and zod load only when a config.yaml exists: they cost more start-up time than `status` may spend.
const require = createRequire(import.meta.url);
type Yaml = typeof import('yaml');
let yamlModule: Yaml | undefined;
const yaml = (): Yaml => (yamlModule ??= require('yaml') as Yaml);
let schemas: ReturnType<typeof makeSchemas> | undefined;
const getSchemas = () => (schemas ??= makeSchemas((require('zod') as {z: typeof Zod}).z));

function makeSchemas(z: typeof Zod) {
const durationMessage = 'expected a duration like 250ms, 5s, 1.5s, 2m, 1h or a number of seconds, at most 24h';
const duration = z.union([z.string(), z.number()], {error: durationMessage}).refine((v) => (parseDuration(v) ?? Infinity) <= MAX_DURATION_MS, {message: durationMessage});
const portMessage = {error: 'expected a port number 1-65535'};
const port = z.number(portMessage).int(portMessage).min(1, portMessage).max(65_535, portMessage);
const ready = z.union([
	z.strictObject({http: z.url()}),
	z.strictObject({tcp: port}),
	z.strictObject({
		log: z.string().refine((v) => {
			try {
				new RegExp(v); // eslint-disable-line no-new
				return true;
			} catch {
				return false;
			}
		}, 'expected a valid regular expression'),
	}),
	z.strictObject({exec: z.array(z.string().min(1)).min(1)}),
	z.strictObject({after: duration}),
], {error: 'expected one of {http: URL}, {tcp: PORT}, {log: REGEX}, {exec: [COMMAND, ARG...]}, {after: DURATION}'});

const componentSchema = z.strictObject({
	enabled: z.boolean().optional(),
	command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
	shell: z.boolean().optional(),
	port: port.optional(),
	ready: ready.optional(),
	depends_on: z.array(z.string()).optional(),
	env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
	cwd: z.string().optional(),
	stop_signal: z.enum(STOP_SIGNALS).optional(),
	stop_timeout: duration.optional(),
	ready_timeout: duration.optional(),
	// YAML 1.2 reads `no` as the string "no"; false is accepted as the same.
	restart: z.union([z.enum(RESTART_MODES), z.literal(false)], {error: 'expected no, on-failure or always'}).optional(),
	max_restarts: z.number().int().min(0).max(1000).optional(),
	restart_delay: duration.optional(),
	min_uptime: duration.optional(),
});
const configSchema = z.strictObject({
	version: z.number().int().optional(),
	// The name rule is checked first, with its own messages (nameProblems); here it reaches the JSON Schema for editors.
	components: z.record(z.string().regex(NAME), componentSchema.nullable()).optional(),
});
return {componentSchema, configSchema};
}

type Schemas = ReturnType<typeof makeSchemas>;
type ComponentConfig = Zod.infer<Schemas['componentSchema']>;
type RawConfig = Zod.infer<Schemas['configSchema']>;

/** Where a problem is in the file, for messages like `config.yaml:4:5: components.redis.prot: …`. */
type Locator = (keyPath: Array<string | number>, atKey?: boolean) => string;

/** One problem of a config file: the message (starting `file:line:col:`) and the key it is about. */
export type ConfigProblem = {keyPath: Array<string | number>; message: string};

/** Where a resolve-step problem goes: thrown at once (loadConfig), or collected (`config check`). */
type Fail = (keyPath: Array<string | number>, message: string) => void;
const throwFirst: Fail = (_keyPath, message) => {
	throw new ConfigError(message);
};

/**
 * Load config.yaml of a home over the defaults; throws ConfigError (exit 2) naming file:line:col and key. An old
 * version is validated in memory; `migrate` (only under the home lock: start, stop) then rewrites it, once valid.
 */
export function loadConfig(home: Home, options: {migrate?: boolean} = {}): StackConfig {
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
		return {home, file, components: resolveComponents(home, {}, () => file)};
	}

	const cached = readCache(home, file, text);
	if (cached !== undefined) {
		const components = resolveComponents(home, cached, () => file);
		if (options.migrate && (cached.version ?? 0) < CONFIG_VERSION) {
			migrate(file, text);
		}

		return {home, file, components};
	}

	const {config, locate} = parseConfig(file, text);
	const components = resolveComponents(home, config, locate);
	if (options.migrate && (config.version ?? 0) < CONFIG_VERSION) {
		migrate(file, text);
	}

	writeCache(home, file, config);
	return {home, file, components};
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
		const target = home.configCache;
		fs.mkdirSync(path.dirname(target), {recursive: true, mode: 0o700});
		writePrivateAtomic(target, JSON.stringify({text, version: packageVersion(), config} satisfies Cache));
	} catch {} // A cache that cannot be written only costs time.
}

/** Parse and schema-check the YAML text; throws the first problem as a ConfigError. Migrates nothing (loadConfig does, under the lock). */
export function parseConfig(file: string, text: string): {config: RawConfig; locate: Locator} {
	const checked = validateText(file, text);
	const first = checked.problems[0];
	if (first !== undefined || checked.config === undefined) {
		throw new ConfigError(first?.message ?? `${file}: invalid config`);
	}

	return {config: checked.config, locate: checked.locate};
}

/** Every problem of the YAML text against the schema; `config` is set when there are none. Pure apart from naming `file`. */
function validateText(file: string, text: string): {config?: RawConfig; raw?: unknown; locate: Locator; problems: ConfigProblem[]; issuePaths: Array<Array<string | number>>} {
	const {LineCounter, parseDocument} = yaml();
	const {configSchema} = getSchemas();
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const at = (offset: number) => {
		const {line, col} = lineCounter.linePos(offset);
		return `${file}:${line}:${col}`;
	};

	const locate: Locator = (keyPath, atKey = false) => at(offsetOf(doc, keyPath, atKey));
	if (doc.errors.length > 0) {
		return {locate, issuePaths: [], problems: doc.errors.map((error) => ({keyPath: [], message: `${at(error.pos[0])}: invalid YAML: ${error.message.split('\n')[0]}`}))};
	}

	let raw: unknown;
	try {
		raw = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT}) ?? {};
	} catch (error: unknown) {
		// yaml throws a ReferenceError when aliases expand past the bound (a "billion laughs" document).
		return {locate, issuePaths: [], problems: [{keyPath: [], message: `${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}; a config needs at most ${MAX_ALIAS_COUNT} alias expansions`}]};
	}

	const named = nameProblems(raw, locate);
	const parsed = configSchema.safeParse(raw);
	if (named.length > 0 || !parsed.success) {
		// Name problems first (loadConfig reports the first), then the schema's, less what the name rule said already.
		const problems: ConfigProblem[] = [...named];
		const issuePaths: Array<Array<string | number>> = named.map((p) => p.keyPath);
		for (const issue of parsed.success ? [] : parsed.error.issues) {
			const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
			if (named.some((p) => p.keyPath.every((k, i) => String(keyPath[i]) === String(k)))) {
				continue;
			}

			if (issue.code === 'unrecognized_keys') {
				for (const key of issue.keys) {
					const full = [...keyPath, key];
					issuePaths.push(full);
					problems.push({keyPath: full, message: `${locate(full, true)}: unknown key "${dotted(full)}"${hintFor(keyPath, key)}`});
				}
			} else {
				issuePaths.push(keyPath);
				problems.push({keyPath, message: `${locate(keyPath)}: ${dotted(keyPath) || 'config'}: ${issue.message}${describeValue(raw, keyPath)}`});
			}
		}

		return {raw, locate, problems, issuePaths};
	}

	const version = parsed.data.version ?? 0;
	if (version > CONFIG_VERSION) {
		const message = `${locate(['version'])}: version: ${version} is newer than this stigmer understands (${CONFIG_VERSION}); upgrade stigmer`;
		return {raw, locate, problems: [{keyPath: ['version'], message}], issuePaths: [['version']]};
	}

	return {config: parsed.data, raw, locate, problems: [], issuePaths: []};
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

		resolveComponents(home, config, checked.locate, fail);
	}

	return {file, exists: true, version: config === undefined ? null : (config.version ?? 0), problems};
}

/** The raw config without the keys at `paths`, if the schema then accepts it. */
function salvage(raw: unknown, paths: Array<Array<string | number>>): RawConfig | undefined {
	if (raw === undefined || raw === null || typeof raw !== 'object') {
		return undefined;
	}

	const copy = structuredClone(raw) as Record<string | number, unknown>;
	for (const keyPath of paths) {
		let node: unknown = copy;
		for (const key of keyPath.slice(0, -1)) {
			node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
		}

		const last = keyPath.at(-1);
		if (last !== undefined && node && typeof node === 'object') {
			delete (node as Record<string | number, unknown>)[last]; // eslint-disable-line @typescript-eslint/no-dynamic-delete
		}
	}

	const parsed = getSchemas().configSchema.safeParse(copy);
	return parsed.success ? parsed.data : undefined;
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

/** The JSON Schema of config.yaml, generated from the very zod schema the config is validated with (SPEC 8). */
export function configJsonSchema(): Record<string, unknown> {
	const {z} = require('zod') as {z: typeof Zod};
	// Refinements (durations, regular expressions) have no JSON Schema form: their base types remain.
	const schema = z.toJSONSchema(getSchemas().configSchema, {target: 'draft-07', io: 'input', unrepresentable: 'any'}) as Record<string, unknown>;
	const {$schema, ...rest} = schema;
	return {$schema, title: 'stigmer config.yaml', description: 'STIGMER_HOME/config.yaml: the components stigmer runs (see the README).', ...rest};
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

/** SPEC 3's name rule, checked before the schema so `../x` or `daemon` is named with the rule, not a generic record error. */
function nameProblems(raw: unknown, locate: Locator): ConfigProblem[] {
	const components = raw && typeof raw === 'object' ? (raw as {components?: unknown}).components : undefined;
	if (!components || typeof components !== 'object' || Array.isArray(components)) {
		return [];
	}

	const problems: ConfigProblem[] = [];
	for (const name of Object.keys(components)) {
		const keyPath = ['components', name];
		const shown = JSON.stringify(name.length > 70 ? `${name.slice(0, 67)}...` : name);
		if (!NAME.test(name)) {
			problems.push({keyPath, message: `${locate(keyPath, true)}: components: invalid component name ${shown}: a name is 1-64 characters of a-z, 0-9, "-" and "_"`});
		} else if ((RESERVED_NAMES as readonly string[]).includes(name)) {
			problems.push({keyPath, message: `${locate(keyPath, true)}: components: the name "${name}" is reserved (data/${name}.pid and data/logs/${name}.log are stigmer's legacy files); choose another name`});
		}
	}

	return problems;
}

function offsetOf(doc: Document, keyPath: Array<string | number>, atKey: boolean): number {
	const {isMap, isPair, isScalar} = yaml();
	let node: unknown = doc.contents;
	let offset = 0;
	for (const key of keyPath) {
		if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) {
			break;
		}

		const items = (node as {items: unknown[]}).items;
		const item = isMap(node)
			? items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key))
			: items[Number(key)];
		if (item === undefined) {
			break;
		}

		if (isPair(item)) {
			const keyNode = item.key as {range?: [number, number, number]};
			const valueNode = item.value as {range?: [number, number, number]} | null;
			offset = (atKey || !valueNode?.range ? keyNode.range?.[0] : valueNode.range[0]) ?? offset;
			node = item.value;
		} else {
			offset = (item as {range?: [number, number, number]}).range?.[0] ?? offset;
			node = item;
		}
	}

	return offset;
}

function dotted(keyPath: Array<string | number>): string {
	return keyPath.map(String).join('.');
}

function describeValue(raw: unknown, keyPath: Array<string | number>): string {
	let value: unknown = raw;
	for (const key of keyPath) {
		value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
	}

	return value === undefined ? '' : ` (got ${typeof value === 'number' ? String(value) : JSON.stringify(value)})`;
}

function hintFor(parent: Array<string | number>, key: string): string {
	const known = parent.length === 0 ? ['version', 'components'] : parent[0] === 'components' && parent.length === 2 ? Object.keys(getSchemas().componentSchema.shape) : [];
	return known.length > 0 ? `; expected one of: ${known.join(', ')}` : '';
}

/** The path of the built CLI, re-executed for the built-in components. */
function cliPath(): string {
	return path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.js');
}

/** First executable `name` on PATH, or undefined. */
export function which(name: string, envPath = process.env['PATH'] ?? ''): string | undefined {
	for (const dir of envPath.split(path.delimiter)) {
		if (dir === '') {
			continue;
		}

		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) {
				return candidate;
			}
		} catch {}
	}

	return undefined;
}

function executable(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

function resolveComponents(home: Home, config: RawConfig, locate: Locator, fail: Fail = throwFirst): ComponentSpec[] {
	const user = config.components ?? {};
	const names = [...BUILTIN_NAMES, ...Object.keys(user).filter((n) => !(BUILTIN_NAMES as readonly string[]).includes(n))];
	const specs = names.map((name) => resolveOne(home, name, user[name] ?? {}, user, locate, fail));
	checkPorts(specs, locate, fail);
	return orderByDependencies(specs, locate, fail);
}

function resolveOne(home: Home, name: string, c: ComponentConfig, user: Record<string, unknown>, locate: Locator, fail: Fail): ComponentSpec {
	const builtin = (BUILTIN_NAMES as readonly string[]).includes(name);
	const serverPort = portOf(user['stigmer-server']) ?? DEFAULT_PORTS['stigmer-server']!;
	const serverUrl = `http://127.0.0.1:${serverPort}`;
	const port = c.port ?? DEFAULT_PORTS[name] ?? null;
	const binFile = path.join(home.bin, name);
	let command: string[] | undefined;
	let disabledReason: string | null = c.enabled === false ? 'disabled in config' : null;
	let ready: ReadyProbe | null = null;
	/** The built-in program runs (not a bin/ or config replacement): its probe can demand its pid. */
	let embedded = false;
	const env: Record<string, string> = {};

	if (c.command !== undefined) {
		command = typeof c.command === 'string' ? (c.shell ? ['sh', '-c', c.command] : c.command.split(/\s+/).filter(Boolean)) : c.command;
		if (typeof c.command === 'string' && !c.shell && /["'$`|&;<>*?(){}\\]/.test(c.command)) {
			fail(['components', name, 'command'], `${locate(['components', name, 'command'])}: components.${name}.command: a string with shell syntax needs \`shell: true\`, or write it as an argv array`);
		}
	} else if (name === 'temporal') {
		const binary = executable(binFile) ? binFile : which('temporal');
		if (binary === undefined) {
			disabledReason ??= 'temporal binary not found';
			command = ['temporal'];
		} else {
			command = [binary, 'server', 'start-dev', '--port', String(port), '--ui-port', String((port ?? 7233) + 1000), '--db-filename', path.join(home.root, 'temporal-data', 'temporal.db')];
		}
	} else if (builtin) {
		embedded = !executable(binFile);
		command = embedded ? [process.execPath, cliPath(), `internal-${name === 'stigmer-server' ? 'server' : name}`] : [binFile];
	} else {
		fail(['components', name, 'command'], `${locate(['components', name], true)}: components.${name}: a user component needs a \`command\` (an argv array, or a string with \`shell: true\`)`);
		command = [];
	}

	if (name === 'temporal') {
		ready = {kind: 'tcp', port: port!, host: '127.0.0.1'};
	} else if (name === 'stigmer-server') {
		ready = {kind: 'http', url: `${serverUrl}/healthz`, ...(embedded ? {pidProof: 'body'} : {})};
	} else if (builtin) {
		ready = {kind: 'http', url: `${serverUrl}/v1/pollers/${name}`, ...(embedded ? {pidProof: 'query'} : {})};
		env['STIGMER_SERVER_URL'] = serverUrl;
	} else if (port !== null) {
		ready = {kind: 'tcp', port, host: '127.0.0.1'};
	}

	if (c.ready) {
		ready = toProbe(c.ready);
	}

	if (port !== null) {
		env['PORT'] = String(port);
	}

	for (const [key, value] of Object.entries(c.env ?? {})) {
		env[key] = String(value);
	}

	checkArgv(name, command, env, c, locate, fail);
	const defaultDeps = builtin && name !== 'temporal' && name !== 'stigmer-server' ? ['stigmer-server'] : [];
	return {
		name,
		builtin,
		enabled: disabledReason === null,
		disabledReason,
		command,
		env,
		cwd: c.cwd === undefined ? null : path.resolve(home.root, c.cwd),
		port,
		ready,
		dependsOn: c.depends_on ?? defaultDeps,
		stopSignal: c.stop_signal ?? 'SIGTERM',
		stopTimeoutMs: c.stop_timeout === undefined ? DEFAULT_STOP_TIMEOUT_MS : parseDuration(c.stop_timeout)!,
		readyTimeoutMs: c.ready_timeout === undefined ? DEFAULT_READY_TIMEOUT_MS : parseDuration(c.ready_timeout)!,
		restart: {
			mode: c.restart === false ? 'no' : c.restart ?? DEFAULT_RESTART.mode,
			maxRestarts: c.max_restarts ?? DEFAULT_RESTART.maxRestarts,
			delayMs: c.restart_delay === undefined ? DEFAULT_RESTART.delayMs : parseDuration(c.restart_delay)!,
			minUptimeMs: c.min_uptime === undefined ? DEFAULT_RESTART.minUptimeMs : parseDuration(c.min_uptime)!,
		},
		ensureDirs: name === 'temporal' && c.command === undefined ? [path.join(home.root, 'temporal-data')] : [],
	};
}

/** What the kernel cannot take: an empty program, a NUL byte in an argument, an environment entry or cwd (exec would throw). */
function checkArgv(name: string, command: string[], env: Record<string, string>, c: ComponentConfig, locate: Locator, fail: Fail): void {
	if (c.command !== undefined && (command.length === 0 || command[0]!.trim() === '')) {
		fail(['components', name, 'command'], `${locate(['components', name, 'command'])}: components.${name}.command: no program to run; give an argv array like [redis-server, --port, "6390"]`);
		return;
	}

	const nul = (text: string) => text.includes('\0');
	if (command.some(nul)) {
		fail(['components', name, 'command'], `${locate(['components', name, 'command'])}: components.${name}.command: an argument contains a NUL byte, which no program can receive`);
		return;
	}

	for (const [key, value] of Object.entries(env)) {
		if (nul(key) || nul(value) || key.includes('=') || key === '') {
			fail(['components', name, 'env', key], `${locate(['components', name, 'env', key])}: components.${name}.env: ${JSON.stringify(key)} cannot be passed to a program (a name is non-empty, without "=" or NUL; a value without NUL)`);
			return;
		}
	}

	if (c.cwd !== undefined && nul(c.cwd)) {
		fail(['components', name, 'cwd'], `${locate(['components', name, 'cwd'])}: components.${name}.cwd: contains a NUL byte`);
		return;
	}
}

function portOf(value: unknown): number | undefined {
	const p = value && typeof value === 'object' ? (value as {port?: unknown}).port : undefined;
	return typeof p === 'number' ? p : undefined;
}

function toProbe(r: NonNullable<ComponentConfig['ready']>): ReadyProbe {
	if ('http' in r) {
		return {kind: 'http', url: r.http};
	}

	if ('tcp' in r) {
		return {kind: 'tcp', port: r.tcp, host: '127.0.0.1'};
	}

	if ('log' in r) {
		return {kind: 'log', pattern: new RegExp(r.log)};
	}

	if ('exec' in r) {
		return {kind: 'exec', argv: r.exec};
	}

	return {kind: 'after', ms: parseDuration(r.after)!};
}

function checkPorts(specs: ComponentSpec[], locate: Locator, fail: Fail): void {
	const seen = new Map<number, string>();
	for (const spec of specs) {
		if (!spec.enabled || spec.port === null) {
			continue;
		}

		const other = seen.get(spec.port);
		if (other !== undefined) {
			fail(['components', spec.name, 'port'], `${locate(['components', spec.name, 'port'])}: components.${spec.name}.port: port ${spec.port} is also used by ${other}; give each enabled component its own port`);
			continue;
		}

		seen.set(spec.port, spec.name);
	}
}

/** Stable topological order (declaration order among equals); unknown names and cycles are config errors. */
function orderByDependencies(specs: ComponentSpec[], locate: Locator, fail: Fail): ComponentSpec[] {
	const byName = new Map(specs.map((s) => [s.name, s]));
	for (const spec of specs) {
		for (const [index, dep] of spec.dependsOn.entries()) {
			if (!byName.has(dep)) {
				fail(['components', spec.name, 'depends_on', index], `${locate(['components', spec.name, 'depends_on', index])}: components.${spec.name}.depends_on: unknown component "${dep}"; known: ${[...byName.keys()].join(', ')}`);
			}
		}
	}

	const ordered: ComponentSpec[] = [];
	const state = new Map<string, 'visiting' | 'done'>();
	const visit = (spec: ComponentSpec, trail: string[]): void => {
		if (state.get(spec.name) === 'done') {
			return;
		}

		if (state.get(spec.name) === 'visiting') {
			const cycle = [...trail.slice(trail.indexOf(spec.name)), spec.name];
			fail(['components', spec.name, 'depends_on'], `${locate(['components', spec.name, 'depends_on'])}: components.${spec.name}.depends_on: dependency cycle ${cycle.join(' → ')}`);
			return;
		}

		state.set(spec.name, 'visiting');
		for (const dep of spec.dependsOn) {
			const next = byName.get(dep); // Unknown names were reported above (collected, in `config check`).
			if (next !== undefined) {
				visit(next, [...trail, spec.name]);
			}
		}

		state.set(spec.name, 'done');
		ordered.push(spec);
	};

	for (const spec of specs) {
		visit(spec, []);
	}

	return ordered;
}

/** Names of every component (enabled or not) of a loaded config. */
export function componentNames(config: StackConfig): string[] {
	return config.components.map((c) => c.name);
}

/** The named components, or every one; unknown names are a usage error listing the known ones. */
export function selectComponents(config: StackConfig, names: string[] | undefined): ComponentSpec[] {
	if (names === undefined || names.length === 0) {
		return config.components;
	}

	const unknown = names.filter((n) => !config.components.some((c) => c.name === n));
	if (unknown.length > 0) {
		throw new UsageError(`unknown component ${unknown.map((n) => `"${n}"`).join(', ')}; known components: ${componentNames(config).join(', ')}`);
	}

	return config.components.filter((c) => names.includes(c.name));
}
