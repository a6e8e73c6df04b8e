// The unit files of `stigmer export systemd` (docs/engines.md): a target that wants one service per enabled component,
// each mapping the component's config onto systemd's keys. Pure apart from resolving paths; never prints.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {componentEnv, DEFAULT_RESTART, type ComponentSpec, type StackConfig} from '../../config/index.js';
import {EXIT, FactError} from '../../errors.js';
import {which} from '../../executable.js';
import {physicalPath, type Home} from '../../paths.js';
import {cliPath} from '../../cli-path.js';
import {MARKER} from '../../markers.js';
import {formatDuration} from '../../units.js';
import {commandLine, environmentLine, escapeSpecifiers, pathValue, refuseControl} from './escape.js';

/** The hidden verb systemd runs as ExecStartPre=/ExecStartPost= (commands/internal-ready.ts). */
export const READY_VERB = 'internal-ready';
/** The engine's name in STIGMER_ENGINE and in status. */
export const ENGINE = 'systemd';
/** Slack over ready_timeout for TimeoutStartSec=: the probe verb itself gives up at ready_timeout; node needs to start first. */
const START_SLACK_MS = 10_000;
/** Hex digits of the home's hash in a non-default home's unit names: 2^32 homes before two collide. */
const HASH_DIGITS = 8;
/** Path parts of version managers whose node path changes on upgrade (a unit would then run a missing binary). */
const VERSION_MANAGERS = [['/.nvm/', 'nvm'], ['/.volta/', 'volta'], ['/.asdf/', 'asdf'], ['/fnm/', 'fnm'], ['/.fnm/', 'fnm'], ['/.nodenv/', 'nodenv'], ['/n/versions/', 'n']] as const;

export type Scope = {kind: 'user'} | {kind: 'system'; user: string};

/** One file export writes, with its mode; `secret`: its values are never printed (env_file holds the user's secrets). */
export type ExportFile = {path: string; text: string; mode: number; secret?: true};

export type UnitPlan = {
	target: string;
	/** component → its service unit's name, enabled components only, in dependency order. */
	units: Map<string, string>;
	/** Where units go. */
	unitDir: string;
	files: ExportFile[];
	/** Each mapping that is not exact, one line each, for stderr. */
	notes: string[];
};

/** `stigmer` for the default home (~/.stigmer), else `stigmer-<hash of the home>`: two homes never share a unit name. */
export function unitPrefix(home: Home): string {
	const standard = physicalPath(path.join(os.homedir(), '.stigmer'));
	return home.root === standard ? 'stigmer' : `stigmer-${crypto.createHash('sha256').update(home.root).digest('hex').slice(0, HASH_DIGITS)}`;
}

/** The target of this home's stack. */
export function targetName(home: Home): string {
	return `${unitPrefix(home)}.target`;
}

/** The service of one component of this home. */
export function serviceName(home: Home, component: string): string {
	return `${unitPrefix(home)}-${component}.service`;
}

/** Where systemd reads units: the user's ($XDG_CONFIG_HOME/systemd/user) or the system's. */
export function defaultUnitDir(scope: Scope, env: NodeJS.ProcessEnv = process.env): string {
	if (scope.kind === 'system') {
		return '/etc/systemd/system';
	}

	const config = env['XDG_CONFIG_HOME'] && path.isAbsolute(env['XDG_CONFIG_HOME']) ? env['XDG_CONFIG_HOME'] : path.join(os.homedir(), '.config');
	return path.join(config, 'systemd', 'user');
}

/** Where a component's EnvironmentFile= lives: under data/, 0700, written 0600 (it holds the component's env). */
export function environmentFile(home: Home, component: string): string {
	return path.join(home.data, 'systemd', `${component}.env`);
}

