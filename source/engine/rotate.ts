// Log rotation at start (docs/lifecycle.md#logs-on-disk): rename non-empty logs with a UTC stamp; delete rotations past 7 days.
import fs from 'node:fs';
import path from 'node:path';
import {parseRotatedName} from '../logs/files.js';
import type {Home} from '../paths.js';
import {ensurePrivateDir, makePrivate} from '../private-file.js';
import {DAY_MS} from '../units.js';

/** A component's rotated run spans (`<name>.runs.<stamp>`, docs/logs.md), kept and deleted with its rotated logs. */
const ROTATED_RUNS = /^.+\.runs\.(\d{8}T\d{6}Z)(?:-\d+)?$/;
/** Rotated session logs are kept a week (docs/lifecycle.md#logs-on-disk). */
const RETENTION_MS = 7 * DAY_MS;

/** `YYYYMMDDTHHMMSSZ` of a time, UTC. */
export function rotationStamp(date: Date): string {
	return date.toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch ms of a rotation stamp; NaN for one that is not (never old enough to delete). */
function stampToMs(stamp: string): number {
	const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
	return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

/** Rotate the named components' logs, rename legacy daemon.log/.err to stigmer-server's, prune old rotations. */
export function rotateLogs(home: Home, components: string[], now = new Date()): void {
	const dir = home.logs;
	ensurePrivateDir(dir);
	const stamp = rotationStamp(now);
	for (const [legacy, extension] of [['daemon.log', 'log'], ['daemon.err', 'err']] as const) {
		moveAside(path.join(dir, legacy), path.join(dir, `stigmer-server.${extension}.${stamp}`), true);
	}

	for (const name of components) {
		// The .runs file holds byte offsets into this .log/.err: it moves with them, under the same stamp.
		for (const extension of ['log', 'err', 'runs']) {
			moveAside(path.join(dir, `${name}.${extension}`), path.join(dir, `${name}.${extension}.${stamp}`), false);
		}
	}

	for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
		const runs = ROTATED_RUNS.exec(entry.name)?.[1];
		const rotated = parseRotatedName(entry.name) ?? (runs === undefined ? undefined : {stamp: runs});
		// Only files (and links, removed themselves): a directory that happens to carry a stamp is not a log of ours.
		if (rotated && (entry.isFile() || entry.isSymbolicLink()) && now.getTime() - stampToMs(rotated.stamp) > RETENTION_MS) {
			fs.rmSync(path.join(dir, entry.name), {force: true});
		} else if (rotated && entry.isFile()) {
			// A rename keeps the mode: a legacy daemon.log or a file rotated by an older version may be 0644; logs are 0600 (docs/lifecycle.md#the-home).
			makePrivate(path.join(dir, entry.name));
		}
	}
}

/** Rename file to target (or target-1, -2… if taken); empty files stay unless `evenEmpty`. */
function moveAside(file: string, target: string, evenEmpty: boolean): void {
	let size: number;
	try {
		const stat = fs.lstatSync(file);
		if (!stat.isFile()) {
			return; // A symlink, FIFO or directory is not rotated; start refuses it by name (docs/lifecycle.md#the-home).
		}

		size = stat.size;
	} catch {
		return;
	}

	if (size === 0 && !evenEmpty) {
		return;
	}

	let candidate = target;
	for (let n = 1; fs.existsSync(candidate); n++) {
		candidate = `${target}-${n}`;
	}

	fs.renameSync(file, candidate);
}
