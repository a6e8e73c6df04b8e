// Turn engine results into one status-line sentence; pure, so the wording is tested without a stack.
import type {CleanupReport, StartResult, StopResult} from '../engine/types.js';
import {safeText} from '../logs/sanitize.js';

export type Tone = 'info' | 'ok' | 'error';
export type Message = {text: string; tone: Tone};

function cleaned(report: CleanupReport): string {
	const total = report.reduce((n, r) => n + r.pids.length, 0);
	if (total === 0) {
		return '';
	}

	const parts = report.filter((r) => r.pids.length > 0).map((r) => `${r.pids.length} orphaned ${r.component} (pids ${r.pids.join(', ')})`);
	return `; cleaned up ${parts.join(', ')}`;
}

/** `✓ workflow-runner pid 4133 ready in 180ms` or the failure with its log path. */
export function describeStart(result: StartResult): Message {
	if (result.failures.length > 0) {
		const text = result.failures.map((f) => {
			const skipped = f.skipped.length > 0 ? `; not started: ${f.skipped.join(', ')}` : '';
			const tail = f.stderrTail.at(-1);
			const last = tail === undefined ? undefined : safeText(tail, {color: false});
			return `✗ ${f.name}: ${f.reason}${last ? ` — ${last}` : ''}${f.logPath === null ? '' : ` (log: ${f.logPath})`}${skipped}`;
		});
		return {text: `${text.join(' · ')}${cleaned(result.cleaned)}`, tone: 'error'};
	}

	const started = result.started.map((s) => `${s.name} pid ${s.pid} ready in ${s.readyMs}ms`).join(', ');
	return {text: `✓ ${started === '' ? 'nothing to start' : started}${cleaned(result.cleaned)}`, tone: 'ok'};
}

/** `workflow-runner stopped in 120ms`, per component. */
export function describeStop(result: StopResult): Message {
	const parts = result.stopped.map((o) =>
		o.how === 'killed' ? `${o.name} killed after ${o.ms}ms (SIGKILL)` : o.waiting ? `${o.name} stopped (was waiting to restart)` : o.how === 'stopped' ? `${o.name} stopped in ${o.ms}ms` : `${o.name} was not running`,
	);
	return {text: `■ ${parts.length === 0 ? 'nothing to stop' : parts.join(', ')}${cleaned(result.cleaned)}`, tone: 'ok'};
}

/** An exception from the engine, as one line. */
export function describeError(verb: string, error: unknown): Message {
	const text = error instanceof Error ? error.message : String(error);
	return {text: `✗ ${verb} failed: ${text.split('\n')[0]}`, tone: 'error'};
}
