// Every sentence a user reads about a start or stop outcome, a supervised exit, an engine warning and every expected
// failure (`errorText` words the facts of a FactError), for the CLI and the dashboard alike: callers add only colour,
// through the palette.
// The `reason` of a status or a failed start is the engine's, worded in reasons.ts (a leaf the engine may import).
import {palette, type Palette} from './colors.js';
import type {FailureFacts, SignalTarget} from './errors.js';
import type {CleanupReport, ComponentStatus, DependencyNote, EngineWarning, StartFailure, StartResult, StopOutcome, StopResult} from './engine/types.js';
import {safeText} from './logs/sanitize.js';
import {BADGES} from './state-badges.js';
import {formatAgo, formatCountdown, formatDuration, plural} from './units.js';

const PLAIN = palette(false);

/** `ready in 180ms`, `ready in 1.2s`. */
export function readyText(readyMs: number): string {
	return `ready in ${formatDuration(readyMs)}`;
}

/** `✓ stigmer-server  pid 4121  ready in 180ms  http://127.0.0.1:7234`, the name padded to `width`: one line of `server start`. */
export function readyLine(name: string, pid: number, readyMs: number, width: number, c: Palette = PLAIN, address: string | null = null): string {
	return `${c.green('✓')} ${name.padEnd(width)}  pid ${pid}  ${readyText(readyMs)}${address === null ? '' : `  ${address}`}`;
}

/** What became of one component on stop, after its name: `stopped in 1.2s`, `killed after 5s (SIGKILL)`, `was not running`. */
export function stopText(outcome: StopOutcome, c: Palette = PLAIN): string {
	switch (outcome.how) {
		case 'stopped': {
			return outcome.waiting ? 'stopped (was waiting to restart)' : `stopped in ${formatDuration(outcome.ms)}`;
		}

		case 'killed': {
			return `${c.yellow('killed')} after ${formatDuration(outcome.ms)} (SIGKILL)`;
		}

		case 'not-running': {
			return 'was not running';
		}
	}
}

/** `stigmer-server stopped in 120ms` / `stubborn killed after 5s (SIGKILL)` / `agent-runner was not running`. */
export function stopLine(outcome: StopOutcome, c: Palette = PLAIN): string {
	return `${outcome.name} ${stopText(outcome, c)}`;
}

/** What ended its process last and how long ago: `3 · 12s ago`, `SIGKILL · 3m ago` (`server status`'s LAST EXIT); undefined when it never exited by itself since its start. */
export function lastExitAgo(lastExit: ComponentStatus['lastExit'], now: number): string | undefined {
	if (lastExit === null) {
		return undefined;
	}

	return `${lastExit.code ?? lastExit.signal ?? '?'} · ${formatAgo(now - Date.parse(lastExit.at))} ago`;
}

/** `last exit 3 · 12s ago`, `last exit SIGKILL · 3m ago` (docs/supervision.md, a panel and `dash --once`); undefined as `lastExitAgo`. */
export function lastExitText(c: Pick<ComponentStatus, 'lastExit'>, now: number): string | undefined {
	const ago = lastExitAgo(c.lastExit, now);
	return ago === undefined ? undefined : `last exit ${ago}`;
}

/** In backoff: `restarting in 3s` (whole seconds, rounded up), in `server status`, a panel and `dash --once`; undefined otherwise. */
export function countdownText(c: Pick<ComponentStatus, 'state' | 'nextRestartAt'>, now: number): string | undefined {
	if (c.state !== 'backoff' || c.nextRestartAt === null) {
		return undefined;
	}

	return `restarting in ${formatCountdown(Date.parse(c.nextRestartAt) - now)}`;
}

/** `waiting for pid 4121 (server start) …`: who holds the home's lock (docs/lifecycle.md), for `start`, `stop` and the dashboard. */
export function lockWaitText(holder: {pid: number | null; verb: string | null}): string {
	return `waiting for ${holder.pid === null ? 'another stigmer' : `pid ${holder.pid}`}${holder.verb === null ? '' : ` (${holder.verb})`} …`;
}

