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

/** Snapshot the supervisors of `names` (just started by this run); `check()` then says what became of them. */
export function watchRun(home: Home, names: string[]): {check: () => RunVerdict} {
	const ours = new Map(names.map((name) => [name, identity(home, name)]));
	let lastHolder: LockHolder | undefined;
	return {
		check() {
			const holder = lockHolder(home);
			// A start under way shows its verb; remember it, since its lock is gone by the time its PID files are.
			if (holder !== undefined && holder.pid !== process.pid) {
				lastHolder = holder;
			}

			const now = names.map((name) => [name, identity(home, name)] as const);
			if (now.some(([name, id]) => id !== null && id !== ours.get(name))) {
				return {kind: 'taken-over', by: lastHolder};
			}

			// Cleanup of a start removes our PID files before it writes its own: not ended while someone holds the lock.
			if (now.some(([, id]) => id !== null) || holder !== undefined) {
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
