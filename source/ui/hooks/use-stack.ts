// Live status of the stack (SPEC 6): a full status poll every few seconds, a cheap liveness check
// of every known pid each second, and a poll at once when a PID file changes or an action ends.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {StatusReport} from '../../engine/types.js';
import {NO_TRACKING, track, type Tracking} from '../stack-model.js';
import type {DashDeps} from '../types.js';

/** Liveness period: a `kill -9` from another terminal shows within about a second. */
export const LIVENESS_INTERVAL_MS = 1000;
/**
 * Full status period (CPU, memory, uptime, orphans, readiness). A status call costs ~20 ms of CPU
 * and each repaint of a full-screen Ink frame ~40 ms, so polling every second alone would spend
 * 6 % of a core on an idle stack; every 5 s keeps the dashboard under the 2 % idle budget while
 * state changes still show within a second (liveness, PID-file watch).
 */
export const STATUS_INTERVAL_MS = 5000;

export type StackModel = {
	report: StatusReport | null;
	/** When the poll that produced `report` began (ms): lets actions tell fresh state from stale. */
	reportStartedAt: number;
	/** The last status error (a broken config.yaml), shown in the status line. */
	error: string | null;
	tracking: Tracking;
	/** Poll now (after an action). */
	refresh: () => void;
};

/** Live status of the stack; never more than one status call in flight. */
export function useStack(deps: DashDeps): StackModel {
	const [state, setState] = useState<Omit<StackModel, 'refresh'>>({report: null, reportStartedAt: 0, error: null, tracking: NO_TRACKING});
	const pollRef = useRef<() => void>(() => {});

	useEffect(() => {
		let closed = false;
		let inFlight = false;
		let again = false;
		let last: StatusReport | null = null;
		let lastPollAt = 0;
		const poll = async (): Promise<void> => {
			if (closed) {
				return;
			}

			if (inFlight) {
				again = true;
				return;
			}

			inFlight = true;
			const startedAt = Date.now();
			lastPollAt = startedAt;
			try {
				const report = await deps.lifecycle.status(deps.home);
				last = report;
				if (!closed) {
					setState((s) => ({report, reportStartedAt: startedAt, error: null, tracking: track(s.tracking, report)}));
				}
			} catch (error: unknown) {
				if (!closed) {
					setState((s) => ({...s, error: `status failed: ${error instanceof Error ? error.message : String(error)}`}));
				}
			} finally {
				inFlight = false;
				if (again) {
					again = false;
					void poll();
				}
			}
		};

		// Every second: a full poll when due or while something is starting or stopping (readiness
		// changes write no PID file), else only ask whether each known process still lives.
		const tick = () => {
			const due = Date.now() - lastPollAt >= STATUS_INTERVAL_MS - LIVENESS_INTERVAL_MS / 2;
			const components = last?.components ?? [];
			const unsettled = components.some((c) => c.state === 'starting' || c.state === 'stopping' || (c.state === 'running' && !c.ready));
			const died = components.some((c) => c.pid !== null && (c.state === 'running' || c.state === 'starting') && !deps.isAlive(c.pid));
			if (due || unsettled || died) {
				void poll();
			}
		};

		pollRef.current = () => {
			void poll();
		};

		void poll();
		const timer = setInterval(tick, LIVENESS_INTERVAL_MS);
		const watcher = deps.watchPids(pollRef.current);
		return () => {
			closed = true;
			clearInterval(timer);
			void watcher.close();
		};
	}, [deps]);

	const refresh = useCallback(() => {
		pollRef.current();
	}, []);
	return {...state, refresh};
}
