// The supervisor (docs/supervision.md) is POSIX sh in source/engine/supervisor/*.sh: main.sh (its start, on stdin),
// loop.sh (the long-lived loop, as text in the settings on fd 3, parsed once by the shell that supervises: under bash a
// fork), functions.sh + steps.sh (kept as text on fd 4, parsed only by short-lived subshells: bash keeps ~20 bytes of
// heap per byte of script it parses) and launcher.sh; common.sh is prepended to the last two. The build inlines them as
// strings (supervisor/inline.mjs → supervisor/text.ts), so the package ships no extra file and tests run the shipped text.
import {SUPERVISOR_FUNCTIONS, SUPERVISOR_LAUNCHER, SUPERVISOR_LOOP, SUPERVISOR_MAIN} from './supervisor/text.js';

export {SUPERVISOR_FUNCTIONS, SUPERVISOR_LAUNCHER, SUPERVISOR_LOOP, SUPERVISOR_MAIN};

/** The word after `-s` in a supervisor's argv: `<sh> -s stigmer-supervisor <component> <home>`, all that ps shows of it. */
export const SUPERVISOR_TAG = 'stigmer-supervisor';

/** What the supervisor is told on fd 3, besides its component and home (its arguments). */
export type SupervisorSettings = {
	/** The PID file's fixed fields, as JSON text without braces. */
	pidJson: string;
	/** Without its SIG prefix. */
	stopSignal: string;
	stopMs: number;
	policy: string;
	maxRestarts: number;
	delayMs: number;
	minUptimeMs: number;
	readyMs: number;
	/** `=value`, or empty for none. */
	lcAll: string;
	/** The starting CLI (pid and start-time token): an exit while it waits for readiness is a start failure. */
	cliPid: number | null;
	cliStartTime: string;
	argv: readonly string[];
};

/** A value as one single-quoted shell word. */
export function shellQuote(value: string): string {
	return `'${value.replaceAll('\'', '\'\\\'\'')}'`;
}

/** The settings as shell assignments and `set -- ARGV…`, which the supervisor evaluates once. */
export function settingsText(s: SupervisorSettings): string {
	const assignments: Array<[string, string]> = [
		['pid_json', s.pidJson], ['stop_sig', s.stopSignal], ['stop_ms', String(s.stopMs)], ['policy', s.policy],
		['max_restarts', String(s.maxRestarts)], ['delay0_ms', String(s.delayMs)], ['min_uptime_ms', String(s.minUptimeMs)],
		['ready_ms', String(s.readyMs)], ['lc_all', s.lcAll], ['cli_pid', s.cliPid === null ? '' : String(s.cliPid)],
		['cli_st', s.cliStartTime], ['launcher', SUPERVISOR_LAUNCHER], ['loop', SUPERVISOR_LOOP],
	];
	return `${assignments.map(([name, value]) => `${name}=${shellQuote(value)}`).join('\n')}\nset -- ${s.argv.map((a) => shellQuote(a)).join(' ')}\n`;
}
