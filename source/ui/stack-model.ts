// The stack panels' model, pure: restarts seen this session, and what a running action is doing.
import type {ComponentState, ComponentStatus, EngineEvent, StatusReport} from '../engine/types.js';

/** Last pid seen per component and pid changes counted: "restarts in this dashboard session". */
export type Tracking = {pids: Record<string, number>; restarts: Record<string, number>};
/** Nothing seen yet: the dashboard just opened. */
export const NO_TRACKING: Tracking = {pids: {}, restarts: {}};

/** Fold a status report into the tracking: a component that comes back with a new pid restarted. */
export function track(previous: Tracking, report: StatusReport): Tracking {
	let changed = false;
	const pids = {...previous.pids};
	const restarts = {...previous.restarts};
	for (const c of report.components) {
		if (c.pid === null || pids[c.name] === c.pid) {
			continue;
		}

		if (pids[c.name] !== undefined) {
			restarts[c.name] = (restarts[c.name] ?? 0) + 1;
		}

		pids[c.name] = c.pid;
		changed = true;
	}

	return changed ? {pids, restarts} : previous;
}

/** What an action is doing to one component, shown in its panel until the next status poll after it. */
export type Progress = {state: ComponentState; note: string};

/** Fold an engine event into the per-component progress. */
export function applyEvent(progress: Record<string, Progress>, event: EngineEvent): Record<string, Progress> {
	switch (event.type) {
		case 'cleanup': {
			return {...progress, [event.component]: {state: progress[event.component]?.state ?? 'stopping', note: `cleaning up ${event.pids.length} orphan${event.pids.length === 1 ? '' : 's'}`}};
		}

		case 'stopping': {
			return {...progress, [event.component]: {state: 'stopping', note: 'stopping…'}};
		}

		case 'stopped': {
			const {outcome} = event;
			const note = outcome.how === 'killed' ? `killed after ${outcome.ms}ms (SIGKILL)` : outcome.how === 'stopped' ? `stopped in ${outcome.ms}ms` : 'was not running';
			return {...progress, [outcome.name]: {state: 'stopped', note}};
		}

		case 'starting': {
			return {...progress, [event.component]: {state: 'starting', note: 'starting…'}};
		}

		case 'spawned': {
			return {...progress, [event.component]: {state: 'starting', note: `pid ${event.pid}, waiting until ready…`}};
		}

		case 'ready': {
			return {...progress, [event.component]: {state: 'running', note: `ready in ${event.readyMs}ms`}};
		}

		case 'failed': {
			return {...progress, [event.failure.name]: {state: 'crashed', note: event.failure.reason}};
		}

		case 'lock-wait': {
			return progress;
		}
	}
}

/** A placeholder status for a component the engine has not reported yet (first poll pending). */
export function unknownStatus(name: string, enabled: boolean, reason: string | null): ComponentStatus {
	return {
		name,
		enabled,
		state: enabled ? 'stopped' : 'disabled',
		reason,
		pid: null,
		pgid: null,
		startedAt: null,
		uptimeMs: null,
		cpuPercent: null,
		rssBytes: null,
		ready: false,
		port: null,
		orphans: [],
		logs: {stdout: '', stderr: ''},
	};
}
