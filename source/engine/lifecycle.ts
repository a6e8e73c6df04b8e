// Start and stop (docs/lifecycle.md#start, docs/lifecycle.md#stop): the actions behind `server start|stop` and the dashboard's keys.
import fs from 'node:fs';
import {addressOf} from '../config/address.js';
import {envFromFiles, loadConfig, migrateConfig, selectComponents, type ComponentSpec, type LoadOptions, type StackConfig} from '../config/index.js';
import {FactError, StigmerError, StoppedBeforeError} from '../errors.js';
import {signalPid} from '../os/index.js';
import type {Home} from '../paths.js';
import {fileError, notRegular, notRegularError} from '../private-file.js';
import {readFileRange} from '../read-range.js';
import {portInUse, startFailed} from '../reasons.js';
import {discover, type ComponentFinding, type Orphan} from './discover.js';
import {dependentsLeft, inOrder, missingDependencies, order, waitsFor} from './order.js';
import {withLock} from './lock.js';
import {removePidFile} from './pidfile.js';
import {foreignHolder, portClaims} from './ports.js';
import {logOffsets, probeLabel, waitReady} from './readiness.js';
import {rotateLogs} from './rotate.js';
import {freshRecord, markStopping, readRecord, writeRecord} from './state.js';
import {spawnComponent} from './spawn.js';
import {end} from './terminate.js';
import type {ActionOptions, CleanupReport, DependencyNote, EngineEvent, StartFailure, StartResult, StartedComponent, StopOutcome, StopResult} from './types.js';

/** Lines of stderr shown when a component fails to start (docs/lifecycle.md#start). */
const FAILURE_TAIL_LINES = 20;
/** Signal and grace for processes of components the config no longer names. */
const UNKNOWN_COMPONENT_STOP = {signal: 'SIGTERM', timeoutMs: 5000} as const;

/** docs/lifecycle.md#start: lock, validate, rotate, clean up orphans, stop, start in dependency order, wait ready. */
export async function start(home: Home, options: ActionOptions = {}): Promise<StartResult> {
	return underLock(home, options, 'server start', async ({config, selected, whole, emit}) => {
		refuseDisabled(selected, whole);
		const toStart = selected.filter((c) => c.enabled);
		preflight(home, toStart);
		emit({type: 'plan', components: toStart.map((c) => c.name)});
		try {
			rotateLogs(home, toStart.map((c) => c.name));
		} catch (error: unknown) {
			throw fileError(home.logs, 'rotate the logs in', error);
		}

		// A component started alone brings its dependencies that are not running (docs/lifecycle.md, as docker compose does).
		const {stopped, cleaned, pulled} = await endComponents(home, config, whole ? undefined : selected.map((c) => c.name), emit, whole ? [] : toStart);
		const pulledSpecs = config.components.filter((c) => pulled.some((p) => p.component === c.name));
		if (pulledSpecs.length > 0) {
			try {
				rotateLogs(home, pulledSpecs.map((c) => c.name));
			} catch (error: unknown) {
				throw fileError(home.logs, 'rotate the logs in', error);
			}

			emit({type: 'plan', components: pulledSpecs.map((c) => c.name)});
			for (const dependency of pulled) {
				emit({type: 'dependency', ...dependency});
			}
		}

		const starting = config.components.filter((c) => toStart.includes(c) || pulledSpecs.includes(c));
		const started: StartedComponent[] = [];
		const failures: StartFailure[] = [];
		const skipped = new Set<string>();
		await inOrder(new Map(starting.map((c) => [c.name, c])), (spec) => spec.dependsOn, async (_name, spec) => {
			const outcome = await startOne(home, config, spec, emit);
			if ('pid' in outcome) {
				started.push(outcome);
				return true;
			}

			failures.push(outcome);
			emit({type: 'failed', failure: outcome});
			return false;
		}, (name) => skipped.add(name));

		// Each unstarted component is named under every failed one it waits for, directly or through another.
		for (const failure of failures) {
			failure.skipped = starting.filter((c) => skipped.has(c.name) && waitsFor(config, c.name, failure.name)).map((c) => c.name);
		}

		const byOrder = (a: {name: string}, b: {name: string}) => order(config, a.name) - order(config, b.name);
		return {cleaned, stopped, dependencies: pulled, started: started.sort(byOrder), failures: failures.sort(byOrder)};
	});
}

