// Typed results of the lifecycle engine; the CLI prints them, the dashboard renders them.
import type {Stream} from '../paths.js';

export const STATES = ['running', 'starting', 'backoff', 'stopping', 'stopped', 'exited', 'failed', 'crashed', 'disabled'] as const;
export type ComponentState = (typeof STATES)[number];

export type Orphan = {pid: number; startedAt: string};

/** The latest exit of a component's own process that was not a stop (docs/lifecycle.md#status): `code` null when a signal ended it. */
export type LastExit = {code: number | null; signal: string | null; at: string; uptimeMs: number};

/** One component in `server status --json` (docs/lifecycle.md#status); keep stable. */
export type ComponentStatus = {
	name: string;
	enabled: boolean;
	state: ComponentState;
	reason: string | null;
	pid: number | null;
	pgid: number | null;
	startedAt: string | null;
	uptimeMs: number | null;
	cpuPercent: number | null;
	rssBytes: number | null;
	ready: boolean;
	port: number | null;
	/** Where it answers (`http://127.0.0.1:7234`, `127.0.0.1:6390`), null without a port; see config/address.ts. */
	address: string | null;
	orphans: Orphan[];
	/** Unmarked processes in the process group of a component whose leader is gone: not ours, never signalled (docs/lifecycle.md#alive-and-ours). */
	strangers: Orphan[];
	logs: Record<Stream, string>;
	/** Automatic restarts since its last start (docs/supervision.md). */
	restarts: number;
	lastExit: LastExit | null;
	/** In backoff: when its supervisor restarts it. */
	nextRestartAt: string | null;
	/** Its supervisor, the parent of `pid`, when alive. */
	supervisorPid: number | null;
	/** Who runs it: stigmer's own supervisors, or systemd after `stigmer export systemd` (docs/engines.md). */
	engine: 'stigmer' | 'systemd';
};

/** A component's status with nothing running (stopped, or disabled): the base every report starts from. */
export function blankStatus(name: string, enabled: boolean, fields: Partial<ComponentStatus> = {}): ComponentStatus {
	return {
		name,
		enabled,
		state: enabled ? 'stopped' : 'disabled',
		reason: null,
		pid: null,
		pgid: null,
		startedAt: null,
		uptimeMs: null,
		cpuPercent: null,
		rssBytes: null,
		ready: false,
		port: null,
		address: null,
		orphans: [],
		strangers: [],
		logs: {stdout: '', stderr: ''},
		restarts: 0,
		lastExit: null,
		nextRestartAt: null,
		supervisorPid: null,
		engine: 'stigmer',
		...fields,
	};
}

/**
 * Something the caller should know that did not stop the action: facts, worded by messages.ts and printed by commands/
 * (the engine never prints). The home is exported to systemd but systemctl cannot be reached, so stigmer's own
 * supervisors act on it (docs/engines.md): `user` for `systemctl --user`, `error` what reaching it said.
 */
export type EngineWarning = {kind: 'systemd-unreachable'; target: string; user: boolean; error: string};

/** `result` with `warnings` added (a result carries them only when there are some). */
export function withWarnings<T extends {warnings?: EngineWarning[]}>(result: T, warnings: EngineWarning[]): T {
	return warnings.length === 0 ? result : {...result, warnings: [...(result.warnings ?? []), ...warnings]};
}

export type StatusReport = {
	home: string;
	/** The systemd target that runs this home's stack, when it was exported (docs/engines.md); absent otherwise. */
	target?: string;
	healthy: boolean;
	components: ComponentStatus[];
	/** Absent when none; never in `--json` (docs/json.md): the commands print them on stderr. */
	warnings?: EngineWarning[];
};

/** Processes cleanup ended that no valid PID file recorded, per component. */
export type CleanupReport = {component: string; pids: number[]}[];

export type StartedComponent = {name: string; pid: number; readyMs: number};

export type StartFailure = {
	name: string;
	/** e.g. "exited with code 1" or "port 7234 is in use by pid 812 (redis-server)". */
	reason: string;
	/** Its last stderr lines of this run (empty when it was never spawned). */
	stderrTail: string[];
	/** Its stderr log, or null when it was never spawned (nothing of this run is in it). */
	logPath: string | null;
	/** Components left unstarted because they wait for this one, directly or through another. */
	skipped: string[];
};

/** A component and the components that depend on it (directly or not): started first for them, or left running by its stop. */
export type DependencyNote = {component: string; dependents: string[]};

export type StartResult = {
	cleaned: CleanupReport;
	/** Dependencies of the components started alone that were not running, started first for them. */
	dependencies: DependencyNote[];
	/** What was running and was stopped to be restarted, in the order it was stopped (reverse dependency order). */
	stopped: StopOutcome[];
	started: StartedComponent[];
	/** Every component that failed, each with its own reason, in config order; empty when all are ready. */
	failures: StartFailure[];
	/** Absent when none. */
	warnings?: EngineWarning[];
};

export type StopOutcome = {
	name: string;
	/** 'stopped': ended by stop_signal; 'killed': needed SIGKILL; 'not-running': nothing to do. */
	how: 'stopped' | 'killed' | 'not-running';
	ms: number;
	signal: string;
	/** It was waiting to be restarted (backoff): only its supervisor had to end. */
	waiting?: true;
};

/** `stopped`: first what was stopped, in the order it was (reverse dependency order), then what was not running. */
export type StopResult = {
	stopped: StopOutcome[];
	cleaned: CleanupReport;
	/** Per component stopped alone: the running components that depend on it, left running. */
	dependentsLeft: DependencyNote[];
	/** Absent when none. */
	warnings?: EngineWarning[];
};

/** Progress events, so a UI can show what an action is doing. */
export type EngineEvent =
	/** Another stigmer holds the home lock: its pid and what it runs (`server start`), when its lock file says. */
	| {type: 'lock-wait'; pid: number | null; verb: string | null}
	/** The components this start will start, in order (for aligned progress lines); a later plan adds the dependencies it brings. */
	| {type: 'plan'; components: string[]}
	| {type: 'cleanup'; component: string; pids: number[]}
	| {type: 'stopping'; component: string}
	| {type: 'stopped'; outcome: StopOutcome}
	/** A dependency that is not running is started first, for these components started alone. */
	| ({type: 'dependency'} & DependencyNote)
	| {type: 'starting'; component: string}
	/** `awaiting`: what readiness waits for, short (`tcp 6390`). */
	| {type: 'spawned'; component: string; pid: number; awaiting: string}
	| {type: 'ready'; component: string; pid: number; readyMs: number; address: string | null}
	| {type: 'failed'; failure: StartFailure};

export type ActionOptions = {
	onEvent?: (event: EngineEvent) => void;
	/** Components to act on; all enabled ones when empty or absent. */
	components?: string[];
	/** What this action is, as the home lock shows it to a waiter (`dash`); `server start`/`server stop` by default. */
	verb?: string;
};
