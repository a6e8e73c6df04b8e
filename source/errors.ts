// Expected failures carry their exit code (SPEC 7); the entry prints the message, not a stack.
export const EXIT = {ok: 0, failure: 1, usage: 2, notRunning: 3} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class StigmerError extends Error {
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
