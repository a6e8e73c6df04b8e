// Expected failures carry their exit code (docs/lifecycle.md#durations-and-exit-codes); the entry prints the message, not a stack.
export const EXIT = {ok: 0, failure: 1, usage: 2, notRunning: 3} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Marks stigmer's errors whichever copy of this module made them: the CommonJS CLI catches what the ES-module dashboard throws. */
const BRAND = Symbol.for('stigmer.StigmerError');

export class StigmerError extends Error {
	/** `x instanceof StigmerError` holds across the two builds (see BRAND); subclasses keep the plain prototype check. */
	static override [Symbol.hasInstance](value: unknown): boolean {
		return this === StigmerError ? typeof value === 'object' && value !== null && BRAND in value : Function.prototype[Symbol.hasInstance].call(this, value);
	}

	readonly [BRAND] = true;

	constructor(message: string, readonly exitCode: ExitCode = EXIT.failure) {
		super(message);
		this.name = 'StigmerError';
	}
}

/** A bad flag, argument or command line: exit 2. */
export class UsageError extends StigmerError {
	constructor(message: string) {
		super(message, EXIT.usage);
		this.name = 'UsageError';
	}
}

/** A config.yaml problem; the message names file:line:col and the key: exit 2. */
export class ConfigError extends StigmerError {
	constructor(message: string) {
		super(message, EXIT.usage);
		this.name = 'ConfigError';
	}
}

/**
 * An action failed after it had stopped components (docs/cli.md: a command that failed after stopping something says
 * what it stopped): the facts, `cause` and `stopped` in the order they stopped; messages.ts words them. Its own message
 * is the cause's (a FactError's is its facts as JSON): word it through `errorText`.
 */
export class StoppedBeforeError extends StigmerError {
	/** Read across the CommonJS and ES-module builds, where `instanceof` of a subclass does not hold. */
	readonly kind = 'stopped-before';

	constructor(override readonly cause: StigmerError, readonly stopped: readonly string[]) {
		super(cause.message, cause.exitCode);
		this.name = 'StoppedBeforeError';
	}
}

/**
 * The facts of an expected failure, one row per kind: the engine, os/, config/resolve.ts and logs/since.ts decide which holds, messages.ts words each
 * (`errorText`) for the CLI and the dashboard alike (docs/architecture.md: one place of wording).
 */
export type FailureFacts =
	| {kind: 'run-beside-systemd'; target: string}
	| {kind: 'systemd-enabled-unreachable'; target: string; user: boolean; error: string}
	| {kind: 'not-exported'; components: string[]; target: string}
	| {kind: 'systemctl-stop-failed'; detail: string}
	| {kind: 'unexport-failed'; target: string; detail: string}
	| {kind: 'unit-user'; user: string}
	| {kind: 'unit-needs-path'; component: string; file: string; config: string}
	| {kind: 'enable-needs-unit-dir'; unitDir: string; out: string}
	| {kind: 'unit-component-unknown'; component: string; config: string}
	| {kind: 'control-character'; what: string; text: string}
	| {kind: 'plist-control-character'; text: string}
	| {kind: 'changed-by-hand'; files: string[]; action: 'replace' | 'remove'}
	| {kind: 'survived-sigkill'; pid: number; waitedMs: number}
	| {kind: 'lock-takeover'; lock: string}
	| {kind: 'lock-held'; lock: string; pid: number | null; waitedMs: number}
	| {kind: 'not-a-directory'; dir: string}
	| {kind: 'disabled'; components: Array<{name: string; reason: string | null}>}
	| {kind: 'signal-refused'; target: SignalTarget; why: 'group-range' | 'pid-range' | 'self' | 'parent' | 'own-group'}
	| {kind: 'signal-failed'; target: SignalTarget; signal: string; code: string}
	| {kind: 'unsupported-platform'; platform: string}
	| {kind: 'unknown-component'; names: string[]; known: string[]}
	| {kind: 'since-not-a-date'; value: string; date: string}
	| {kind: 'since-unparsed'; value: string};

/** What a signal was for: one process or a process group (os/signal.ts). */
export type SignalTarget = {group: boolean; id: number};

/**
 * An expected failure that carries its facts (`facts`) rather than a sentence; messages.ts words it. Its own message is
 * the facts as JSON: only a reader that bypasses `errorText` (a stack under STIGMER_DEBUG) sees it.
 */
export class FactError extends StigmerError {
	/** Read across the CommonJS and ES-module builds, where `instanceof` of a subclass does not hold. */
	readonly kind = 'facts';

	constructor(readonly facts: FailureFacts, exitCode: ExitCode = EXIT.failure) {
		super(JSON.stringify(facts), exitCode);
		this.name = 'FactError';
	}
}