/** docs/lifecycle.md#stop: lock, then stop in reverse dependency order: signal, wait, SIGKILL, verify. */
export async function stop(home: Home, options: ActionOptions = {}): Promise<StopResult> {
	// In the order things stopped (docs/lifecycle.md#stop: reverse dependency order), then what was not running, in that order too.
	// A disabled component gets its line when named (`stop stigmer-server`), not in a stop of the whole stack.
	const outcomesOf = (selected: ComponentSpec[], stopped: StopOutcome[], whole: boolean): StopOutcome[] => {
		const idle = selected.filter((c) => (c.enabled || !whole) && !stopped.some((s) => s.name === c.name)).reverse();
		return [...stopped, ...idle.map((c) => ({name: c.name, how: 'not-running' as const, ms: 0, signal: c.stopSignal}))];
	};
	// A home that does not exist has nothing to lock or migrate: stop creates no home just to find nothing running.
	// Marked processes of it (the home deleted under them) are still ended, under the lock, which then creates it.
	const loaded = select(home, options);
	if (!fs.existsSync(home.root)) {
		const {config, selected, whole} = loaded;
		const names = whole ? undefined : selected.map((c) => c.name);
		const findings = [...discover(home, config.components.map((c) => c.name)).values()].filter((f) => names === undefined || names.includes(f.component));
		if (findings.every((f) => f.orphans.length === 0 && f.running === null && f.supervisor === null)) {
			return {stopped: outcomesOf(selected, [], whole), cleaned: [], dependentsLeft: []};
		}
	}

	return underLock(home, options, 'server stop', async ({config, selected, whole, emit}) => {
		const names = whole ? undefined : selected.map((c) => c.name);
		const {stopped, cleaned, findings} = await endComponents(home, config, names, emit);
		return {stopped: outcomesOf(selected, stopped, whole), cleaned, dependentsLeft: names === undefined ? [] : dependentsLeft(config, names, findings)};
	}, loaded);
}

type Selection = {config: StackConfig; selected: ComponentSpec[]; whole: boolean; emit: (event: EngineEvent) => void};

/** Load and validate config (read-only: no migration, no directory created) and pick the components an action names (all when none). */
function select(home: Home, options: ActionOptions, load: LoadOptions = {}): Omit<Selection, 'emit'> {
	const config = loadConfig(home, load);
	const whole = options.components === undefined || options.components.length === 0;
	return {config, selected: selectComponents(config, options.components), whole};
}

/**
 * Load and validate config once, before anything is touched (docs/config.md), pick the components an action names,
 * then hold the home lock, migrate an old config.yaml under it, and work from what was loaded.
 */
async function underLock<T>(home: Home, options: ActionOptions, verb: string, work: (selection: Selection) => Promise<T>, loaded?: Omit<Selection, 'emit'>): Promise<T> {
	// `start` refuses a broken config (and what this machine cannot run); `stop` works from the last valid one.
	const strict = verb === 'server start';
	const selection = loaded ?? select(home, options, {strict});
	const stopped: string[] = [];
	const emit = (event: EngineEvent) => {
		if (event.type === 'stopped' && event.outcome.how !== 'not-running') {
			stopped.push(event.outcome.name);
		}

		options.onEvent?.(event);
	};

	return withLock(home, async () => {
		migrateConfig(home, selection.config);
		return saying(stopped, async () => work({...selection, emit}));
	}, (holder) => emit({type: 'lock-wait', ...holder}), options.verb ?? verb);
}

/**
 * What can be checked before anything is touched (docs/lifecycle.md; the cwd is config's, checked by the strict load): nothing but a
 * regular file sits where its PID, state or log file belongs (docs/lifecycle.md#the-home: never written through a symlink).
 */
function preflight(home: Home, specs: ComponentSpec[]): void {
	for (const dir of [home.data, home.logs]) {
		if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
			throw new FactError({kind: 'not-a-directory', dir});
		}
	}

	for (const spec of specs) {
		envFromFiles(spec); // A missing or unreadable env_file is refused before anything is touched.

		for (const file of [home.pidFile(spec.name), home.stateFile(spec.name), home.logFile(spec.name, 'stdout'), home.logFile(spec.name, 'stderr')]) {
			const kind = notRegular(file);
			if (kind !== undefined) {
				throw notRegularError(file, kind);
			}
		}
	}
}

