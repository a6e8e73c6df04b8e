// `stigmer export systemd` (docs/engines.md): plan the units, compare with what the last export wrote (the manifest),
// write or remove exactly those files, reload systemd, and optionally enable the target. Returns facts; never prints.
import os from 'node:os';
import path from 'node:path';
import {loadConfig} from '../../config/index.js';
import {EXIT, FactError} from '../../errors.js';
import type {Home} from '../../paths.js';
import {ensurePrivateDir} from '../../private-file.js';
import {changedByHand, readManifest, recordManifest, refuseChanged, removeExport, upToDate, writeExport} from '../export/manifest.js';
import {firstLine, scopeOf, scopeText, show, systemctl, type Run} from './systemctl.js';
import {defaultUnitDir, ENGINE, planUnits, targetName, type ExportFile, type Scope} from './units.js';

export type ExportOptions = {scope: Scope; out?: string; dryRun?: boolean; force?: boolean; enable?: boolean};

/** What `--enable` did: the target enabled and started (or why not), and whether the user's manager outlives their sessions. */
export type Enabled = {ok: boolean; error: string | null; linger: 'on' | 'off' | 'unknown'; user: string};

export type ExportResult = {
	outcome: 'dry-run' | 'up-to-date' | 'written';
	target: string;
	unitDir: string;
	files: ExportFile[];
	notes: string[];
	/** Written where the manager reads units; false for `--out DIR` (then the home stays stigmer's, docs/engines.md). */
	installed: boolean;
	/** `daemon-reload` failed: why (the files are written; the home stays stigmer's until a reload succeeds). */
	reloadError: string | null;
	enabled: Enabled | null;
};

/** Write (or with dryRun, only plan) this home's units. Throws StigmerError for files changed by hand (unless force). */
export async function exportSystemd(home: Home, options: ExportOptions): Promise<ExportResult> {
	// Strict, like start: a broken config.yaml exits 2 rather than exporting the last valid one (or the defaults).
	const config = loadConfig(home, {strict: true});
	const unitDir = options.out === undefined ? defaultUnitDir(options.scope) : path.resolve(options.out);
	const installed = unitDir === defaultUnitDir(options.scope);
	if (options.enable && !installed) {
		throw new FactError({kind: 'enable-needs-unit-dir', unitDir: defaultUnitDir(options.scope), out: unitDir}, EXIT.usage);
	}

	const plan = planUnits(home, config, options.scope, unitDir);
	const base = {target: plan.target, unitDir, installed, files: plan.files, notes: plan.notes, reloadError: null, enabled: null};
	if (options.dryRun) {
		return {...base, outcome: 'dry-run'};
	}

	const previous = readManifest(home, ENGINE);
	let outcome: ExportResult['outcome'] = 'up-to-date';
	if (!upToDate(previous, plan.files)) {
		if (!options.force) {
			refuseChanged(changedByHand(previous, plan.files), 'replace');
		}

		// Recorded as not yet loaded: until daemon-reload succeeds the home stays stigmer's (never a lock-out).
		writeExport(home, previous, plan.files, {engine: ENGINE, target: plan.target, scope: scopeText(options.scope), unitDir, installed, loaded: false, enabled: false});
		// systemd opens append: logs itself and creates no directory for them; stigmer's start creates these before a spawn.
		for (const dir of [home.logs, ...config.components.filter((c) => c.enabled).flatMap((c) => c.ensureDirs)]) {
			ensurePrivateDir(dir);
		}

		outcome = 'written';
	}

	const manifest = readManifest(home, ENGINE);
	if (manifest === undefined || !installed) {
		// Units in a scratch directory: systemd does not read them, so there is nothing to reload or enable.
		return {...base, outcome};
	}

	const reloadError = manifest.loaded ? null : await reload(options.scope);
	manifest.loaded = reloadError === null;
	const enabled = options.enable && manifest.loaded ? await enable(options.scope, plan.target) : null;
	manifest.enabled ||= enabled?.ok === true;
	recordManifest(home, manifest);
	return {...base, outcome, reloadError, enabled};
}

/** `stopError`: undefined when systemd was not asked (an `--out` export: it never read those units); null when it stopped and disabled them; else why not. */
export type RemoveResult = {removed: string[]; target: string | null; stopError: string | null | undefined; reloadError: string | null};

/** Stop and disable the target (when the manager has it), then delete exactly the files the manifest lists (refusing ones changed by hand unless forced). */
export async function removeSystemd(home: Home, options: {force?: boolean}): Promise<RemoveResult> {
	const manifest = readManifest(home, ENGINE);
	if (manifest === undefined) {
		return {removed: [], target: null, stopError: undefined, reloadError: null};
	}

	if (!options.force) {
		refuseChanged(changedByHand(manifest, []), 'remove');
	}

	if (!manifest.installed) {
		return {removed: removeExport(home, manifest), target: manifest.target, stopError: undefined, reloadError: null};
	}

	const scope = scopeOf(manifest.scope);
	// Stopped and disabled first: a unit file deleted under a running service leaves systemd running what no file describes.
	const disabled = await systemctl(scope, ['disable', '--now', manifest.target]);
	const services = manifest.files.map((f) => path.basename(f.path)).filter((n) => n.endsWith('.service'));
	const stopped = services.length === 0 ? disabled : await systemctl(scope, ['stop', ...services]);
	const failed = [disabled, stopped].find((r) => r.code !== 0);
	if (failed !== undefined && !options.force && !(await allInactive(scope, [manifest.target, ...services]))) {
		throw new FactError({kind: 'unexport-failed', target: manifest.target, detail: firstLine(failed.stderr) || `exit ${failed.code}`});
	}

	const removed = removeExport(home, manifest);
	return {removed, target: manifest.target, stopError: failed === undefined ? null : (firstLine(failed.stderr) || `exit ${failed.code}`), reloadError: await reload(scope)};
}

/** Whether every unit is inactive (a unit systemd never loaded is); false when systemd cannot say. */
async function allInactive(scope: Scope, units: string[]): Promise<boolean> {
	try {
		return [...(await show(scope, units, ['ActiveState'])).values()].every((p) => p['ActiveState'] === 'inactive' || p['ActiveState'] === 'failed');
	} catch {
		return false;
	}
}

async function reload(scope: Scope): Promise<string | null> {
	const result = await systemctl(scope, ['daemon-reload']);
	return result.code === 0 ? null : (firstLine(result.stderr) || `exit ${result.code}`);
}

async function enable(scope: Scope, target: string): Promise<Enabled> {
	const user = scope.kind === 'system' ? scope.user : os.userInfo().username;
	const result: Run = await systemctl(scope, ['enable', '--now', target]);
	const linger = await lingering(user);
	return {ok: result.code === 0, error: result.code === 0 ? null : (firstLine(result.stderr) || `exit ${result.code}`), linger, user};
}

/** Whether logind keeps the user's manager running without a session (`loginctl enable-linger`): boot without login. */
async function lingering(user: string): Promise<Enabled['linger']> {
	const {execa} = await import('execa');
	const result = await execa('loginctl', ['show-user', user, '--property=Linger', '--value'], {reject: false, timeout: 5000, stdin: 'ignore'});
	const value = String(result.stdout ?? '').trim();
	return value === 'yes' ? 'on' : value === 'no' ? 'off' : 'unknown';
}

export {targetName};
