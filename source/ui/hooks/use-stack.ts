// Live status of the stack (docs/dashboard.md): each second CPU, memory and uptime from the process
// table; four times a second a liveness check of every known pid; a full status every few seconds,
// and at once when a fact on disk changes (a PID or state file, config.yaml) or an action ends.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {StatusReport} from '../../engine/types.js';
import {errorText} from '../../messages.js';
import {announce, applySample, clockView, sameView, sampleTargets, type News} from '../stack-model.js';
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
	announcement: {news: News[]; at: number} | null;
	/** The clock panels read time-dependent texts by (`last exit 3 · 12s ago`, `restarting in 3s`); it moves only when one of them changes. */
	now: number;
	/** Poll now (after an action). */
	refresh: () => void;
};

type Shown = Omit<StackModel, 'refresh'>;
type SetShown = (update: (s: Shown) => Shown) => void;

/** The polling behind useStack, outside React: one status call in flight at most, a liveness tick, a usage sample. */
class StackPoller {
	private closed = false;
	private inFlight = false;
	private again = false;
	private againForced = false;
	private last: StatusReport | null = null;
	private lastPollAt = 0;
	private shownClock = '';
	private lastSampleAt = 0;
	private readonly timer: NodeJS.Timeout;
	private settle: NodeJS.Timeout | undefined;
	private readonly watcher: {close: () => Promise<void> | void};

	constructor(private readonly deps: DashDeps, private readonly setState: SetShown) {
		void this.poll();
		this.timer = setInterval(() => this.tick(), LIVENESS_INTERVAL_MS);
		this.watcher = deps.watchFacts(() => {
			void this.poll();
			clearTimeout(this.settle);
			this.settle = setTimeout(() => void this.poll(), SETTLE_MS);
		});
	}

	/**
	 * `forced`: asked for after an action, which waits for a poll that began after it (reportStartedAt);
	 * other polls that would show nothing new commit nothing, so an idle stack costs no repaint.
	 */
	async poll(forced = false): Promise<void> {
		if (this.closed) {
			return;
		}

		if (this.inFlight) {
			this.again = true;
			this.againForced ||= forced;
			return;
		}

		this.inFlight = true;
		const startedAt = Date.now();
		this.lastPollAt = startedAt;
		try {
			const report = await this.deps.lifecycle.status(this.deps.home);
			const configWarning = this.deps.configWarning?.() ?? null;
			const news = this.last === null ? [] : announce(this.last, report);
			this.last = report;
			if (!this.closed) {
				this.setState((s) => {
					const announcement = news.length === 0 ? s.announcement : {news, at: Date.now()};
					const same = !forced && s.error === null && s.configWarning === configWarning && s.report !== null && sameView(s.report, report);
					return same ? s : {report, reportStartedAt: startedAt, error: null, configWarning, now: Date.now(), announcement};
				});
			}
		} catch (error: unknown) {
			if (!this.closed) {
				this.setState((s) => ({...s, error: `status failed: ${errorText(error)}`}));
			}
		} finally {
			this.inFlight = false;
			if (this.again) {
				const force = this.againForced;
				this.again = false;
				this.againForced = false;
				void this.poll(force);
			}
		}
	}

	/**
	 * Every LIVENESS_INTERVAL_MS: has a known process died? Every second besides: a full poll when due
	 * or while something is starting or stopping (readiness changes write no PID file), else a sample.
	 */
	private tick(): void {
		const components = this.last?.components ?? [];
		const died = components.some((c) => c.pid !== null && (c.state === 'running' || c.state === 'starting') && !this.deps.isAlive(c.pid));
		if (died) {
			void this.poll();
			return;
		}

		if (Date.now() - this.lastSampleAt < SAMPLE_INTERVAL_MS - LIVENESS_INTERVAL_MS / 2) {
			return;
		}

		this.lastSampleAt = Date.now();
		const clock = clockView(this.last, Date.now());
		if (clock !== this.shownClock) {
			this.shownClock = clock;
			this.setState((s) => ({...s, now: Date.now()}));
		}

		const due = Date.now() - this.lastPollAt >= STATUS_INTERVAL_MS - SAMPLE_INTERVAL_MS / 2;
		const unsettled = components.some((c) => c.state === 'starting' || c.state === 'stopping' || (c.state === 'running' && !c.ready));
		if (due || unsettled) {
			void this.poll();
		} else {
			void this.sample();
		}
	}

	/** CPU, memory and uptime of what runs, folded into the last report when a panel would change. */
	private async sample(): Promise<void> {
		const targets = sampleTargets(this.last);
		if (targets.length === 0 || this.inFlight) {
			return;
		}

		try {
			const usage = await this.deps.sample(targets);
			const now = Date.now();
			if (!this.closed && !this.inFlight) {
				this.setState((s) => {
					const report = s.report === null ? null : applySample(s.report, usage, now);
					return report === null ? s : {...s, report};
				});
			}
		} catch {
			// A process that went away meanwhile: the next full status tells.
		}
	}

	close(): void {
		this.closed = true;
		clearInterval(this.timer);
		clearTimeout(this.settle);
		void this.watcher.close();
	}
}

/** Live status of the stack; never more than one status call in flight. */
export function useStack(deps: DashDeps): StackModel {
	const [state, setState] = useState<Shown>({report: null, reportStartedAt: 0, error: null, configWarning: null, now: Date.now(), announcement: null});
	const pollRef = useRef<() => void>(() => {});

	useEffect(() => {
		const poller = new StackPoller(deps, setState);
		pollRef.current = () => {
			void poller.poll(true);
		};

		return () => {
			poller.close();
		};
	}, [deps]);

	const refresh = useCallback(() => {
		pollRef.current();
	}, []);
	return {...state, refresh};
}
