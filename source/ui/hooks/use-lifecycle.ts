// The r/s/R/S keys: call the engine's start/stop (the same functions as the CLI), show progress
// in the panels and the outcome in the status line. A failing action never throws out of here.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {EngineEvent} from '../../engine/types.js';
import {lockWaitText} from '../../messages.js';
import {describeError, describeStart, describeStop, type Message} from '../status-message.js';
import {applyEvent, type Progress} from '../stack-model.js';
import type {ComponentInfo, DashDeps} from '../types.js';

export type LifecycleKind = 'restart' | 'stop' | 'restartAll' | 'stopAll';

export type LifecycleModel = {
	/** What runs now, e.g. "restarting workflow-runner", or null. */
	busy: string | null;
	progress: Record<string, Progress>;
	message: Message | null;
	setMessage: (message: Message | null) => void;
	run: (kind: LifecycleKind, target: ComponentInfo | undefined) => void;
};

/** `reportStartedAt` is when the newest status poll began: progress is dropped once a poll saw the result. */
export function useLifecycle(deps: DashDeps, refresh: () => void, reportStartedAt: number): LifecycleModel {
	const [busy, setBusy] = useState<string | null>(null);
	const [progress, setProgress] = useState<Record<string, Progress>>({});
	const [message, setMessage] = useState<Message | null>(null);
	const doneAt = useRef<number | null>(null);
	const busyRef = useRef(false);
	const mounted = useRef(true);

	useEffect(() => {
		mounted.current = true;
		return () => {
			mounted.current = false;
		};
	}, []);

	useEffect(() => {
		if (doneAt.current !== null && reportStartedAt >= doneAt.current) {
			doneAt.current = null;
			setProgress({});
		}
	}, [reportStartedAt]);

	const run = useCallback(
		(kind: LifecycleKind, target: ComponentInfo | undefined) => {
			const single = kind === 'restart' || kind === 'stop';
			// The one component acted on; undefined for the whole stack.
			const one = single ? target : undefined;
			if (single && one === undefined) {
				setMessage({text: 'no component selected', tone: 'error'});
				return;
			}

			if (one !== undefined && !one.enabled) {
				setMessage({text: `${one.name} is disabled: ${one.disabledReason ?? 'disabled in config'}; nothing to ${kind}`, tone: 'error'});
				return;
			}

			if (busyRef.current) {
				setMessage({text: `busy: ${busy ?? 'an action'} is still running; try again when it ends`, tone: 'error'});
				return;
			}

			const verb = kind === 'restart' || kind === 'restartAll' ? 'restart' : 'stop';
			const what = one?.name ?? 'the stack';
			const label = `${verb === 'restart' ? 'restarting' : 'stopping'} ${what}`;
			const options = {
				components: one === undefined ? undefined : [one.name],
				verb: 'dash',
				onEvent: (event: EngineEvent) => {
					if (!mounted.current) {
						return;
					}

					if (event.type === 'lock-wait') {
						setMessage({text: `${label}: ${lockWaitText(event)}`, tone: 'info'});
					}

					setProgress((p) => applyEvent(p, event));
				},
			};
			busyRef.current = true;
			doneAt.current = null;
			setBusy(label);
			setMessage({text: `${label}…`, tone: 'info'});
			const call = verb === 'restart' ? deps.lifecycle.start(deps.home, options).then(describeStart) : deps.lifecycle.stop(deps.home, options).then(describeStop);
			void call
				.catch((error: unknown) => describeError(`${verb} ${what}`, error))
				.then((outcome) => {
					busyRef.current = false;
					if (!mounted.current) {
						return;
					}

					doneAt.current = Date.now();
					setBusy(null);
					setMessage(outcome);
					refresh();
				});
		},
		[deps, refresh, busy],
	);

	return {busy, progress, message, setMessage, run};
}