/** Run `work`; an error it throws after stopping components says which were already stopped (docs/lifecycle.md#durations-and-exit-codes). */
async function saying<T>(stopped: string[], work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error: unknown) {
		const errno = typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string';
		if (!(error instanceof StigmerError) && !errno) {
			throw error;
		}

		const base = error instanceof StigmerError ? error : fileError((error as NodeJS.ErrnoException).path ?? 'a file of the home', 'use', error);
		throw stopped.length === 0 ? base : new StoppedBeforeError(base, stopped);
	}
}

function refuseDisabled(selected: ComponentSpec[], whole: boolean): void {
	const disabled = whole ? [] : selected.filter((c) => !c.enabled);
	if (disabled.length > 0) {
		throw new FactError({kind: 'disabled', components: disabled.map((c) => ({name: c.name, reason: c.disabledReason}))});
	}
}

/**
 * End everything of the named components (all, and components the config no longer names, when undefined):
 * orphans at once and in parallel, recorded processes in reverse dependency order; remove their PID files.
 */
async function endComponents(home: Home, config: StackConfig, named: string[] | undefined, emit: (event: EngineEvent) => void, bringDependencies: ComponentSpec[] = []): Promise<{stopped: StopOutcome[]; cleaned: CleanupReport; findings: Map<string, ComponentFinding>; pulled: DependencyNote[]}> {
	const findings = discover(home, config.components.map((c) => c.name));
	// Dependencies that are not running join the scope: their orphans are cleaned up before they start.
	const pulled = named === undefined ? [] : missingDependencies(config, bringDependencies, named, findings);
	// Checked before anything is stopped, as the named components were.
	preflight(home, config.components.filter((c) => pulled.some((p) => p.component === c.name)));
	const names = named === undefined ? undefined : [...named, ...pulled.map((p) => p.component)];
	const inScope = [...findings.values()].filter((f) => names === undefined || names.includes(f.component));
	const specOf = (name: string) => config.components.find((c) => c.name === name);
	const stopOf = (name: string) => {
		const spec = specOf(name);
		return spec ? {signal: spec.stopSignal, timeoutMs: spec.stopTimeoutMs} : UNKNOWN_COMPONENT_STOP;
	};

	// Marked before any signal: a supervisor that sees its component end records no crash (docs/supervision.md).
	for (const finding of inScope) {
		markStopping(home, finding.component);
	}

	const cleaned: CleanupReport = [];
	const orphanWork = inScope.map(async (finding) => {
		// Every process ended is reported (docs/lifecycle.md#cleanup-before-every-start); a group's members go with their leader, never signalled twice.
		const listed = specOf(finding.component) ? finding.orphans : [...finding.orphans, ...unnamed(finding)];
		if (listed.length === 0) {
			return;
		}

		const pids = listed.map((o) => o.pid).sort((a, b) => a - b);
		emit({type: 'cleanup', component: finding.component, pids});
		await Promise.all(listed.filter((o) => !o.member).map(async (o) => end({pid: o.pid, pgid: o.pgid, ...stopOf(finding.component)})));
		cleaned.push({component: finding.component, pids});
	});

	const stopped: StopOutcome[] = [];
	// Each configured component with a recorded process: supervised, the group is the supervisor's, so one signal
	// reaches it and the component (docs/supervision.md); its supervisor alone while it waits to restart the component.
	const running = new Map(inScope.flatMap((finding) => {
		const spec = specOf(finding.component);
		const target = finding.running ?? finding.supervisor;
		return spec && target ? [[finding.component, {spec, target, waiting: finding.running === null}] as const] : [];
	}));
	const dependents = ({spec}: {spec: ComponentSpec}) => [...running.values()].filter((other) => other.spec.dependsOn.includes(spec.name)).map((other) => other.spec.name);
	const stopWork = inOrder(running, dependents, async (name, {target, waiting}) => {
		const {signal, timeoutMs} = stopOf(name);
		emit({type: 'stopping', component: name});
		const ended = await end({pid: target.pid, pgid: target.pgid, signal, timeoutMs});
		const outcome: StopOutcome = {name, how: ended.how, ms: ended.ms, signal, ...(waiting ? {waiting: true} : {})};
		stopped.push(outcome);
		emit({type: 'stopped', outcome});
		return true;
	});

	await Promise.all([...orphanWork, stopWork]);
	for (const finding of inScope) {
		for (const file of finding.files) {
			removePidFile(file.file, file.content);
		}
	}

	// What was stopped is stopped, not failed or waiting: its record keeps the count and the last exit (docs/supervision.md).
	for (const name of names ?? config.components.map((c) => c.name)) {
		const record = readRecord(home, name);
		if (record !== undefined && record.state !== 'stopped') {
			writeRecord(home, name, {...record, state: 'stopped', nextRestartAtMs: null, reason: null});
		}
	}

	cleaned.sort((a, b) => order(config, a.component) - order(config, b.component));
	return {stopped, cleaned, findings, pulled};
}

