// `stigmer export launchd` (docs/engines.md): one LaunchAgent that runs `stigmer server run` at login and keeps it alive,
// written and removed through the same manifest as the systemd export. Returns facts; never prints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cliPath} from '../../cli-path.js';
import {FactError} from '../../errors.js';
import {MARKER} from '../../markers.js';
import type {Home} from '../../paths.js';
import {changedByHand, readManifest, refuseChanged, removeExport, upToDate, writeExport, type PlannedFile} from '../export/manifest.js';
import {refuseControl} from '../systemd/escape.js';
import {unitPrefix} from '../systemd/units.js';

const ENGINE = 'launchd';
/** XML 1.0 forbids these characters in any form; a property list cannot carry them. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const XML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;'};

/** `dev.stigmer.stigmer` for the default home, `dev.stigmer.stigmer-<hash>` for others: two homes, two agents. */
export function agentLabel(home: Home): string {
	return `dev.stigmer.${unitPrefix(home)}`;
}

export function agentPath(home: Home): string {
	return path.join(os.homedir(), 'Library', 'LaunchAgents', `${agentLabel(home)}.plist`);
}

function xml(text: string): string {
	if (NOT_XML.test(text)) {
		throw new FactError({kind: 'plist-control-character', text});
	}

	return text.replaceAll(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** The agent's property list: `node cli.js server run` with this home, at load, kept alive unless it exited cleanly. */
export function agentPlist(home: Home, env: NodeJS.ProcessEnv = process.env): string {
	refuseControl(home.root, MARKER.home); // Exit 2, and never a \r a parser turns into \n (another path).
	const real = (file: string) => {
		try {
			return fs.realpathSync(file);
		} catch {
			return file;
		}
	};

	const argv = [real(process.execPath), real(cliPath()), 'server', 'run'];
	const vars: Record<string, string> = {...(env['PATH'] === undefined ? {} : {PATH: env['PATH']}), [MARKER.home]: home.root};
	const string = (text: string) => `<string>${xml(text)}</string>`;
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
		// A comment may not hold `--` (XML), so it names no flag and no home (STIGMER_HOME below says which).
		'<!-- Written by stigmer export launchd, whose remove flag deletes it again (docs/engines.md). -->',
		'<plist version="1.0">',
		'<dict>',
		`\t<key>Label</key>\n\t${string(agentLabel(home))}`,
		`\t<key>ProgramArguments</key>\n\t<array>\n${argv.map((a) => `\t\t${string(a)}`).join('\n')}\n\t</array>`,
		`\t<key>EnvironmentVariables</key>\n\t<dict>\n${Object.entries(vars).map(([k, v]) => `\t\t<key>${xml(k)}</key>\n\t\t${string(v)}`).join('\n')}\n\t</dict>`,
		`\t<key>WorkingDirectory</key>\n\t${string(home.root)}`,
		'\t<key>RunAtLoad</key>\n\t<true/>',
		// Restarted when it fails; not when it exits 0: a `server start` that took the stack over ends `server run` with 0.
		'\t<key>KeepAlive</key>\n\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>',
		// `server run` streams every component's log on stdout; the components' own files already hold it.
		`\t<key>StandardOutPath</key>\n\t${string('/dev/null')}`,
		`\t<key>StandardErrorPath</key>\n\t${string(path.join(home.data, 'launchd.err'))}`,
		'</dict>',
		'</plist>',
		'',
	].join('\n');
}

export type LaunchdResult = {outcome: 'up-to-date' | 'written'; file: string; label: string; enabled: {ok: boolean; error: string | null} | null};

/** Write the agent (idempotent through the manifest); with enable, load it with launchctl. */
export async function exportLaunchd(home: Home, options: {force?: boolean; enable?: boolean}): Promise<LaunchdResult> {
	const planned: PlannedFile[] = [{path: agentPath(home), text: agentPlist(home), mode: 0o644}];
	const manifest = readManifest(home, ENGINE);
	let outcome: LaunchdResult['outcome'] = 'up-to-date';
	if (!upToDate(manifest, planned)) {
		if (!options.force) {
			refuseChanged(changedByHand(manifest, planned), 'replace');
		}

		writeExport(home, manifest, planned, {engine: ENGINE, target: agentLabel(home), scope: 'user', unitDir: path.dirname(agentPath(home)), installed: true, loaded: true, enabled: false});
		outcome = 'written';
	}

	const enabled = options.enable ? await launchctl(['bootstrap', `gui/${process.getuid?.() ?? 0}`, agentPath(home)]) : null;
	return {outcome, file: agentPath(home), label: agentLabel(home), enabled};
}

/** Unload the agent, then delete exactly what the manifest lists. */
export async function removeLaunchd(home: Home, options: {force?: boolean}): Promise<{removed: string[]; label: string | null}> {
	const manifest = readManifest(home, ENGINE);
	if (manifest === undefined) {
		return {removed: [], label: null};
	}

	if (!options.force) {
		refuseChanged(changedByHand(manifest, []), 'remove');
	}

	await launchctl(['bootout', `gui/${process.getuid?.() ?? 0}/${manifest.target}`]);
	return {removed: removeExport(home, manifest), label: manifest.target};
}

async function launchctl(args: string[]): Promise<{ok: boolean; error: string | null}> {
	const {execa} = await import('execa');
	const result = await execa('launchctl', args, {reject: false, timeout: 30_000, stdin: 'ignore'});
	return result.exitCode === 0 ? {ok: true, error: null} : {ok: false, error: String(result.stderr || result.shortMessage).trim().split('\n')[0] ?? ''};
}
