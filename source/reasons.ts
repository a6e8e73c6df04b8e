// Every `reason` the engine reports, worded from facts in this one module: a status's (docs/json.md, kept stable) and a
// failed start's. The engine decides which fact holds and passes it here; messages.ts words the outcomes of actions for
// the CLI and the dashboard from the engine's results. A leaf (no import from engine/), so the engine may use it while
// no arrow runs from engine/ up to messages.ts (test/wording.test.ts).
import type {PortHolder} from './os/index.js';
import {formatDuration, plural} from './units.js';

/** How a process ended, as a status or a supervisor's record has it. */
export type ExitFacts = {code: number | null; signal: string | null};

/** `exit code 3`, `killed by SIGKILL`; both when the supervisor could not tell a code above 128 from a signal (docs/supervision.md). */
export function exitHow(exit: ExitFacts): string {
	if (exit.code === null) {
		return `killed by ${exit.signal ?? 'a signal'}`;
	}

	return exit.signal === null ? `exit code ${exit.code}` : `exit code ${exit.code} or killed by ${exit.signal}`;
}

/** `pid 812 (stigmer-server of /home/ana/other)`, `pid 812 (redis-server)`, `another user's process`. */
export function holderText(holder: PortHolder): string {
	if (holder.kind === 'hidden') {
		return 'another user\'s process';
	}

	const what = holder.home !== null && holder.component !== null ? `${holder.component} of ${holder.home}` : holder.command;
	return what === '' ? `pid ${holder.pid}` : `pid ${holder.pid} (${what})`;
}

// ── A failed start (StartFailure.reason; the record keeps it as `start failed: …`) ──

/** `exited with code 1 before it was ready`, `was killed by SIGKILL before it was ready`; without its exit status, `exited before it was ready`. */
export function exitedBeforeReady(exit: {code: number | null; signal: string | null} | undefined): string {
	// No status known (the supervisor could not record it: a full disk, or gone): never `code null`.
	if (exit === undefined || (exit.code === null && exit.signal === null)) {
		return 'exited before it was ready';
	}

	return exit.signal ? `was killed by ${exit.signal} before it was ready` : `exited with code ${exit.code} before it was ready`;
}

/** `port 7234 answered, but it is held by pid 812 (nc), not by this home's stigmer-server` (`owner`: who must hold it). */
export function portAnsweredByOther(port: number, holder: string, owner: string, component: string): string {
	return `port ${port} answered, but it is held by ${holder}, not by ${owner === component ? component : `this home's ${owner}`}`;
}

