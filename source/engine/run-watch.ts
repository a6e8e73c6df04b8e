// Whether the stack a `server run` started is still its own (docs/engines.md, "server run"): another `run` or a `start`
// of the same home takes it over with cleanup-then-start, and the first run must notice and leave, stopping nothing.
import type {Home} from '../paths.js';
import {lockHolder, type LockHolder} from './lock.js';
import {readPidFile} from './pidfile.js';
import {readRecord} from './state.js';

/** A component's supervisor as its PID file names it (pid and start time), or null when it has no PID file. */
type Identity = string | null;

/** What became of a run's stack: still its own, replaced by another start, or ended (stopped elsewhere, or exited). */
export type RunVerdict =
	| {kind: 'ours'}
	| {kind: 'taken-over'; by: LockHolder | undefined}
	| {kind: 'ended'; failed: string[]};

/** What `server run` asks while it streams: what became of its stack, and whether another action holds the lock. */
export type RunWatch = {check: () => RunVerdict; busy: () => boolean};

/**
 * Snapshot the supervisors of `names` (just started by this run); `check()` then says what became of them. It judges
 * only while no one holds the home's lock, once an action is complete: a whole-stack start replaces every component
 * (a takeover), while `start NAME` or the dashboard's `r` restarts one of them, which the run adopts and stops later.
 */
export function watchRun(home: Home, names: string[]): RunWatch {
	const ours = new Map(names.map((name) => [name, identity(home, name)]));
	let lastHolder: LockHolder | undefined;
	return {
		/** Another stigmer holds the home's lock: an action is under way. */
		busy: () => {
			const holder = lockHolder(home);
			return holder !== undefined && holder.pid !== process.pid;
		},
		check() {
			const holder = lockHolder(home);
			if (holder !== undefined && holder.pid !== process.pid) {
				lastHolder = holder; // Its verb names the takeover, once its lock is gone.
				return {kind: 'ours'};
			}

			const present = names.map((name) => [name, identity(home, name)] as const).filter(([, id]) => id !== null);
			const replaced = present.filter(([name, id]) => id !== ours.get(name));
			if (replaced.length > 0 && replaced.length === present.length) {
				return {kind: 'taken-over', by: lastHolder};
			}

			for (const [name, id] of replaced) {
				ours.set(name, id);
			}

			if (present.length > 0) {
				return {kind: 'ours'};
			}

			return {kind: 'ended', failed: names.filter((name) => readRecord(home, name)?.state === 'failed')};
		},
	};
}

function identity(home: Home, name: string): Identity {
	const content = readPidFile(home.pidFile(name));
	return content?.kind === 'record' ? `${content.record.supervisorPid ?? content.record.pid}@${content.record.supervisorStartTime ?? content.record.startTime}` : null;
}