/** What runs of a component the config no longer names, ended as orphans are: its supervisor leads the component's group. */
function unnamed(finding: ComponentFinding): Orphan[] {
	const {running, supervisor} = finding;
	const listed: Orphan[] = supervisor ? [supervisor] : [];
	if (running) {
		listed.push(supervisor && running.pgid === supervisor.pid ? {...running, member: true} : running);
	}

	return listed;
}

async function startOne(home: Home, config: StackConfig, spec: ComponentSpec, emit: (event: EngineEvent) => void): Promise<StartedComponent | StartFailure> {
	emit({type: 'starting', component: spec.name});
	const offsets = logOffsets(home, spec.name);
	const failure = (reason: string, spawned: boolean): StartFailure => ({
		name: spec.name,
		reason: reason.startsWith(`${spec.name}: `) ? reason.slice(spec.name.length + 2) : reason,
		stderrTail: spawned ? lastLines(home.logFile(spec.name, 'stderr'), offsets[1], FAILURE_TAIL_LINES) : [],
		logPath: spawned ? home.logFile(spec.name, 'stderr') : null,
		skipped: [],
	});

	// Refused before anything was spawned: a fresh record (start resets the last exit, docs/supervision.md) that says why, for status.
	const refused = (reason: string): StartFailure => {
		const result = failure(reason, false);
		writeRecord(home, spec.name, {...freshRecord(spec.restart.maxRestarts, spec.restart.mode), state: 'failed', reason: startFailed(result.reason)});
		return result;
	};

	// docs/lifecycle.md#start: a port held by anyone but this component is never a ✓ that another process earned.
	const claims = portClaims(spec, config);
	const taken = await foreignHolder(home, spec.name, claims);
	if (taken !== undefined) {
		return refused(portInUse(taken.port, taken.holder, taken.owner, spec.name));
	}

	let spawned;
	try {
		spawned = await spawnComponent(home, spec);
	} catch (error: unknown) {
		// A FactError's message is its facts as JSON, never a reason: it goes up to be worded (errorText).
		if (error instanceof StigmerError && !(error instanceof FactError)) {
			return refused(error.message);
		}

		throw error;
	}

	emit({type: 'spawned', component: spec.name, pid: spawned.pid, awaiting: probeLabel(spec.ready)});
	const ready = await waitReady(home, spec, spawned, {offsets, claims});
	if (ready.ok) {
		// Ready: from now on an exit is the supervisor's to restart (until now it would only record it, docs/supervision.md).
		signalPid(spawned.supervisorPid, 'SIGUSR1');
		emit({type: 'ready', component: spec.name, pid: spawned.pid, readyMs: ready.ms, address: addressOf(spec, config.components)});
		return {name: spec.name, pid: spawned.pid, readyMs: ready.ms};
	}

	// Not ready: end what we started (the supervisor leads the group) so nothing lingers, and forget it.
	markStopping(home, spec.name);
	await end({pid: spawned.supervisorPid, pgid: spawned.supervisorPid, signal: spec.stopSignal, timeoutMs: spec.stopTimeoutMs});
	removePidFile(home.pidFile(spec.name));
	const record = readRecord(home, spec.name);
	if (record !== undefined) {
		writeRecord(home, spec.name, {...record, state: 'failed', reason: startFailed(ready.reason), nextRestartAtMs: null});
	}

	return failure(ready.reason, true);
}

/** The last `count` lines written to a file after `from`; reads only the end. */
function lastLines(file: string, from: number, count: number): string[] {
	try {
		const size = fs.statSync(file).size;
		const start = Math.max(from, size - 64 * 1024);
		return readFileRange(file, start, size).toString('utf8').split('\n').filter((line) => line !== '').slice(-count);
	} catch {
		return [];
	}
}
