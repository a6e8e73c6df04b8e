// `stigmer server status [--json]` (docs/lifecycle.md#status): parse → engine.status → print; exit 0 healthy, 3 not.
import {status} from '../engine/index.js';
import type {ComponentStatus, StatusReport} from '../engine/types.js';
import {formatBytes, formatUptime, plural} from '../units.js';
import {countdownText, lastExitAgo} from '../messages.js';
import {BADGES} from '../state-badges.js';
import {EXIT, UsageError} from '../errors.js';
import {itemAt} from '../item-at.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';
import {colors, printWarnings, reportJson, warnOnConfigFallback} from './output.js';
import type {Palette} from '../colors.js';

const HELP = `
	Usage: stigmer server status [--json]

	What runs in this home: state, pid, uptime, CPU, memory of the process group,
	readiness, where it answers (its URL or address), restarts and last exit, and
	orphaned processes per component.

	Options
	  --json       one JSON object (every field documented in docs/json.md)
	  --no-color   plain output (also NO_COLOR)

	Exit codes: 0 every enabled component is running and ready · 3 something is not
	· 1 error · 2 usage (an unknown flag or an argument)
`;

/** Print status; 0 when healthy, 3 otherwise. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {json: {type: 'boolean', default: false}, color: {type: 'boolean', default: true}});
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}": \`server status\` shows every component (see --help)`);
	}

	warnOnConfigFallback();
	const report = await status(resolveHome());
	printWarnings(report);
	process.stdout.write(cli.flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : statusTable(report, colors(!cli.flags.color)));
	return report.healthy ? EXIT.ok : EXIT.notRunning;
}

/** The human table of a status report, one row per component plus reasons and orphans; `now` dates the last exits and countdowns. */
export function statusTable(report: StatusReport, c: Palette, now = Date.now()): string {
	const header = ['COMPONENT', 'STATE', 'PID', 'UPTIME', 'CPU', 'MEMORY', 'READY', 'ADDRESS', 'RESTARTS', 'LAST EXIT', 'ORPHANS'];
	const rows = report.components.map((s) => [
		s.name,
		s.state,
		s.pid === null ? '-' : String(s.pid),
		formatUptime(s.uptimeMs),
		s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(1)}%`,
		s.rssBytes === null ? '-' : formatBytes(s.rssBytes),
		s.state === 'running' || s.state === 'starting' ? (s.ready ? 'yes' : 'no') : '-',
		s.address ?? '-',
		String(s.restarts),
		lastExitAgo(s.lastExit, now) ?? '-',
		s.orphans.length === 0 ? '-' : s.orphans.map((o) => o.pid).join(','),
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
	const line = (cells: string[], paint = (cell: string, _i: number) => cell) =>
		cells.map((cell, i) => paint(cell.padEnd(widths[i] ?? 0), i)).join('  ').trimEnd();
	const out = [c.bold(line(header))];
	for (const [index, s] of report.components.entries()) {
		out.push(line(itemAt(rows, index), (cell, i) => (i === 1 ? c[BADGES[s.state].color](cell) : cell)));
	}

	// Exported to systemd (docs/engines.md): who runs the stack, before anything else is said of it.
	const notes = [...(report.target === undefined ? [] : [`engine: systemd (${report.target})`]), ...report.components.flatMap((s) => noteFor(s, now))];
	return `${[...out, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}\n`;
}

function noteFor(s: ComponentStatus, now: number): string[] {
	const notes: string[] = [];
	if (s.reason !== null) {
		const countdown = countdownText(s, now);
		notes.push(`${s.name}: ${s.state} (${s.reason}${countdown === undefined ? '' : `; ${countdown}`})`);
	}

	if (s.orphans.length > 0) {
		const n = s.orphans.length;
		notes.push(`${s.name}: ${n} orphaned ${plural(n, 'process', 'processes')} (${plural(n, 'pid')} ${s.orphans.map((o) => o.pid).join(', ')}); \`stigmer server start\` cleans ${plural(n, 'it', 'them')} up`);
	}

	if (s.strangers.length > 0) {
		const n = s.strangers.length;
		notes.push(`${s.name}: ${plural(n, 'pid')} ${s.strangers.map((o) => o.pid).join(', ')} in its old process group ${plural(n, 'carries', 'carry')} no stigmer marker: not ours, left alone (check with \`ps -o pid,args -p ${s.strangers.map((o) => o.pid).join(',')}\`)`);
	}

	return notes;
}
