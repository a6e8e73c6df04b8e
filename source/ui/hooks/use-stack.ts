// Polls the engine's status every second, and at once when a PID file changes (SPEC 6).
import {useCallback, useEffect, useRef, useState} from 'react';
import type {StatusReport} from '../../engine/types.js';
import {NO_TRACKING, track, type Tracking} from '../stack-model.js';
import type {DashDeps} from '../types.js';

/** Poll period: SPEC 6 promises to react within a second to changes made elsewhere (a `kill -9`). */
export const STATUS_INTERVAL_MS = 1000;

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
			try {
				const report = await deps.lifecycle.status(deps.home);
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

		pollRef.current = () => {
			void poll();
		};

		void poll();
		const timer = setInterval(pollRef.current, STATUS_INTERVAL_MS);
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
