// The home lock (docs/lifecycle.md#start step 1): starts, stops and dashboard actions of one home queue here.
import fs from 'node:fs';
import {processTable} from '../os/index.js';
import {FactError} from '../errors.js';
import type {Home} from '../paths.js';
import {createExclusive, ensurePrivateDir, fileError, notRegular, notRegularError, readPrivate} from '../private-file.js';
import {MINUTE_MS} from '../units.js';

/** How often a waiter looks again; a dead holder is thus taken over well within a second. */
const LOCK_POLL_MS = 25;
/** Longest wait behind a live holder: a full start may wait on several ready_timeouts. */
const LOCK_WAIT_MS = 5 * MINUTE_MS;
/** A takeover marker older than this was left by a taker that died mid-takeover. */
const TAKEOVER_STALE_MS = 2000;
/** An empty or unreadable lock older than this was left by a holder killed (or a disk filled) between create and write, which takes microseconds. */
const EMPTY_LOCK_GRACE_MS = 500;
/** Longest we try to take over a dead holder's lock (it cannot be removed: read-only, permissions) before saying so. */
const TAKEOVER_DEADLINE_MS = 5000;

/** The lock file's content: who holds it, and what it is doing (`server start`), so a waiter can say. */
type Holder = {pid: number; startTime: string; verb?: string};

/** Who a waiter waits for. */
export type LockHolder = {pid: number | null; verb: string | null};

/** Run `work` holding the home's lock as `verb`; waits (bounded) behind a live holder, takes over from a dead one. */
export async function withLock<T>(home: Home, work: () => Promise<T>, onWait?: (holder: LockHolder) => void, verb?: string): Promise<T> {
	const release = await acquire(home, onWait, verb);
	try {
		return await work();
	} finally {
		release();
	}
}

async function acquire(home: Home, onWait?: (holder: LockHolder) => void, verb?: string): Promise<() => void> {
	const {lock, data} = home;
	try {
		ensurePrivateDir(data);
	} catch (error: unknown) {
		throw fileError(data, 'create', error);
	}

	const me: Holder = {pid: process.pid, startTime: processTable.info(process.pid)?.startTime ?? '', ...(verb === undefined ? {} : {verb})};
	const deadline = Date.now() + LOCK_WAIT_MS;
	let waited = false;
	let takeoverSince: number | undefined;
	for (;;) {
		if (create(lock, me)) {
			return () => {
				try {
					if (readHolder(lock)?.pid === me.pid) {
						fs.rmSync(lock, {force: true});
					}
				} catch {} // A vanished or read-only home: the lock of a dead holder is taken over.
			};
		}

		const kind = notRegular(lock);
		if (kind !== undefined) {
			throw notRegularError(lock, kind);
		}

		const holder = readHolder(lock);
		if (!holderAlive(holder, lock)) {
			takeoverSince ??= Date.now();
			takeOver(lock, holder);
			if (Date.now() - takeoverSince > TAKEOVER_DEADLINE_MS) {
				throw new FactError({kind: 'lock-takeover', lock});
			}

			// Another waiter may be taking over this very lock: look again shortly, never in a busy loop.
			await sleep(LOCK_POLL_MS);
			continue;
		}

		// Say once who holds it; a lock file caught mid-write is read again on the next round.
		if (!waited && holder !== undefined) {
			waited = true;
			onWait?.({pid: holder.pid, verb: typeof holder.verb === 'string' ? holder.verb : null});
		}

		if (Date.now() > deadline) {
			// The holder is unread when its lock is being rewritten this instant (holderAlive gives it a grace).
			throw new FactError({kind: 'lock-held', lock, pid: holder?.pid ?? null, waitedMs: LOCK_WAIT_MS});
		}

		await sleep(LOCK_POLL_MS);
	}
}

async function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => {
		setTimeout(resolve, ms);
	});
}

/** Create the lock holding `me` (O_EXCL never follows a symlink); false when it exists. A failed write leaves no empty lock behind. */
function create(lock: string, me: Holder): boolean {
	return createExclusive(lock, JSON.stringify(me));
}

function readHolder(lock: string): Holder | undefined {
	try {
		const value = JSON.parse(readPrivate(lock) ?? '') as Holder;
		return typeof value.pid === 'number' ? value : undefined;
	} catch {
		return undefined;
	}
}

function holderAlive(holder: Holder | undefined, lock: string): boolean {
	if (holder === undefined) {
		// Unreadable: being written this instant (wait), or left empty by a holder killed mid-write (take over).
		try {
			return Date.now() - fs.statSync(lock).mtimeMs < EMPTY_LOCK_GRACE_MS;
		} catch {
			return false;
		}
	}

	const info = processTable.info(holder.pid);
	return info !== undefined && (holder.startTime === '' || info.startTime === holder.startTime);
}

/** Remove a dead holder's lock; a takeover marker makes sure only one waiter removes that very lock. */
function takeOver(lock: string, dead: Holder | undefined): void {
	const marker = `${lock}.takeover`;
	let claimed = false;
	try {
		// Empty on purpose: its existence is the claim, so a full disk cannot leave it half-written.
		claimed = createExclusive(marker, '');
	} catch {}

	if (!claimed) {
		try {
			if (Date.now() - fs.statSync(marker).mtimeMs > TAKEOVER_STALE_MS) {
				fs.rmSync(marker, {force: true});
			}
		} catch {}

		return;
	}

	try {
		const now = readHolder(lock);
		const same = dead === undefined ? now === undefined : now !== undefined && now.pid === dead.pid && now.startTime === dead.startTime;
		if (same) {
			fs.rmSync(lock, {force: true});
		}
	} catch (error: unknown) {
		throw fileError(lock, 'remove', error);
	} finally {
		try {
			fs.rmSync(marker, {force: true});
		} catch {} // A marker left behind goes stale in TAKEOVER_STALE_MS.
	}
}

/** Who holds the home's lock right now, if a live process does (a `server run` watching its stack asks). */
export function lockHolder(home: Home): LockHolder | undefined {
	const holder = readHolder(home.lock);
	return holder !== undefined && holderAlive(holder, home.lock) ? {pid: holder.pid, verb: typeof holder.verb === 'string' ? holder.verb : null} : undefined;
}
