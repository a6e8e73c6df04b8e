// What the rest of stigmer reads of a config: components fully resolved.
import type {LinearPattern} from '../linear-regex.js';
import type {RESTART_MODES} from './schema.js';

export type ReadyProbe =
	/** `pidProof`: the built-in components prove the answer is theirs: `body` has `"pid": N`, `query` asks `?pid=N`. */
	| {kind: 'http'; url: string; pidProof?: 'body' | 'query'}
	| {kind: 'tcp'; port: number; host: string}
	| {kind: 'log'; pattern: LinearPattern}
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
	/** Built-in variables, PORT and `env`: what config.yaml says itself. The env files add theirs under it (componentEnv). */
	env: Record<string, string>;
	/** `env_file`, absolute, in order: read when the component starts, never by `status` (config/env-file.ts). */
	envFiles: EnvFile[];
	cwd: string | null;
	port: number | null;
	ready: ReadyProbe | null;
	dependsOn: string[];
	stopSignal: NodeJS.Signals;
	stopTimeoutMs: number;
	readyTimeoutMs: number;
	/** What its supervisor does when it exits by itself (docs/supervision.md). */
	restart: RestartPolicy;
	/** Directories the command expects to exist (temporal's database folder); created 0700 before a start. */
	ensureDirs: string[];
};

/** One `env_file` entry: the absolute path, and where config.yaml names it (`config.yaml:7:15`, found only when an error needs it). */
export type EnvFile = {path: string; at: () => string};

/** docs/supervision.md: `restart`, `max_restarts`, `restart_delay`, `min_uptime`, resolved. */
export type RestartPolicy = {
	mode: (typeof RESTART_MODES)[number];
	maxRestarts: number;
	delayMs: number;
	minUptimeMs: number;
};

export type StackConfig = {
	/** Every component, enabled or not, in dependency order. */
	components: ComponentSpec[];
};
