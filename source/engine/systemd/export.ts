// `stigmer export systemd` (docs/engines.md): plan the units, compare with what the last export wrote (the manifest),
// write or remove exactly those files, reload systemd, and optionally enable the target. Returns facts; never prints.
import os from 'node:os';
import {loadConfig} from '../../config/index.js';
import {ensurePrivateDir, type Home} from '../../paths.js';
import {changedByHand, readManifest, refuseChanged, removeExport, upToDate, writeExport} from '../export/manifest.js';
import {firstLine, scopeOf, scopeText, systemctl, type Run} from './systemctl.js';
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
	/** `daemon-reload` failed: why (the files are written). */
	reloadError: string | null;
	enabled: Enabled | null;
};

/** Write (or with dryRun, only plan) this home's units. Throws StigmerError for files changed by hand (unless force). */
export async function exportSystemd(home: Home, options: ExportOptions): Promise<ExportResult> {
	const config = loadConfig(home);
	const unitDir = options.out ?? defaultUnitDir(options.scope);
	const plan = planUnits(home, config, options.scope, unitDir);
	const base = {target: plan.target, unitDir, files: plan.files, notes: plan.notes, reloadError: null, enabled: null};
	if (options.dryRun) {
		return {...base, outcome: 'dry-run'};
	}

	const manifest = readManifest(home, ENGINE);
	let outcome: ExportResult['outcome'] = 'up-to-date';
	let reloadError: string | null = null;
	if (!upToDate(manifest, plan.files)) {
		if (!options.force) {
			refuseChanged(changedByHand(manifest, plan.files), 'export again');
		}

		writeExport(home, manifest, plan.files, {engine: ENGINE, target: plan.target, scope: scopeText(options.scope), unitDir});
		// systemd opens append: logs itself and creates no directory for them; stigmer's start creates these before a spawn.
		for (const dir of [home.logs, ...config.components.filter((c) => c.enabled).flatMap((c) => c.ensureDirs)]) {
			ensurePrivateDir(dir);
		}

		outcome = 'written';
		reloadError = await reload(options.scope);
	}

	const enabled = options.enable ? await enable(options.scope, plan.target) : null;
	return {...base, outcome, reloadError, enabled};
}

export type RemoveResult = {removed: string[]; target: string | null; reloadError: string | null};

/** Stop and disable the target, then delete exactly the files the manifest lists (refusing ones changed by hand unless forced). */
export async function removeSystemd(home: Home, options: {force?: boolean}): Promise<RemoveResult> {
	const manifest = readManifest(home, ENGINE);
	if (manifest === undefined) {
		return {removed: [], target: null, reloadError: null};
	}

	if (!options.force) {
		refuseChanged(changedByHand(manifest, []), 'remove');
	}

	const scope = scopeOf(manifest.scope);
	// Stopped and disabled first: a unit file deleted under a running service leaves systemd running what no file describes.
	await systemctl(scope, ['disable', '--now', manifest.target]);
	await systemctl(scope, ['stop', ...manifest.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)).filter((n) => n.endsWith('.service'))]);
	const removed = removeExport(home, manifest);
	return {removed, target: manifest.target, reloadError: await reload(scope)};
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
