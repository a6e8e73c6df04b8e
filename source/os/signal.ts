// Sending signals, with the refusals that keep stigmer from hitting init, itself or its parent (docs/lifecycle.md#alive-and-ours).
import {FactError, type FailureFacts, type SignalTarget} from '../errors.js';

/** kill(pid, 0) succeeds or fails with EPERM; ESRCH (or anything else) means no such process. */
export function signalZeroSays(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) {
		return false; // kill(0) or kill(-n) would address a group
	}
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function refuse(target: SignalTarget, why: Extract<FailureFacts, {kind: 'signal-refused'}>['why']): never {
	throw new FactError({kind: 'signal-refused', target, why});
}

/** True when the signal was delivered, false when no such process (ESRCH); other errors throw. */
function deliver(target: SignalTarget, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(target.group ? -target.id : target.id, signal);
		return true;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ESRCH') {
			return false;
		}
		throw new FactError({kind: 'signal-failed', target, signal: signal || 'signal 0', code: code ?? String(error)});
	}
}

/**
 * Send signal to every member of process group pgid; false when the group has no members.
 * Refuses pgid <= 1 and the group stigmer itself runs in (ownGroup, when the caller knows it).
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals, ownGroup?: number): boolean {
	if (!Number.isInteger(pgid) || pgid <= 1) {
		refuse({group: true, id: pgid}, 'group-range');
	}
	if (pgid === ownGroup) {
		refuse({group: true, id: pgid}, 'own-group');
	}
	return deliver({group: true, id: pgid}, signal);
}

/** Send signal to one pid; false when it does not exist (ESRCH). Refuses pid <= 1, our own pid and our parent's. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
	if (!Number.isInteger(pid) || pid <= 1) {
		refuse({group: false, id: pid}, 'pid-range');
	}
	if (pid === process.pid) {
		refuse({group: false, id: pid}, 'self');
	}
	if (pid === process.ppid) {
		refuse({group: false, id: pid}, 'parent');
	}
	return deliver({group: false, id: pid}, signal);
}
