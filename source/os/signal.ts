// Sending signals, with the refusals that keep stigmer from hitting init, itself or its parent (docs/lifecycle.md#alive-and-ours).
import {StigmerError} from '../errors.js';

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

function refuse(what: string, why: string): never {
	throw new StigmerError(`refusing to signal ${what}: ${why}. This is a bug in stigmer; please report it with the command you ran.`);
}

/** True when the signal was delivered, false when no such process (ESRCH); other errors throw. */
function deliver(target: number, signal: NodeJS.Signals | 0, what: string): boolean {
	try {
		process.kill(target, signal);
		return true;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ESRCH') {
			return false;
		}
		throw new StigmerError(`cannot send ${signal || 'signal 0'} to ${what}: ${code ?? String(error)}. Is it owned by another user?`);
	}
}

/**
 * Send signal to every member of process group pgid; false when the group has no members.
 * Refuses pgid <= 1 and the group stigmer itself runs in (ownGroup, when the caller knows it).
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals, ownGroup?: number): boolean {
	if (!Number.isInteger(pgid) || pgid <= 1) {
		refuse(`process group ${pgid}`, 'a group number must be an integer above 1');
	}
	if (pgid === ownGroup) {
		refuse(`process group ${pgid}`, 'it is stigmer\'s own process group');
	}
	return deliver(-pgid, signal, `process group ${pgid}`);
}

/** Send signal to one pid; false when it does not exist (ESRCH). Refuses pid <= 1, our own pid and our parent's. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
	if (!Number.isInteger(pid) || pid <= 1) {
		refuse(`pid ${pid}`, 'a pid must be an integer above 1');
	}
	if (pid === process.pid) {
		refuse(`pid ${pid}`, 'it is stigmer itself');
	}
	if (pid === process.ppid) {
		refuse(`pid ${pid}`, 'it is stigmer\'s parent');
	}
	return deliver(pid, signal, `pid ${pid}`);
}