/** `port 7234 is in use by pid 812 (redis-server)`; `port 7234 (stigmer-server's) …` when the port is another component's. */
export function portInUse(port: number, holder: string, owner: string, component: string): string {
	return `port ${port}${owner === component ? '' : ` (${owner}'s)`} is in use by ${holder}`;
}

/** `not ready within 30s (waited for: GET http://127.0.0.1:7234/healthz is 200)`. */
export function notReadyWithin(timeoutMs: number, waitedFor: string): string {
	return `not ready within ${formatDuration(timeoutMs)} (waited for: ${waitedFor})`;
}

/** An exec probe whose program cannot run: `its ready.exec command "pg_isready" cannot run (no such file or command); fix components.db.ready`. */
export function execProbeCannotRun(file: string, missing: boolean, component: string): string {
	return `its ready.exec command ${JSON.stringify(file)} cannot run (${missing ? 'no such file or command' : 'permission denied'}); fix components.${component}.ready`;
}

/** An exec probe built in code without a program (the schema asks for one). */
export const EXEC_PROBE_EMPTY = 'the exec probe names no program';

/** Why a component could not be spawned at all (a failed start's reason, before any readiness): argv[0], its supervisor's shell, its PID file. */
export const SPAWN_WORDS = {
	noCommand: (component: string, file: string) => `${component}: cannot run ${JSON.stringify(file)}: no such file or command; check components.${component}.command`,
	noShell: (component: string, shell: string, error: string) => `${component}: cannot run its supervisor ${shell}: ${error}; set STIGMER_SUPERVISOR_SHELL to a POSIX sh`,
	supervisorGone: (component: string, errLog: string) => `${component}: its supervisor exited before the component started; see ${errLog}`,
	noPidFile: (component: string, waitedMs: number, data: string) => `${component}: no PID file from its supervisor within ${waitedMs / 1000}s; is ${data} writable?`,
} as const;

/** What the supervisor's record says of a start that failed: `start failed: port 7234 is in use by …`. */
export function startFailed(reason: string): string {
	return `start failed: ${reason}`;
}

// ── A status (ComponentStatus.reason) ──

/** A supervisor's record, as much of it as its words need. */
export type RecordFacts = {state: string; reason?: string | null; lastExit: ExitFacts | null; restarts: number; maxRestarts: number; streakMs: number | null; policy: string};

/** Why a record's component is where it is (docs/lifecycle.md#status): `exit code 3; gave up after 5 restarts in 14s`; null without an exit. */
export function recordText(record: RecordFacts): string | null {
	if (record.reason) {
		return record.reason;
	}

	if (record.lastExit === null) {
		return null;
	}

	const how = exitHow(record.lastExit);
	const gaveUp = record.streakMs === null ? undefined : `${how}; gave up after ${record.restarts} ${plural(record.restarts, 'restart')} in ${formatDuration(record.streakMs)}`;
	switch (record.state) {
		case 'backoff': {
			return `${how}; restart ${record.restarts} of ${record.maxRestarts}`;
		}

		case 'failed': {
			return gaveUp ?? (record.policy === 'no' ? `${how}; not restarted (restart: no)` : `${how} while starting`);
		}

		case 'exited': {
			return gaveUp ?? `${how}; not restarted (restart: ${record.policy})`;
		}

		default: {
			return how;
		}
	}
}

/** Between two runs, its supervisor ending what is left of the exited run's group: `exit code 3; ending what is left of its process group`. */
export function endingLeftovers(exit: string | null): string {
	return `${exit ?? 'exited'}; ending what is left of its process group`;
}

/** Between two runs, its supervisor relaunching it. */
export const RESTARTING = 'restarting';

/** A component alive but waiting on a dependency: `waiting for stigmer-server (not ready)`, `(not running)`, `(backoff)`. */
export function waitingFor(blocker: string, state: string): string {
	return `waiting for ${blocker} (${state === 'running' ? 'not ready' : state === 'stopped' ? 'not running' : state})`;
}

/** Under systemd, why a unit is not active: `systemd: exit-code; exit code 3`, `systemd: signal; killed by SIGKILL`. */
export function unitText(result: string, exit: ExitFacts | null): string {
	const how = exit === null ? '' : exit.signal === null ? `; exit code ${exit.code}` : `; killed by ${exit.signal}`;
	return `systemd: ${result}${how}`;
}

/** Under systemd, a unit that is not active with nothing better to say: `stigmer-web.service is failed`. */
export function unitStateText(unit: string, state: string): string {
	return `${unit} is ${state}`;
}

/** Why a state file that is not a readable regular file is ignored, by what reading it found. */
const UNUSABLE = {symlink: 'is a symbolic link', directory: 'is a directory', 'not-file': 'is not a regular file', unreadable: 'cannot be read'} as const;

/** A state file (data/<component>.state) that holds no usable record is ignored and named: `…/data/web.state is a directory; its record is ignored`. */
export const RECORD_WORDS = {
	notARecord: (file: string) => `${file} is not a record stigmer can use; it is ignored`,
	tooLarge: (file: string, bytes: number) => `${file} is too large to be a record (${bytes} bytes); it is ignored`,
	unusable: (file: string, kind: keyof typeof UNUSABLE) => `${file} ${UNUSABLE[kind]}; its record is ignored`,
} as const;

// ── A PID file that proves nothing (status's `crashed` reason; docs/lifecycle.md#alive-and-ours) ──

/** What a PID file that proves nothing says of its process, per kind of fact; `content`: why the file cannot be read. */
export const PID_FILE_WORDS = {
	unreadable: (why: string) => `unreadable PID file (${why})`,
	ancestor: (pid: number) => `pid ${pid} is stigmer itself or the shell it runs in`,
	notOurs: (pid: number) => `pid ${pid} is not a stigmer process of this home`,
	notRunning: (pid: number) => `pid ${pid} is not running`,
	reused: (pid: number) => `pid ${pid} now belongs to another process (started at a different time)`,
	exitedWithoutStop: (pid: number) => `pid ${pid} exited without a stop`,
	beforeReboot: () => 'recorded before the last reboot',
	/** A process that claims another home (`home`), or another component of this one (its marker). */
	claimed: (pid: number, claim: {component: string; home?: string; supervisor?: boolean}) => (claim.home === undefined
		? `pid ${pid} is ${claim.component}'s process (its marker says STIGMER_COMPONENT=${claim.component})`
		: `pid ${pid} is ${claim.supervisor ? 'the supervisor of ' : ''}${claim.component} of another home, ${claim.home}`),
} as const;

/** Why a PID file's text is no PID file (inside `unreadable PID file (…)`). */
export const PID_TEXT_WORDS = {
	empty: 'empty',
	outOfRange: (text: string) => `pid ${text} is out of range`,
	notARecord: (text: string) => `not a pid or a stigmer PID record: ${JSON.stringify(text.slice(0, 40))}`,
	notAFile: (file: string, kind: string) => `${file} is ${kind}`,
} as const;
