// Pure text helpers for panels, shared by the Ink view and the plain-text `--once` output.
import type {ComponentStatus} from '../engine/types.js';
import {formatBytes, formatUptime} from '../units.js';

/**
 * Uptime as a panel shows it, to the minute: `<1m`, `14m`, `2h05m`, `3d04h`. Panels refresh every
 * second, and Ink repaints the whole screen for any change (~30 ms of CPU at 160×45): a seconds field
 * would cost ~3 % of a core all day long; to the minute it costs one repaint a minute.
 */
export function formatPanelUptime(ms: number | null): string {
	return ms === null ? UNKNOWN : formatUptime(ms, 'minute');
}

/** What a panel shows for a number it does not know (no process): a dash that reads as "none", never a bare `-`. */
export const UNKNOWN = '—';

/** `0.1%`; `-` when unknown. */
export function formatCpu(percent: number | null): string {
	return percent === null || !Number.isFinite(percent) ? '-' : `${percent.toFixed(1)}%`;
}

/**
 * CPU as a panel shows it, in whole percent: sampled each second from 10 ms clock ticks, the value is
 * only good to ~1 %, and a decimal would flicker (and repaint the screen) on timing jitter alone.
 */
export function formatPanelCpu(percent: number | null): string {
	return percent === null || !Number.isFinite(percent) ? UNKNOWN : `${Math.round(percent)}%`;
}

/** Memory as a panel shows it: whole megabytes under a gigabyte (`43 MB`), else as `formatBytes`; a tenth of a MB moves with every GC. */
export function formatPanelBytes(bytes: number | null): string {
	if (bytes === null || !Number.isFinite(bytes)) {
		return UNKNOWN;
	}

	return bytes >= 1e6 && bytes < 1e9 ? `${Math.round(bytes / 1e6)} MB` : formatBytes(bytes);
}

/** Readiness as words: only a live process can be ready. */
export function formatReady(c: Pick<ComponentStatus, 'state' | 'ready'>): string {
	return (c.state === 'running' || c.state === 'starting') && c.ready ? 'ready' : 'not ready';
}

/** A loopback host before the port (`http://127.0.0.1:7234`, `127.0.0.1:6390`): a panel says `:7234`, which is this machine. */
const LOOPBACK = /^(?:http:\/\/)?(?:127\.0\.0\.1|localhost|\[::1\])(?=:\d+$)/;

/**
 * Where a component answers, for every layout: its status `address` (config/address.ts: its `port`, or its readiness
 * probe's URL or tcp port), `:7234` on this machine, any other address whole; '' without one or when disabled.
 */
export function formatAddress(c: Pick<ComponentStatus, 'state' | 'address'>): string {
	return c.address === null || c.state === 'disabled' ? '' : c.address.replace(LOOPBACK, '');
}

/** The process line of a panel: `pid 4121 · up 2m`, or `no process`. */
export function formatProcess(c: Pick<ComponentStatus, 'pid' | 'uptimeMs'>): string {
	return c.pid === null ? 'no process' : `pid ${c.pid} · up ${formatPanelUptime(c.uptimeMs)}`;
}
