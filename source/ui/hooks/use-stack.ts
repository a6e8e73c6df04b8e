// Live status of the stack (docs/dashboard.md): each second CPU, memory and uptime from the process
// table; four times a second a liveness check of every known pid; a full status every few seconds,
// and at once when a fact on disk changes (a PID or state file, config.yaml) or an action ends.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {StatusReport} from '../../engine/types.js';
import {announce, applySample, clockView, sameView, sampleTargets} from '../stack-model.js';
import type {Message} from '../status-message.js';
import type {DashDeps} from '../types.js';

/** Refresh period of CPU, memory, uptime and the panels' clocks. */
export const SAMPLE_INTERVAL_MS = 1000;
/**
 * Liveness period: signal 0 and a look at /proc for each known pid (microseconds). A death that
 * writes no file (a `kill -9` of a component and its supervisor) shows within this plus one status
 * poll; every other change writes a PID or state file, which the facts watch reports at once.
 */
export const LIVENESS_INTERVAL_MS = 250;
/**
 * A second poll this long after a change on disk: a file written in place (an editor saving
 * config.yaml, `>` in a shell) may be read half-written by the first, and no later event may come.
 */
export const SETTLE_MS = 300;
/**
 * Full status period (PID files, orphans, readiness). A full status costs ~5-20 ms of CPU (config,
 * PID files, a /proc scan for orphans, health probes); the per-second refresh reads only the
 * running groups' /proc entries, and repaints only when a panel would show something different.
 */
export const STATUS_INTERVAL_MS = 5000;

export type StackModel = {
	report: StatusReport | null;
	/** When the poll that produced `report` began (ms): lets actions tell fresh state from stale. */
	reportStartedAt: number;
	/** The last status error (a broken config.yaml), shown in the status line. */
	error: string | null;
	/** config.yaml is broken and status runs from the last valid one: its warning (file:line:col and the first error), until it is fixed. */
	configWarning: string | null;
	/** The newest crash, give-up or exit seen from outside (`✖ workflow-runner crashed: …`), for the status line; null until one. */
	announcement: (Message & {component: string; at: number}) | null;
	/** The clock panels read time-dependent texts by (`last exit 3 · 12s ago`, `restarting in 3s`); it moves only when one of them changes. */
	now: number;
	/** Poll now (after an action). */
	refresh: () => void;
};

/** Live status of the stack; never more than one status call in flight. */
export function useStack(deps: DashDeps): StackModel {
	const [state, setState] = useState<Omit<StackModel, 'refresh'>>({report: null, reportStartedAt: 0, error: null, configWarning: null, now: Date.now(), announcement: null});
	const pollRef = useRef<() => void>(() => {});

	useEffect(() => {
		let closed = false;
		let inFlight = false;
		let again = false;
		let againForced = false;
		let last: StatusReport | null = null;
		let lastPollAt = 0;
		// `forced`: asked for after an action, which waits for a poll that began after it (reportStartedAt);
		// other polls that would show nothing new commit nothing, so an idle stack costs no repaint.
		const poll = async (forced = false): Promise<void> => {
			if (closed) {
				return;
			}

			if (inFlight) {
				again = true;
				againForced ||= forced;
				return;
			}

			inFlight = true;
			const startedAt = Date.now();
			lastPollAt = startedAt;
			try {
				const report = await deps.lifecycle.status(deps.home);
				const configWarning = deps.configWarning?.() ?? null;
				const news = last === null ? undefined : announce(last, report);
				last = report;
				if (!closed) {
					setState((s) => {
						const announcement = news === undefined ? s.announcement : {...news, at: Date.now()};
						const same = !forced && s.error === null && s.configWarning === configWarning && s.report !== null && sameView(s.report, report);
						return same ? s : {report, reportStartedAt: startedAt, error: null, configWarning, now: Date.now(), announcement};
					});
				}
			} catch (error: unknown) {
				if (!closed) {
					setState((s) => ({...s, error: `status failed: ${error instanceof Error ? error.message : String(error)}`}));
				}
			} finally {
				inFlight = false;
				if (again) {
					const force = againForced;
					again = false;
					againForced = false;
					void poll(force);
				}
			}
		};

		// Every LIVENESS_INTERVAL_MS: has a known process died? Every second besides: a full poll when due
		// or while something is starting or stopping (readiness changes write no PID file), else a sample.
		let shownClock = '';
		let lastSampleAt = 0;
		const tick = () => {
			const components = last?.components ?? [];
			const died = components.some((c) => c.pid !== null && (c.state === 'running' || c.state === 'starting') && !deps.isAlive(c.pid));
			if (died) {
				void poll();
				return;
			}

			if (Date.now() - lastSampleAt < SAMPLE_INTERVAL_MS - LIVENESS_INTERVAL_MS / 2) {
				return;
			}

			lastSampleAt = Date.now();
			const clock = clockView(last, Date.now());
			if (clock !== shownClock) {
				shownClock = clock;
				setState((s) => ({...s, now: Date.now()}));
			}

			const due = Date.now() - lastPollAt >= STATUS_INTERVAL_MS - SAMPLE_INTERVAL_MS / 2;
			const unsettled = components.some((c) => c.state === 'starting' || c.state === 'stopping' || (c.state === 'running' && !c.ready));
			if (due || unsettled) {
				void poll();
			} else {
				void sample();
			}
		};

		// CPU, memory and uptime of what runs, folded into the last report when a panel would change.
		const sample = async (): Promise<void> => {
			const targets = sampleTargets(last);
			if (targets.length === 0 || inFlight) {
				return;
			}

			try {
				const usage = await deps.sample(targets);
				const now = Date.now();
				if (!closed && !inFlight) {
					setState((s) => {
						const report = s.report === null ? null : applySample(s.report, usage, now);
						return report === null ? s : {...s, report};
					});
				}
			} catch {
				// A process that went away meanwhile: the next full status tells.
			}
		};

		pollRef.current = () => {
			void poll(true);
		};

		void poll();
		const timer = setInterval(tick, LIVENESS_INTERVAL_MS);
		let settle: NodeJS.Timeout | undefined;
		const watcher = deps.watchFacts(() => {
			void poll();
			clearTimeout(settle);
			settle = setTimeout(() => void poll(), SETTLE_MS);
		});
		return () => {
			closed = true;
			clearInterval(timer);
			clearTimeout(settle);
			void watcher.close();
		};
	}, [deps]);

	const refresh = useCallback(() => {
		pollRef.current();
	}, []);
	return {...state, refresh};
}
