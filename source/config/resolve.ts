// Resolve config over the built-in table into ComponentSpecs: commands, probes, defaults, one port each, dependency order.
import path from 'node:path';
import {cliPath} from '../cli-path.js';
import {ConfigError, EXIT, FactError} from '../errors.js';
import {compileLinear} from '../linear-regex.js';
import {safeText} from '../logs/sanitize.js';
import {parseDuration, SECOND_MS} from '../units.js';
import {isExecutableFile, which} from '../executable.js';
import type {Home} from '../paths.js';
import {BUILTINS, SERVER, builtin} from './builtins.js';
import type {ComponentConfig, RawConfig} from './schema.js';
import type {ComponentSpec, EnvFile, ReadyProbe, RestartPolicy, StackConfig} from './types.js';
import type {Locator} from './validate.js';

/** Grace between stop_signal and SIGKILL when config names none (docs/config.md). */
const DEFAULT_STOP_TIMEOUT_MS = 5 * SECOND_MS;
/** How long a component may take to be ready when config names no ready_timeout. */
const DEFAULT_READY_TIMEOUT_MS = 30 * SECOND_MS;
/** docs/supervision.md defaults: five quick failures in a row, backoff from 1s, a 10s run counts as healthy. */
export const DEFAULT_RESTART: RestartPolicy = {mode: 'on-failure', maxRestarts: 5, delayMs: SECOND_MS, minUptimeMs: 10 * SECOND_MS};

/** Where a resolve-step problem goes: thrown at once (loadConfig), or collected (`config check`). */
export type Fail = (keyPath: Array<string | number>, message: string) => void;
/** A Fail that throws the first problem as a ConfigError. */
export const throwFirst: Fail = (_keyPath, message) => {
	throw new ConfigError(message);
};

/** Every component of a validated config (built-ins first, then the user's in file order), in dependency order; problems go to `fail`. */
export function resolveComponents(home: Home, config: RawConfig, locate: Locator, fail: Fail = throwFirst): ComponentSpec[] {
	const user = config.components ?? {};
	const builtinNames = BUILTINS.map((b) => b.name);
	const names = [...builtinNames, ...Object.keys(user).filter((n) => !builtinNames.includes(n))];
	const specs = names.map((name) => resolveOne(home, name, user[name] ?? {}, user, locate, fail));
	checkPorts(specs, locate, fail);
	return orderByDependencies(specs, locate, fail);
}

function resolveOne(home: Home, name: string, c: ComponentConfig, user: Record<string, unknown>, locate: Locator, fail: Fail): ComponentSpec {
	const table = builtin(name);
	const serverPort = portOf(user[SERVER.name]) ?? SERVER.port;
	const serverUrl = `http://127.0.0.1:${serverPort}`;
	const port = c.port ?? table?.port ?? null;
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
	} else if (table?.program.kind === 'external') {
		const {binary: program, args} = table.program;
		const binary = isExecutableFile(binFile) ? binFile : which(program);
		if (binary === undefined) {
			disabledReason ??= `${program} binary not found`;
			command = [program];
		} else {
			command = [binary, ...args(port, home)];
		}
	} else if (table?.program.kind === 'embedded') {
		embedded = !isExecutableFile(binFile);
		command = embedded ? [process.execPath, cliPath(), table.program.subcommand] : [binFile];
	} else {
		fail(['components', name, 'command'], `${locate(['components', name], true)}: components.${name}: a user component needs a \`command\` (an argv array, or a string with \`shell: true\`)`);
		command = [];
	}

	if (table !== undefined) {
		const context = {name, port, serverUrl, embedded};
		ready = table.probe(context);
		Object.assign(env, table.env(context));
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
	return {
		name,
		builtin: table !== undefined,
		enabled: disabledReason === null,
		disabledReason,
		command,
		env,
		envFiles: envFiles(home, name, c, locate),
		cwd: c.cwd === undefined ? null : path.resolve(home.root, c.cwd),
		port,
		ready,
		dependsOn: c.depends_on ?? [...(table?.dependsOn ?? [])],
		stopSignal: c.stop_signal ?? 'SIGTERM',
		stopTimeoutMs: durationMs(c.stop_timeout, DEFAULT_STOP_TIMEOUT_MS),
		readyTimeoutMs: durationMs(c.ready_timeout, DEFAULT_READY_TIMEOUT_MS),
		restart: {
			mode: c.restart === false ? 'no' : c.restart ?? DEFAULT_RESTART.mode,
			maxRestarts: c.max_restarts ?? DEFAULT_RESTART.maxRestarts,
			delayMs: durationMs(c.restart_delay, DEFAULT_RESTART.delayMs),
			minUptimeMs: durationMs(c.min_uptime, DEFAULT_RESTART.minUptimeMs),
		},
		ensureDirs: table?.program.kind === 'external' && c.command === undefined ? table.program.ensureDirs(home) : [],
	};
}

/** `env_file` as absolute paths (relative ones from config.yaml's directory), each with where config.yaml names it. */
function envFiles(home: Home, name: string, c: ComponentConfig, locate: Locator): EnvFile[] {
	if (c.env_file === undefined) {
		return [];
	}

	const base = path.dirname(home.config);
	const entries = typeof c.env_file === 'string' ? [{file: c.env_file, keyPath: ['components', name, 'env_file']}] : c.env_file.map((file, index) => ({file, keyPath: ['components', name, 'env_file', index]}));
	return entries.map(({file, keyPath}) => ({path: path.resolve(base, file), at: () => locate(keyPath)}));
}

/** What the kernel cannot take: an empty program, a NUL byte in an argument, an environment entry or cwd (exec would throw). */
function checkArgv(name: string, command: string[], env: Record<string, string>, c: ComponentConfig, locate: Locator, fail: Fail): void {
	if (c.command !== undefined && (command[0] ?? '').trim() === '') {
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

/** Milliseconds of a duration the schema has checked; `fallback` when config names none. */
function durationMs(value: string | number | undefined, fallback?: number): number {
	const ms = value === undefined ? fallback : parseDuration(value);
	if (ms === undefined) {
		throw new Error(`internal: duration ${JSON.stringify(value)} passed the config schema but does not parse`);
	}

	return ms;
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
		return {kind: 'log', pattern: compileLinear(r.log)}; // The schema refused what does not compile.
	}

	if ('exec' in r) {
		return {kind: 'exec', argv: r.exec};
	}

	return {kind: 'after', ms: durationMs(r.after)};
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
				fail(['components', spec.name, 'depends_on', index], `${locate(['components', spec.name, 'depends_on', index])}: components.${spec.name}.depends_on: unknown component ${shown(dep)}; known: ${[...byName.keys()].join(', ')}`);
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
		throw new FactError({kind: 'unknown-component', names: unknown, known: componentNames(config)}, EXIT.usage);
	}

	return config.components.filter((c) => names.includes(c.name));
}

/** A name from argv or config, quoted and made safe for a terminal: `start $'\\e]0;x\\a'` must not retitle the window. */
function shown(name: string): string {
	return `"${safeText(name, {color: false})}"`;
}
