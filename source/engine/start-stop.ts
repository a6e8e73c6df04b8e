// start and stop as the CLI verbs and the dashboard keys call them: lifecycle.ts (spawning, locking) loads only when one is called, so `status` stays fast.
import type {Home} from '../paths.js';
import type {RunWatch} from './run-watch.js';
import type {ActionOptions, StartResult, StopResult} from './types.js';

/** SPEC 4.4: lock, validate, rotate, clean up orphans, stop, start in dependency order, wait ready. */
export async function start(home: Home, options: ActionOptions = {}): Promise<StartResult> {
	const lifecycle = await import('./lifecycle.js');
	return lifecycle.start(home, options);
}

/** SPEC 4.5: lock, then stop in reverse dependency order: signal, wait, SIGKILL, verify. */
export async function stop(home: Home, options: ActionOptions = {}): Promise<StopResult> {
	const lifecycle = await import('./lifecycle.js');
	return lifecycle.stop(home, options);
}

/** docs/engines.md, "server run": a watch over the supervisors a run just started (loaded lazily with the lock, as above). */
export async function watchRun(home: Home, names: string[]): Promise<RunWatch> {
	const watch = await import('./run-watch.js');
	return watch.watchRun(home, names);
}
