// The lifecycle engine's public API: the CLI verbs and the dashboard keys call exactly these.
import {StigmerError} from '../errors.js';
import type {ActionOptions, StartResult, StatusReport, StopResult} from './types.js';

export type * from './types.js';

/** SPEC 4.6: what runs in this home, with usage and orphans. Throws ConfigError on bad config. */
export async function status(_home: string): Promise<StatusReport> {
	throw new StigmerError('not implemented yet');
}

/** SPEC 4.4: lock, validate, rotate, clean up orphans, stop, start in dependency order, wait ready. */
export async function start(_home: string, _options: ActionOptions = {}): Promise<StartResult> {
	throw new StigmerError('not implemented yet');
}

/** SPEC 4.5: lock, then stop in reverse dependency order: signal, wait, SIGKILL, verify. */
export async function stop(_home: string, _options: ActionOptions = {}): Promise<StopResult> {
	throw new StigmerError('not implemented yet');
}
