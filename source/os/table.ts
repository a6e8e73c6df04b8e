// The process table for this platform, chosen once at import (Linux: /proc; macOS: ps; elsewhere every call explains).
import {StigmerError} from '../errors.js';
import {signalGroup as sendToGroup} from './signal.js';
import type {ProcessTable} from './types.js';

/** A table whose every call says the platform is unsupported: the CLI prints that instead of crashing at import. */
function unsupportedTable(platform: NodeJS.Platform): ProcessTable {
	const unsupported = (): never => {
		throw new StigmerError(
			`stigmer does not support ${platform === 'win32' ? 'Windows' : platform}: it needs POSIX process groups and signals. Run it on Linux or macOS (on Windows, inside WSL).`,
		);
	};
	return {
		bootId: unsupported,
		isAlive: unsupported,
		info: unsupported,
		scanMarked: unsupported,
		groupMembers: unsupported,
		groupMembersOf: unsupported,
		groups: unsupported,
		usage: async () => unsupported(),
		portHolders: async () => unsupported(),
	};
}

/** The process table implementation for a platform (exported for tests; use processTable). Loads only that platform's code. */
export async function processTableFor(platform: NodeJS.Platform): Promise<ProcessTable> {
	switch (platform) {
		case 'linux':
			return (await import('./linux.js')).linuxProcessTable;
		case 'darwin':
			return (await import('./darwin.js')).darwinProcessTable;
		default:
			return unsupportedTable(platform);
	}
}

/** This machine's process table (Linux: /proc; macOS: ps). On Windows every call throws a StigmerError. */
export const processTable: ProcessTable = await processTableFor(process.platform);

let ownGroup: number | undefined;

/** Send signal to every member of process group pgid; false when the group is empty (ESRCH). Refuses pgid <= 1 and our own group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
	ownGroup ??= processTable.info(process.pid)?.pgid;
	return sendToGroup(pgid, signal, ownGroup);
}
