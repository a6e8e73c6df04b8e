// Readiness under systemd (docs/engines.md): ExecStartPost= runs `stigmer internal-ready NAME`, which waits for the same
// probe `server start` waits for, port ownership included, against the unit's main process ($MAINPID).
import fs from 'node:fs';
import path from 'node:path';
import {loadConfig} from '../../config/index.js';
import {FactError} from '../../errors.js';
import {processTable} from '../../os/index.js';
import type {Home} from '../../paths.js';
import {ensurePrivateDir, readPrivate, writePrivateAtomic} from '../../private-file.js';
import {portClaims} from '../ports.js';
import {logOffsets, waitReady, type Readiness} from '../readiness.js';

/** Where ExecStartPre= records the log sizes at start, so a `log` probe reads only this run's lines. */
function offsetsFile(home: Home, component: string): string {
	return path.join(home.data, 'systemd', `${component}.offsets`);
}

/**
 * ExecStartPre=: end the component if stigmer's own supervisors run it (the engine's processes are never found, so this
 * ends only a second copy), then remember where this run's log lines begin, for a `log` probe.
 */
export async function beforeStart(home: Home, component: string): Promise<void> {
	const {stop} = await import('../lifecycle.js'); // Not engine.stop: that would ask systemd to stop the very unit starting.
	await stop(home, {components: [component], verb: 'systemd ExecStartPre'});
	ensurePrivateDir(path.dirname(offsetsFile(home, component)));
	writePrivateAtomic(offsetsFile(home, component), JSON.stringify(logOffsets(home, component)));
}

function readOffsets(home: Home, component: string): [number, number] {
	try {
		const value = JSON.parse(readPrivate(offsetsFile(home, component)) ?? '') as unknown;
		return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && n >= 0) ? [value[0] as number, value[1] as number] : [0, 0];
	} catch {
		return [0, 0];
	} finally {
		fs.rmSync(offsetsFile(home, component), {force: true});
	}
}

/** Wait until the component of unit main process `pid` is ready, as `server start` would (ready_timeout bounds it). */
export async function probeUnit(home: Home, component: string, pid: number): Promise<Readiness> {
	const config = loadConfig(home);
	const spec = config.components.find((c) => c.name === component);
	if (spec === undefined) {
		throw new FactError({kind: 'unit-component-unknown', component, config: home.config});
	}

	const watched = {pid, hasExited: () => (processTable.isAlive(pid) ? undefined : {code: null, signal: null})};
	return waitReady(home, spec, watched, {offsets: readOffsets(home, component), claims: portClaims(spec, config), unit: true});
}
