// The `exec` readiness probe (docs/architecture.md, readiness): a command exits 0, each try bounded.
import {signalGroup} from '../os/index.js';
import {MARKER} from '../markers.js';
import {EXEC_PROBE_EMPTY, execProbeCannotRun} from '../reasons.js';
import type {ProbeContext} from './probes.js';

/** One try of an `exec` probe; past it the probe process is ended and the try fails (docs/lifecycle.md). */
export const EXEC_TRY_TIMEOUT_MS = 5000;
/** The shortest an `exec` try is given, even when ready_timeout is nearly spent: a last chance, not a sure failure. */
const EXEC_MIN_TRY_MS = 100;

/** One attempt: ready, not yet, or a definite failure that no later attempt can mend. */
export type Attempt = {ready: boolean; fail?: string};

/**
 * One try of an `exec` probe: argv without a shell, with the component's environment and cwd, bounded by
 * EXEC_TRY_TIMEOUT_MS and by what is left of ready_timeout (`budgetMs`). The probe is not the component, so it does not get STIGMER_COMPONENT: the marker
 * scan would take it for one of the component's processes.
 */
export async function execTry(argv: string[], context: ProbeContext, budgetMs = EXEC_TRY_TIMEOUT_MS): Promise<Attempt> {
	const {execa} = await import('execa'); // Loaded only when a config uses `exec`.
	const {[MARKER.component]: _component, ...inherited} = process.env;
	const [file, ...args] = argv;
	if (file === undefined) {
		return {ready: false, fail: EXEC_PROBE_EMPTY}; // The schema asks for one; a spec built in code may not.
	}

	// Its own process group, ended with all it started when the try times out (docs/config.md).
	const subprocess = execa(file, args, {
		cwd: context.cwd ?? context.home.root,
		env: {...inherited, ...context.env, [MARKER.home]: context.home.root},
		extendEnv: false,
		reject: false,
		detached: true,
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'ignore',
	});
	// Only while the probe has not exited is its pid (so its group's id) provably ours: once reaped, the number may be reused.
	let exited = false;
	const endGroup = () => {
		if (!exited && subprocess.pid !== undefined) {
			signalGroup(subprocess.pid, 'SIGKILL');
		}
	};

	const timer = setTimeout(endGroup, Math.max(EXEC_MIN_TRY_MS, Math.min(EXEC_TRY_TIMEOUT_MS, budgetMs)));
	const result = await subprocess;
	exited = true;
	clearTimeout(timer);
	if (result.exitCode === 0) {
		return {ready: true};
	}

	if (result.code === 'ENOENT' || result.code === 'EACCES') {
		return {ready: false, fail: execProbeCannotRun(file, result.code === 'ENOENT', context.component)};
	}

	return {ready: false};
}

