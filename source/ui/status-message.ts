// Engine results as one status-line message: the words come from ../messages.ts, the tone (colour) is added here.
import type {ComponentStatus, StartResult, StopResult} from '../engine/types.js';
import {changeText, errorSummary, startSummary, stopSummary, warnedSummary} from '../messages.js';

export type Tone = 'info' | 'ok' | 'error';
export type Message = {text: string; tone: Tone};

/** How an outcome's line is coloured: a success that came with a warning (docs/engines.md: systemd unreachable) in the warning's yellow. */
function toneOf(failed: boolean, result: StartResult | StopResult): Tone {
	return failed ? 'error' : (result.warnings?.length ?? 0) > 0 ? 'info' : 'ok';
}

/** `✓ workflow-runner pid 4133 ready in 180ms` or the failure with its log path; then the result's warnings. */
export function describeStart(result: StartResult): Message {
	return {text: warnedSummary(startSummary(result), result.warnings), tone: toneOf(result.failures.length > 0, result)};
}

/** `■ workflow-runner stopped in 120ms`, per component; then the result's warnings. */
export function describeStop(result: StopResult): Message {
	return {text: warnedSummary(stopSummary(result), result.warnings), tone: toneOf(false, result)};
}

/** An exception from the engine, as one line. */
export function describeError(verb: string, error: unknown): Message {
	return {text: errorSummary(verb, error), tone: 'error'};
}

/** A crash or a give-up (red), an exit or a supervisor's restart (yellow) seen between two polls; undefined for other changes. */
export function describeChange(before: ComponentStatus, after: ComponentStatus, now: number): Message | undefined {
	const text = changeText(before, after, now);
	return text === undefined ? undefined : {text, tone: after.state === 'crashed' || after.state === 'failed' ? 'error' : 'info'};
}
