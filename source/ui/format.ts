// Pure text helpers for panels, shared by the Ink view and the plain-text `--once` output.
import type {ComponentStatus} from '../engine/types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `42s`, `3m12s`, `2h05m`, `3d04h`; `-` when unknown. */
export function formatUptime(ms: number | null): string {
	if (ms === null || !Number.isFinite(ms) || ms < 0) {
		return '-';
	}

	if (ms < MINUTE) {
		return `${Math.floor(ms / SECOND)}s`;
	}

	if (ms < HOUR) {
		return `${Math.floor(ms / MINUTE)}m${String(Math.floor((ms % MINUTE) / SECOND)).padStart(2, '0')}s`;
	}

	if (ms < DAY) {
		return `${Math.floor(ms / HOUR)}h${String(Math.floor((ms % HOUR) / MINUTE)).padStart(2, '0')}m`;
	}

	return `${Math.floor(ms / DAY)}d${String(Math.floor((ms % DAY) / HOUR)).padStart(2, '0')}h`;
}

/**
 * Uptime as a panel shows it, to the minute: `<1m`, `14m`, `2h05m`, `3d04h`. Panels refresh every
 * second, and Ink repaints the whole screen for any change (~30 ms of CPU at 160×45): a seconds field
 * would cost ~3 % of a core all day long; to the minute it costs one repaint a minute.
 */
export function formatPanelUptime(ms: number | null): string {
	if (ms !== null && Number.isFinite(ms) && ms >= 0 && ms < HOUR) {
		return ms < MINUTE ? '<1m' : `${Math.floor(ms / MINUTE)}m`;
	}

	return formatUptime(ms);
}

/** `43.0 MB` (decimal units, as `ps` users read them); `-` when unknown. */
export function formatBytes(bytes: number | null): string {
	if (bytes === null || !Number.isFinite(bytes)) {
		return '-';
	}

	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}

	return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `0.1%`; `-` when unknown. */
export function formatCpu(percent: number | null): string {
	return percent === null || !Number.isFinite(percent) ? '-' : `${percent.toFixed(1)}%`;
}

/**
 * CPU as a panel shows it, in whole percent: sampled each second from 10 ms clock ticks, the value is
 * only good to ~1 %, and a decimal would flicker (and repaint the screen) on timing jitter alone.
 */
export function formatPanelCpu(percent: number | null): string {
	return percent === null || !Number.isFinite(percent) ? '-' : `${Math.round(percent)}%`;
}

/** Memory as a panel shows it: whole megabytes under a gigabyte (`43 MB`), else as `formatBytes`; a tenth of a MB moves with every GC. */
export function formatPanelBytes(bytes: number | null): string {
	return bytes !== null && Number.isFinite(bytes) && bytes >= 1e6 && bytes < 1e9 ? `${Math.round(bytes / 1e6)} MB` : formatBytes(bytes);
}

/** `HH:MM:SS.mmm` in local time, as `server logs` prints it (SPEC 5). */
export function formatClock(ms: number): string {
	const d = new Date(ms);
	const p = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Readiness as a word: a stopped component is neither ready nor waiting. */
export function formatReady(c: Pick<ComponentStatus, 'state' | 'ready'>): string {
	if (c.state === 'running' || c.state === 'starting') {
		return c.ready ? 'ready' : 'not ready';
	}

	return '-';
}

/** How long ago, coarse: `12s`, `3m`, `5h`, `2d` (SPEC 4.8's `last exit 3 · 12s ago`). */
export function formatAgo(ms: number): string {
	const value = Math.max(0, ms);
	if (value < MINUTE) {
		return `${Math.floor(value / SECOND)}s`;
	}

	if (value < HOUR) {
		return `${Math.floor(value / MINUTE)}m`;
	}

	return value < DAY ? `${Math.floor(value / HOUR)}h` : `${Math.floor(value / DAY)}d`;
}

/** `last exit 3 · 12s ago`, `last exit SIGKILL · 3m ago`; undefined when it never exited by itself since its start. */
export function lastExitText(c: Pick<ComponentStatus, 'lastExit'>, now: number): string | undefined {
	if (c.lastExit === null) {
		return undefined;
	}

	return `last exit ${c.lastExit.code ?? c.lastExit.signal ?? '?'} · ${formatAgo(now - Date.parse(c.lastExit.at))} ago`;
}

/** In backoff: `restarting in 3s` (whole seconds, rounded up); undefined otherwise. */
export function countdownText(c: Pick<ComponentStatus, 'state' | 'nextRestartAt'>, now: number): string | undefined {
	if (c.state !== 'backoff' || c.nextRestartAt === null) {
		return undefined;
	}

	return `restarting in ${Math.max(0, Math.ceil((Date.parse(c.nextRestartAt) - now) / SECOND))}s`;
}
