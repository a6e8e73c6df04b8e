// Ending processes (docs/lifecycle.md#stop): signal the group, wait, SIGKILL after the grace, verify.
import {processTable, signalGroup, signalPid} from '../os/index.js';
import {FactError} from '../errors.js';

/** Poll interval while waiting for a group to go: short, since stop latency is what users feel. */
const EXIT_POLL_MS = 15;
/** After SIGKILL the kernel needs only moments; longer means something is badly wrong (D state). */
const KILL_VERIFY_MS = 3000;

/** What to end: a whole process group (pgid) or, for a stray process, one pid. */
export type Target = {pid: number; pgid: number | null; signal: NodeJS.Signals; timeoutMs: number};
export type Ended = {how: 'stopped' | 'killed'; ms: number};

/** End one target gracefully: signal, wait up to timeoutMs, SIGKILL, verify gone. */
export async function end(target: Target): Promise<Ended> {
	const started = Date.now();
	send(target, target.signal);
	if (await waitGone(target, target.timeoutMs)) {
		return {how: 'stopped', ms: Date.now() - started};
	}

	send(target, 'SIGKILL');
	if (await waitGone(target, KILL_VERIFY_MS)) {
		return {how: 'killed', ms: Date.now() - started};
	}

	throw new FactError({kind: 'survived-sigkill', pid: target.pid, waitedMs: KILL_VERIFY_MS});
}

function send(target: Target, signal: NodeJS.Signals): void {
	if (target.pgid === null) {
		signalPid(target.pid, signal);
	} else {
		signalGroup(target.pgid, signal);
	}
}

/** True when nothing of the target is alive (zombies do not count). */
export function gone(target: Target): boolean {
	if (target.pgid === null) {
		return !processTable.isAlive(target.pid);
	}

	try {
		process.kill(-target.pgid, 0); // Cheap first answer; a group of zombies still says yes, so confirm below.
	} catch {
		return true;
	}

	// The target itself alive in the group proves the group is not gone with one read, not a scan of every process.
	if (processTable.info(target.pid)?.pgid === target.pgid) {
		return false;
	}

	return processTable.groupMembers(target.pgid).length === 0;
}

async function waitGone(target: Target, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	for (;;) {
		if (gone(target)) {
			return true;
		}

		if (Date.now() >= deadline) {
			return false;
		}

		await new Promise((resolve) => {
			setTimeout(resolve, Math.min(EXIT_POLL_MS, Math.max(1, deadline - Date.now())));
		});
	}
}