/** The unit files for every enabled component of `config`, their target, and what does not map exactly. */
export function planUnits(home: Home, config: StackConfig, scope: Scope, unitDir: string, env: NodeJS.ProcessEnv = process.env): UnitPlan {
	const enabled = config.components.filter((c) => c.enabled);
	// The home is written as is into comments, Description= and paths; a cwd into WorkingDirectory=; User= as is.
	refuseControl(home.root, MARKER.home);
	for (const spec of enabled) {
		refuseControl(spec.cwd ?? '', `components.${spec.name}.cwd`);
	}

	if (scope.kind === 'system') {
		refuseUser(scope.user);
	}

	const target = targetName(home);
	const units = new Map(enabled.map((c) => [c.name, serviceName(home, c.name)]));
	const stigmer = [realpath(process.execPath), realpath(cliPath())];
	const files: ExportFile[] = [];
	for (const spec of enabled) {
		const unitPath = path.join(unitDir, serviceName(home, spec.name));
		files.push({path: unitPath, text: serviceUnit(home, spec, {target, units, stigmer, scope, env}), mode: 0o644});
		files.push({path: environmentFile(home, spec.name), text: environmentText(home, spec, env), mode: 0o600, secret: true});
	}

	files.push({path: path.join(unitDir, target), text: targetUnit(home, scope, [...units.values()]), mode: 0o644});
	return {target, units, unitDir, files, notes: notes(enabled)};
}

/** What `User=` accepts safely: a POSIX-ish account name (useradd's default rule) or a numeric id. */
const USER_NAME = /^(?:[a-z_][a-z0-9_-]*|\d+)$/;

/** Refuse (exit 2) a `--user` that is not an account name or a number: it is written into User= as is. */
export function refuseUser(user: string): void {
	if (!USER_NAME.test(user)) {
		throw new FactError({kind: 'unit-user', user}, EXIT.usage);
	}
}

/** The node binary's version manager, when its path changes on upgrade; undefined for a stable path. */
export function versionManager(nodePath = realpath(process.execPath)): string | undefined {
	return VERSION_MANAGERS.find(([part]) => nodePath.includes(part))?.[1];
}

function realpath(file: string): string {
	try {
		return fs.realpathSync(file);
	} catch {
		return file;
	}
}

const HEADER = (home: Home) => `# Written by \`stigmer export systemd\` for STIGMER_HOME=${home.root}; \`stigmer export systemd --remove\` deletes it.\n`;

type Context = {target: string; units: Map<string, string>; stigmer: string[]; scope: Scope; env: NodeJS.ProcessEnv};

function serviceUnit(home: Home, spec: ComponentSpec, {target, units, stigmer, scope, env}: Context): string {
	const deps = spec.dependsOn.flatMap((d) => {
		const unit = units.get(d);
		return unit === undefined ? [] : [unit]; // A disabled dependency is not waited for (temporal without its binary).
	});
	const {restart} = spec;
	const probe = (...args: string[]) => commandLine([...stigmer, READY_VERB, spec.name, ...args]);
	const unit = [
		'[Unit]',
		`Description=${escapeSpecifiers(`stigmer ${spec.name} (${home.root})`)}`,
		`PartOf=${target}`,
		...deps.flatMap((d) => [`Requires=${d}`, `After=${d}`]),
		// stigmer gives up after max_restarts quick failures in a row; systemd after this many starts within the interval.
		`StartLimitBurst=${restart.maxRestarts + 1}`,
		`StartLimitIntervalSec=${seconds((restart.maxRestarts + 1) * (restart.minUptimeMs + restart.delayMs))}`,
		'',
		'[Service]',
		'Type=exec',
		// Before each start: end a copy stigmer's own supervisors run (never two copies), note where this run's log begins.
		`ExecStartPre=${probe('--pre')}`,
		`ExecStart=${commandLine(absoluteArgv(home, spec, stigmer, env))}`,
		`ExecStartPost=${probe()}`,
		`WorkingDirectory=${pathValue(spec.cwd ?? home.root)}`,
		`EnvironmentFile=${pathValue(environmentFile(home, spec.name))}`,
		...(scope.kind === 'system' ? [`User=${scope.user}`] : []),
		`Restart=${restart.mode}`,
		`RestartSec=${seconds(restart.delayMs)}`,
		`TimeoutStartSec=${seconds(spec.readyTimeoutMs + START_SLACK_MS)}`,
		'KillMode=control-group',
		`KillSignal=${spec.stopSignal}`,
		`TimeoutStopSec=${seconds(spec.stopTimeoutMs)}`,
		`StandardOutput=append:${pathValue(home.logFile(spec.name, 'stdout'))}`,
		`StandardError=append:${pathValue(home.logFile(spec.name, 'stderr'))}`,
	];
	return `${HEADER(home)}${unit.join('\n')}\n`;
}

