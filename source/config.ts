// Read, migrate and validate config.yaml over the built-in stack (SPEC 3); errors name file:line:col and key.
import {StigmerError} from './errors.js';

export type ReadyProbe =
	| {kind: 'http'; url: string}
	| {kind: 'tcp'; port: number; host: string}
	| {kind: 'log'; pattern: RegExp}
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
};

export type StackConfig = {
	home: string;
	/** Absolute path of config.yaml (may not exist). */
	file: string;
	/** Every component, enabled or not, in dependency order. */
	components: ComponentSpec[];
};

/** Load config.yaml of a home over the defaults; throws ConfigError (exit 2) naming file:line:col and key. */
export function loadConfig(_home: string): StackConfig {
	throw new StigmerError('not implemented yet');
}
