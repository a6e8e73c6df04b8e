// The stack panels' model, pure: what a running action is doing, and when a new report needs a repaint.
import {blankStatus, type ComponentState, type ComponentStatus, type EngineEvent, type StatusReport} from '../engine/types.js';
import {countdownText, dependencyText, lastExitText, readyText, stopText} from '../messages.js';
import {plural} from '../units.js';
import {formatPanelBytes, formatPanelCpu, formatPanelUptime} from './format-panel.js';
import {describeChange, type Message} from './status-message.js';
import type {SampleTarget, Usage} from './types.js';

/** What an action is doing to one component, shown in its panel until the next status poll after it. */
export type Progress = {state: ComponentState; note: string};

/** Fold an engine event into the per-component progress. */
export function applyEvent(progress: Record<string, Progress>, event: EngineEvent): Record<string, Progress> {
	switch (event.type) {
		case 'cleanup': {
			return {...progress, [event.component]: {state: progress[event.component]?.state ?? 'stopping', note: `cleaning up ${event.pids.length} ${plural(event.pids.length, 'orphan')}`}};
		}

		case 'stopping': {
			return {...progress, [event.component]: {state: 'stopping', note: 'stopping…'}};
		}

		case 'stopped': {
			const {outcome} = event;
			return {...progress, [outcome.name]: {state: 'stopped', note: stopText(outcome)}};
		}

		case 'dependency': {
			return {...progress, [event.component]: {state: 'starting', note: dependencyText(event)}};
		}

		case 'starting': {
			// A dependency brought first keeps saying why it starts.
			const previous = progress[event.component];
			return {...progress, [event.component]: {state: 'starting', note: previous?.state === 'starting' ? previous.note : 'starting…'}};
		}

		case 'spawned': {
			return {...progress, [event.component]: {state: 'starting', note: `pid ${event.pid}, waiting until ready…`}};
		}

		case 'ready': {
			return {...progress, [event.component]: {state: 'running', note: readyText(event.readyMs)}};
		}

		case 'failed': {
			return {...progress, [event.failure.name]: {state: 'failed', note: event.failure.reason}};
		}

		case 'lock-wait':
		case 'plan': {
			return progress;
		}
	}
}

/** A placeholder status for a component the engine has not reported yet (first poll pending). */
export function unknownStatus(name: string, enabled: boolean, reason: string | null): ComponentStatus {
	return blankStatus(name, enabled, {reason});
}

/** The components a per-second sample covers: those with a live process. */
export function sampleTargets(report: StatusReport | null): SampleTarget[] {
	return (report?.components ?? []).flatMap(({name, pid, pgid, state}) => (pid !== null && (state === 'running' || state === 'starting') ? [{name, pid, pgid}] : []));
}

/**
 * The report with a sample's CPU, memory and uptime (at `now`) folded in, or null when no panel
 * would show anything different: an idle stack then costs no repaint.
 */
export function applySample(report: StatusReport, usage: ReadonlyMap<string, Usage>, now: number): StatusReport | null {
	let changed = false;
	const components = report.components.map((c) => {
		const u = usage.get(c.name);
		if (u === undefined || c.startedAt === null) {
			return c;
		}

		const next = {...c, cpuPercent: Math.round(u.cpuPercent * 10) / 10, rssBytes: u.rssBytes, uptimeMs: Math.max(0, now - Date.parse(c.startedAt))};
		if (formatPanelCpu(next.cpuPercent) === formatPanelCpu(c.cpuPercent) && formatPanelBytes(next.rssBytes) === formatPanelBytes(c.rssBytes) && formatPanelUptime(next.uptimeMs) === formatPanelUptime(c.uptimeMs)) {
			return c;
		}

		changed = true;
		return next;
	});
	return changed ? {...report, components} : null;
}

/** What a panel shows of a component: two reports with equal views need no repaint. */
function viewOf(c: ComponentStatus): string {
	return [c.name, c.enabled, c.state, c.reason, c.pid, c.ready, c.port, c.restarts, c.lastExit?.at, c.nextRestartAt, c.orphans.map((o) => o.pid).join(','), formatPanelCpu(c.cpuPercent), formatPanelBytes(c.rssBytes), formatPanelUptime(c.uptimeMs)].join('\u0000');
}

/** True when both reports would draw the same panels and header. */
export function sameView(a: StatusReport, b: StatusReport): boolean {
	return a.healthy === b.healthy && a.target === b.target && a.components.length === b.components.length && a.components.every((c, i) => {
		const other = b.components[i];
		return other !== undefined && viewOf(c) === viewOf(other);
	});
}

/** The time-dependent texts every panel shows at `now` (last exit age, backoff countdown): a repaint is due only when this changes. */
export function clockView(report: StatusReport | null, now: number): string {
	return (report?.components ?? []).map((c) => `${lastExitText(c, now) ?? ''}\u0000${countdownText(c, now) ?? ''}`).join('\u0001');
}

/** One change a status poll saw in a component (docs/dashboard.md). */
export type News = Message & {component: string};

/** Every crash, give-up, exit, stop, start or supervisor's restart in `next` against `previous`, among the components both name. */
export function announce(previous: StatusReport, next: StatusReport, now = Date.now()): News[] {
	const before = new Map(previous.components.map((c) => [c.name, c]));
	return next.components.flatMap((after) => {
		const was = before.get(after.name);
		const message = was === undefined ? undefined : describeChange(was, after, now);
		return message === undefined ? [] : [{...message, component: after.name}];
	});
}

/**
 * The status line for `news` (`○ a stopped · ✖ w crashed: x`; an error's tone wins), leaving out the components
 * `ours` says the dashboard's own action is at work on (their result takes the line); undefined when nothing is left.
 */
export function newsLine(news: News[], ours: (component: string) => boolean = () => false): Message | undefined {
	const told = news.filter((n) => !ours(n.component));
	const [first] = told;
	return first === undefined ? undefined : {text: told.map((n) => n.text).join(' · '), tone: told.some((n) => n.tone === 'error') ? 'error' : first.tone};
}