/** argv with an absolute program: the built-ins' node and cli.js by their real paths, others found on PATH or from cwd. */
function absoluteArgv(home: Home, spec: ComponentSpec, stigmer: string[], env: NodeJS.ProcessEnv): string[] {
	const [file = '', ...args] = spec.command;
	if (file === process.execPath && args[0] === cliPath()) {
		return [...stigmer, ...args.slice(1)];
	}

	const found = file.includes('/') ? path.resolve(spec.cwd ?? home.root, file) : which(file, env['PATH'] ?? '');
	if (found === undefined) {
		throw new FactError({kind: 'unit-needs-path', component: spec.name, file, config: home.config});
	}

	return [found, ...args];
}

/** The component's environment as stigmer gives it (env_file values included), plus PATH (systemd's is not the shell's) and the engine's marker. */
function environmentText(home: Home, spec: ComponentSpec, env: NodeJS.ProcessEnv): string {
	const vars: Record<string, string> = {
		...(env['PATH'] === undefined ? {} : {PATH: env['PATH']}),
		...componentEnv(spec),
		[MARKER.home]: home.root,
		[MARKER.component]: spec.name,
		[MARKER.engine]: ENGINE,
	};
	return `# Environment of ${spec.name}, written by \`stigmer export systemd\` (0600: it may hold secrets).\n${Object.entries(vars).map(([k, v]) => environmentLine(k, v)).join('\n')}\n`;
}

function targetUnit(home: Home, scope: Scope, services: string[]): string {
	return `${HEADER(home)}${[
		'[Unit]',
		`Description=${escapeSpecifiers(`stigmer stack (${home.root})`)}`,
		...services.map((s) => `Wants=${s}`),
		'',
		'[Install]',
		`WantedBy=${scope.kind === 'user' ? 'default.target' : 'multi-user.target'}`,
	].join('\n')}\n`;
}

/** A systemd time span: whole seconds where it is whole (as an operator writes it), milliseconds only when needed. */
export function seconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** One line per config key set (away from its default) to something systemd cannot carry exactly, naming the components it touches. */
function notes(specs: ComponentSpec[]): string[] {
	const restarting = specs.filter((s) => s.restart.mode !== 'no');
	const names = (list: ComponentSpec[]) => list.map((s) => s.name).join(', ');
	const delayed = restarting.filter((s) => s.restart.delayMs !== DEFAULT_RESTART.delayMs);
	const limited = restarting.filter((s) => s.restart.maxRestarts !== DEFAULT_RESTART.maxRestarts || s.restart.minUptimeMs !== DEFAULT_RESTART.minUptimeMs);
	const signalled = specs.filter((s) => s.stopSignal !== 'SIGTERM');
	return [
		...(delayed.length === 0 ? [] : [`restart_delay (${names(delayed)}): systemd waits a fixed RestartSec= (${formatDuration(delayed[0]?.restart.delayMs ?? 0)} for the first) between restarts; stigmer doubles the delay up to 30s`]),
		...(limited.length === 0 ? [] : [`max_restarts, min_uptime (${names(limited)}): systemd gives up after StartLimitBurst= starts within StartLimitIntervalSec=; stigmer after max_restarts runs in a row shorter than min_uptime`]),
		...(signalled.length === 0 ? [] : [`stop_signal (${names(signalled)}): systemd sends it to every process of the unit's cgroup; stigmer sends it to the process group`]),
	];
}