/** `stigmer.target is exported, but systemctl --user cannot be reached: …; acting on this home with stigmer's own supervisors` (docs/engines.md). */
export function warningText(warning: EngineWarning): string {
	return `${warning.target} is exported, but ${systemctlText(warning.user)} cannot be reached: ${warning.error}; acting on this home with stigmer's own supervisors`;
}

/** An action's one-line summary with its warnings after it, for the dashboard's status line: `✓ app pid 4133 ready in 180ms; warning: stigmer.target is exported, but …`. */
export function warnedSummary(summary: string, warnings: readonly EngineWarning[] = []): string {
	return [summary, ...warnings.map((w) => `warning: ${warningText(w)}`)].join('; ');
}

/** `workflow-runner depends on it`, `workflow-runner, agent-runner depend on it`. */
function dependOn(dependents: string[], on: string): string {
	return `${dependents.join(', ')} ${plural(dependents.length, 'depends', 'depend')} on ${on}`;
}

/** `first (workflow-runner depends on it)`: why a dependency starts with a component started alone, in its panel. */
export function dependencyText(note: DependencyNote): string {
	return `first (${dependOn(note.dependents, 'it')})`;
}

/** `starting stigmer-server first (workflow-runner depends on it)`: `start NAME` brings a dependency that was not running. */
export function dependencyLine(note: DependencyNote): string {
	return `starting ${note.component} ${dependencyText(note)}`;
}

/** `workflow-runner, agent-runner depend on stigmer-server and were left running`: what `stop NAME` did not stop. */
export function dependentsLine(note: DependencyNote): string {
	return `${dependOn(note.dependents, note.component)} and ${plural(note.dependents.length, 'was', 'were')} left running`;
}

/** `cleaned up 7 orphaned workflow-runner processes (pids 68550, 68104, …)` per component. */
export function cleanupLines(cleaned: CleanupReport): string[] {
	return cleaned.map(({component, pids}) => `cleaned up ${pids.length} orphaned ${component} ${plural(pids.length, 'process', 'processes')} (${plural(pids.length, 'pid')} ${pids.join(', ')})`);
}

/** `; cleaned up 2 orphaned w (pids 1, 2)`: the cleanup of a whole action, appended to its one-line summary; '' when none. */
function cleanupSummary(report: CleanupReport): string {
	const parts = report.filter((r) => r.pids.length > 0).map((r) => `${r.pids.length} orphaned ${r.component} (${plural(r.pids.length, 'pid')} ${r.pids.join(', ')})`);
	return parts.length === 0 ? '' : `; cleaned up ${parts.join(', ')}`;
}

/** `stopped app, db`: what an action stopped, in the order it stopped them; undefined when nothing (docs/lifecycle.md#durations-and-exit-codes: a failed command says it). */
function stoppedText(names: string[]): string | undefined {
	return names.length === 0 ? undefined : `stopped ${names.join(', ')}`;
}

/** `stopped app, db before restarting them`: what a start stopped before it failed; undefined when it stopped nothing. */
export function restartStopLine(stopped: StopOutcome[]): string | undefined {
	const names = stopped.filter((o) => o.how !== 'not-running').map((o) => o.name);
	const text = stoppedText(names);
	return text === undefined ? undefined : `${text} before restarting ${plural(names.length, 'it', 'them')}`;
}

/** An error that ended an action after it had stopped `names`, saying so: `…; stopped app, db before this failure`. */
export function stoppedBeforeError(message: string, names: string[]): string {
	const text = stoppedText(names);
	return text === undefined ? message : `${message}; ${text} before this failure`;
}

/** A failed start's whole report: what it stopped, then each failure (see failureLines). */
export function startFailureLines(result: StartResult, c: Palette = PLAIN): string[] {
	const stopped = restartStopLine(result.stopped);
	return [...(stopped === undefined ? [] : [stopped]), ...failureLines(result.failures, c)];
}

