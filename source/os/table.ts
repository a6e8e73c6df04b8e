// The process table for this platform, chosen once at import (Linux: /proc; macOS: ps; elsewhere every call explains).
import {FactError} from '../errors.js';
import {darwinProcessTable} from './darwin.js';
import {linuxProcessTable} from './linux.js';
import {signalGroup as sendToGroup} from './signal.js';
import type {ProcessTable} from './types.js';

/** A table whose every call says the platform is unsupported: the CLI prints that instead of crashing at import. */
function unsupportedTable(platform: NodeJS.Platform): ProcessTable {
	const unsupported = (): never => {
		throw new FactError({kind: 'unsupported-platform', platform});
	};
	return {
		bootId: unsupported,
		isAlive: unsupported,
		info: unsupported,
		scanMarked: unsupported,
		claims: unsupported,
		groupMembers: unsupported,
		groupMembersOf: unsupported,
		groups: unsupported,
		usage: async () => unsupported(),
		portHolders: async () => unsupported(),
		cgroup: unsupported,
	};
}

/**
 * The process table implementation for a platform (exported for tests; use processTable). Chosen synchronously: the CLI
 * ships as CommonJS, which has no top-level await; both tables only define functions when loaded (macOS loads child_process on first use).
 */
export function processTableFor(platform: NodeJS.Platform): ProcessTable {
	switch (platform) {
		case 'linux':
			return linuxProcessTable;
		case 'darwin':
			return darwinProcessTable;
		default:
			return unsupportedTable(platform);
	}
}

/** This machine's process table (Linux: /proc; macOS: ps). On Windows every call throws a StigmerError. */
export const processTable: ProcessTable = processTableFor(process.platform);

let ownGroup: number | undefined;

/** Send signal to every member of process group pgid; false when the group is empty (ESRCH). Refuses pgid <= 1 and our own group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
	ownGroup ??= processTable.info(process.pid)?.pgid;
	return sendToGroup(pgid, signal, ownGroup);
}
