// The dashboard as plain text, for `stigmer dash --once` (commands/dash.ts prints it): the panels and the
// last merged log lines. Pure; no Ink or React here: this path must start as fast as `status`.
import type {Palette} from '../colors.js';
import type {ComponentStatus, StatusReport} from '../engine/types.js';
// The log engine's format module, not its index: the index also loads the follower.
import {formatLine} from '../logs/format-line.js';
import type {LogLine} from '../logs/lines.js';
import {readableLine} from '../logs/readable.js';
import {safeText} from '../logs/sanitize.js';
import {formatBytes, formatUptime, plural} from '../units.js';
import {countdownText, lastErrorText, lastExitText} from '../messages.js';
import {cutUnits} from './cut-units.js';
import {formatCpu, formatReady} from './format-panel.js';
import {BADGES} from '../state-badges.js';
import {isErrorLine} from './theme.js';

/** A last error line is cut here: plain text, not cut to a terminal's width, but not a whole stack trace either. */
const LAST_ERROR_UNITS = 199;

/** The plain-text snapshot: a header, one block per component, then the log lines. */
export function renderOnce(report: StatusReport, scanned: readonly LogLine[], shown: readonly LogLine[], c: Palette, color: boolean, now = Date.now()): string {
	const lastError = new Map<string, string>();
	for (const line of scanned) {
		if (isErrorLine(line)) {
			lastError.set(line.component, safeText(readableLine(line.text), {color: false}));
		}
	}

	const width = Math.max(...report.components.map((x) => x.name.length), 9);
	const engine = report.target === undefined ? '' : `  ${c.cyan(`engine: systemd (${report.target})`)}`;
	const out = [`${c.bold('stigmer')} ${report.home}  ${report.healthy ? c.green('● healthy') : c.yellow('○ not healthy')}${engine}`, ''];
	for (const comp of report.components) {
		out.push(...panelText(comp, width, lastError.get(comp.name), c, now));
	}

	out.push('', c.gray(`── last ${shown.length} log ${plural(shown.length, 'line')} (all components, merged by time)`));
	if (shown.length === 0) {
		out.push(c.gray('no log lines yet'));
	}

	for (const line of shown) {
		out.push(formatLine(line, {color}));
	}

	return `${out.join('\n')}\n`;
}

/** One component: `● stigmer-server  running  pid 4121  up 2m13s  cpu 0.1%  mem 43.0 MB  ready  http://127.0.0.1:7234  restarts 1  last exit 3 · 12s ago  orphans 0`. */
function panelText(s: ComponentStatus, width: number, lastError: string | undefined, c: Palette, now: number): string[] {
	const badge = BADGES[s.state];
	// Without a process there is nothing to measure: words, not a row of bare dashes (docs/dashboard.md).
	const measured = s.pid === null ? ['no process'] : [`pid ${s.pid}`, `up ${formatUptime(s.uptimeMs)}`, `cpu ${formatCpu(s.cpuPercent)}`, `mem ${formatBytes(s.rssBytes)}`];
	const fields = [
		...measured,
		formatReady(s),
		// Where it answers, whole (`http://127.0.0.1:7234`), as `server start` and `status` say it.
		s.address === null || s.state === 'disabled' ? null : s.address,
		`restarts ${s.restarts}`,
		lastExitText(s, now) ?? null,
		`orphans ${s.orphans.length}${s.orphans.length > 0 ? ` (pids ${s.orphans.map((o) => o.pid).join(', ')})` : ''}`,
	].filter((f): f is string => f !== null);
	const lines = [`${c[badge.color](badge.symbol)} ${c.bold(s.name.padEnd(width))}  ${c[badge.color](s.state.padEnd(8))}  ${fields.join('  ')}`];
	const countdown = countdownText(s, now);
	if (countdown !== undefined) {
		lines.push(`  ${' '.repeat(width)}  ${c.yellow(s.reason === null ? countdown : `${countdown} (${s.reason})`)}`);
	} else if (s.reason !== null) {
		lines.push(`  ${' '.repeat(width)}  ${s.state === 'crashed' || s.state === 'failed' ? c.red(s.reason) : c.gray(s.reason)}`);
	}

	if (lastError !== undefined) {
		const text = lastErrorText(lastError);
		lines.push(`  ${' '.repeat(width)}  ${c.red(cutUnits(text, LAST_ERROR_UNITS))}`);
	}

	return lines;
}