/** A failed start's report: each failure with its reason, stderr tail, log, and the components left waiting for it. */
export function failureLines(failures: StartFailure[], c: Palette = PLAIN): string[] {
	return failures.flatMap((f) => [
		`${c.red('✗')} ${f.name}: ${f.reason}`,
		...(f.stderrTail.length > 0 ? [`  last ${f.stderrTail.length} ${plural(f.stderrTail.length, 'line')} of its stderr:`, ...f.stderrTail.map((l) => `    ${safeText(l, {color: false})}`)] : []),
		...(f.logPath === null ? [] : [`  log: ${f.logPath}`]),
		...(f.skipped.length > 0 ? [`  not started (waiting for ${f.name}): ${f.skipped.join(', ')}`] : []),
	]);
}

/** A start in one line: `✓ workflow-runner pid 4133 ready in 180ms`, or each failure with its last stderr line and log. */
export function startSummary(result: StartResult): string {
	if (result.failures.length > 0) {
		const text = result.failures.map((f) => {
			const skipped = f.skipped.length > 0 ? `; not started: ${f.skipped.join(', ')}` : '';
			const tail = f.stderrTail.at(-1);
			const last = tail === undefined ? undefined : safeText(tail, {color: false});
			return `✗ ${f.name}: ${f.reason}${last ? ` — ${last}` : ''}${f.logPath === null ? '' : ` (log: ${f.logPath})`}${skipped}`;
		});
		const stopped = restartStopLine(result.stopped);
		return `${text.join(' · ')}${cleanupSummary(result.cleaned)}${stopped === undefined ? '' : `; ${stopped}`}`;
	}

	const started = result.started.map((s) => `${s.name} pid ${s.pid} ${readyText(s.readyMs)}`).join(', ');
	const first = result.dependencies.map((d) => `; started ${d.component} ${dependencyText(d)}`).join('');
	return `✓ ${started === '' ? 'nothing to start' : started}${first}${cleanupSummary(result.cleaned)}`;
}

/** A stop in one line: `■ workflow-runner stopped in 120ms, agent-runner was not running`. */
export function stopSummary(result: StopResult): string {
	const parts = result.stopped.map((o) => stopLine(o));
	const left = result.dependentsLeft.map((d) => `; ${dependentsLine(d)}`).join('');
	return `■ ${parts.length === 0 ? 'nothing to stop' : parts.join(', ')}${left}${cleanupSummary(result.cleaned)}`;
}

/** A line's own leading time (RFC 3339 / ISO 8601, Python logging's, Go log's): the panels show when in their own words. */
const LEADING_TIME = /^\[?\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s+/;

/** `last error: …` of a component's panel (dashboard and `dash --once`): the line without its own time, which would fill a narrow panel. */
export function lastErrorText(text: string): string {
	return `last error: ${text.replace(LEADING_TIME, '')}`;
}

/** An engine error that carries facts to word (errors.ts): what an action stopped before it failed. */
function stoppedBefore(error: unknown): {cause: unknown; stopped: readonly string[]} | undefined {
	const facts = error as {kind?: unknown; cause?: unknown; stopped?: unknown} | null;
	return typeof facts === 'object' && facts !== null && facts.kind === 'stopped-before' && Array.isArray(facts.stopped) ? {cause: facts.cause, stopped: facts.stopped as string[]} : undefined;
}

/** What to run instead, per refused export action: the same command with --force. */
const FORCE_HINT = {replace: (it: string) => `export again with --force to replace ${it}`, remove: (it: string) => `run --remove --force to delete ${it} anyway`} as const;

/** `systemctl --user` or `systemctl`. */
function systemctlText(user: boolean): string {
	return `systemctl${user ? ' --user' : ''}`;
}

/** Why a signal was refused (os/signal.ts: never init, stigmer itself, its parent or its own group). */
const SIGNAL_REFUSALS = {
	'group-range': 'a group number must be an integer above 1',
	'pid-range': 'a pid must be an integer above 1',
	self: 'it is stigmer itself',
	parent: 'it is stigmer\'s parent',
	'own-group': 'it is stigmer\'s own process group',
} as const;

/** `pid 4121`, `process group 4121`. */
function signalTargetText(target: SignalTarget): string {
	return `${target.group ? 'process group' : 'pid'} ${target.id}`;
}

/** The sentence of each failure the engine reports as facts (errors.ts FactError), one row per kind. */
const FAILURE_WORDS: {[K in FailureFacts['kind']]: (facts: Extract<FailureFacts, {kind: K}>) => string} = {
	'run-beside-systemd': (f) => `this home's stack is run by systemd (${f.target}): \`server run\` would start a second copy; use \`stigmer server start|stop|logs\`, or hand it back with \`stigmer export systemd --remove\``,
	'systemd-enabled-unreachable': (f) => `this home's stack is enabled in systemd (${f.target}), but ${systemctlText(f.user)} cannot be reached: ${f.error}; run this where the manager runs, or \`stigmer export systemd --remove\``,
	'not-exported': (f) => `${f.components.join(', ')}: not among the units of ${f.target}; run \`stigmer export systemd\` again`,
	'systemctl-stop-failed': (f) => `systemctl stop failed: ${f.detail}`,
	'unexport-failed': (f) => `could not stop and disable ${f.target} (${f.detail}): its units may still run, so nothing was removed; stop them, or pass --force`,
	'unit-user': (f) => `--user ${JSON.stringify(f.user)} is not an account name (a-z, 0-9, _ and -, not starting with a digit or -) nor a numeric id`,
	'unit-needs-path': (f) => `${f.component}: cannot find ${JSON.stringify(f.file)} on PATH, and a unit needs its absolute path; fix components.${f.component}.command in ${f.config}`,
	'enable-needs-unit-dir': (f) => `--enable needs the units where systemd reads them (${f.unitDir}), not --out ${f.out}`,
	'unit-component-unknown': (f) => `${f.component}: no such component in ${f.config}; run \`stigmer export systemd\` again`,
	'control-character': (f) => `${f.what} ${JSON.stringify(f.text)} holds a control character (a newline, a tab…), which a unit file or property list cannot carry: use a path without one`,
	'plist-control-character': (f) => `cannot write ${JSON.stringify(f.text)} into a property list: it holds a control character XML cannot carry`,
	'changed-by-hand'(f) {
		const one = f.files.length === 1;
		return `${f.files.join(', ')} ${one ? 'was' : 'were'} changed by hand since stigmer wrote ${one ? 'it' : 'them'} (or ${one ? 'is' : 'are'} not stigmer's); ${FORCE_HINT[f.action](one ? 'it' : 'them')}`;
	},
	'survived-sigkill': (f) => `pid ${f.pid} survived SIGKILL for ${f.waitedMs / 1000}s (stuck in the kernel?); check it with \`ps -o pid,stat,wchan -p ${f.pid}\``,
	'lock-takeover': (f) => `cannot take over ${f.lock} from a stigmer that is gone; remove it (\`rm ${f.lock}\`) if no stigmer runs`,
	'lock-held': (f) => `another stigmer${f.pid === null ? '' : ` (pid ${f.pid})`} has held ${f.lock} for over ${formatDuration(f.waitedMs)}; wait for it to finish, or stop it`,
	'not-a-directory': (f) => `${f.dir} is not a directory, where stigmer keeps one; remove it (\`rm ${f.dir}\`) and try again`,
	disabled: (f) => f.components.map((c) => `${c.name} is disabled (${c.reason})`).join('; '),
	'signal-refused': (f) => `refusing to signal ${signalTargetText(f.target)}: ${SIGNAL_REFUSALS[f.why]}. This is a bug in stigmer; please report it with the command you ran.`,
	'signal-failed': (f) => `cannot send ${f.signal} to ${signalTargetText(f.target)}: ${f.code}. Is it owned by another user?`,
	'unknown-component': (f) => `unknown component ${f.names.map((n) => `"${safeText(n, {color: false})}"`).join(', ')}; known components: ${f.known.join(', ')}`,
	'since-not-a-date': (f) => `--since "${f.value}": ${f.date} is not a date (month 01-12, a day that month has): pass a real one, like 2026-11-26`,
	'since-unparsed': (f) => `--since "${f.value}" is neither a duration (250ms, 30s, 10m, 2h) nor a time (2026-11-26T03:47:00Z, "2026-11-26 03:47", 03:47): pass one of those forms.`,
	'unsupported-platform': (f) => `stigmer does not support ${f.platform === 'win32' ? 'Windows' : f.platform}: it needs POSIX process groups and signals. Run it on Linux or macOS (on Windows, inside WSL).`,
};

/** The facts of an engine error (errors.ts FactError), read by shape: the CLI's CommonJS build catches what the dashboard's ES-module build throws. */
function failureFacts(error: unknown): FailureFacts | undefined {
	const carrier = error as {kind?: unknown; facts?: {kind?: unknown}} | null;
	const kind = typeof carrier === 'object' && carrier !== null && carrier.kind === 'facts' ? carrier.facts?.kind : undefined;
	return typeof kind === 'string' && Object.hasOwn(FAILURE_WORDS, kind) ? carrier!.facts as FailureFacts : undefined;
}

/** The one line an error says: the facts an engine error carries, worded here; any other error's own message. */
export function errorText(error: unknown): string {
	const facts = stoppedBefore(error);
	if (facts !== undefined) {
		return stoppedBeforeError(errorText(facts.cause), [...facts.stopped]);
	}

	const failure = failureFacts(error);
	if (failure !== undefined) {
		return (FAILURE_WORDS[failure.kind] as (f: FailureFacts) => string)(failure);
	}

	return error instanceof Error ? error.message : String(error);
}

/** An exception from the engine during `verb`, as one line. */
export function errorSummary(verb: string, error: unknown): string {
	return `✗ ${verb} failed: ${errorText(error).split('\n')[0]}`;
}

/** How a change nobody asked for reads (a crash, a give-up, an exit, a stop from another terminal), per state it lands in. */
const CHANGE_VERBS: Partial<Record<ComponentStatus['state'], string>> = {crashed: 'crashed', failed: 'failed', exited: 'exited', backoff: 'exited', stopped: 'stopped'};
/** States without a process of their own: leaving one for a live process is a start (from another terminal). */
const DOWN_STATES: ReadonlySet<ComponentStatus['state']> = new Set(['stopped', 'exited', 'crashed', 'failed']);

/**
 * The dashboard's status line when a poll finds a component crashed, given up, exited or restarted by its
 * supervisor, stopped or started from another terminal since the previous poll: `✖ workflow-runner crashed: exited without a stop`,
 * `↻ boom exited (exit code 3; restart 3 of 5), restarting in 4s`, `○ agent-runner stopped`. Undefined for any other change.
 */
export function changeText(before: ComponentStatus, after: ComponentStatus, now: number): string | undefined {
	const verb = CHANGE_VERBS[after.state];
	const symbol = BADGES[after.state].symbol;
	// A component enabled in config.yaml (disabled → stopped) is a config change, not news from another terminal.
	if (verb !== undefined && before.state !== after.state && before.state !== 'disabled') {
		const countdown = countdownText(after, now);
		const why = after.reason === null ? '' : after.state === 'backoff' ? ` (${after.reason})` : `: ${after.reason}`;
		return `${symbol} ${after.name} ${verb}${why}${countdown === undefined ? '' : `, ${countdown}`}`;
	}

	const back = (after.state === 'running' || after.state === 'starting') && after.pid !== null;
	if (back && before.state === 'backoff') {
		// Replaces the `restarting in 1s` the exit announced, which would otherwise stay on the status line.
		return `${BADGES.running.symbol} ${after.name} restarted (pid ${after.pid})`;
	}

	if (back && DOWN_STATES.has(before.state)) {
		return `${BADGES.running.symbol} ${after.name} started (pid ${after.pid})`;
	}

	if (back && after.restarts > before.restarts) {
		const exit = after.lastExit === null ? '' : ` after exit ${after.lastExit.code ?? after.lastExit.signal ?? '?'}`;
		return `${BADGES.backoff.symbol} ${after.name} restarted by its supervisor${exit} (restart ${after.restarts})`;
	}

	return undefined;
}
