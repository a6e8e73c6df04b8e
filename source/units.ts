// Sizes and durations as people read them; durations as config writes them (docs/lifecycle.md#durations-and-exit-codes: `250ms`, `5s`, `1.5s`, `2m`, `1h`, or seconds).
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const UNIT_MS = {ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS} as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(value: string | number): number | undefined {
	if (typeof value === 'number') {
		return Number.isFinite(value) && value >= 0 ? Math.round(value * SECOND_MS) : undefined;
	}

	const match = DURATION.exec(value.trim());
	if (!match) {
		return undefined;
	}

	const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
	return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/** How long something took or will take, short: 180ms, 1.2s, 5s, 3m. */
export function formatDuration(ms: number): string {
	if (ms < SECOND_MS) {
		return `${Math.round(ms)}ms`;
	}

	if (ms < 10 * SECOND_MS) {
		return `${(ms / SECOND_MS).toFixed(1).replace(/\.0$/, '')}s`;
	}

	if (ms < 2 * MINUTE_MS) {
		return `${Math.round(ms / SECOND_MS)}s`;
	}

	if (ms < 2 * HOUR_MS) {
		return `${Math.round(ms / MINUTE_MS)}m`;
	}

	return `${Math.round(ms / HOUR_MS)}h`;
}

/**
 * How long a process has run, the one uptime format of `server status`, `dash --once` and the
 * panels: two fields, floored, `42s`, `3m12s`, `2h05m`, `3d04h`; `-` when unknown. `to: 'minute'`
 * drops the seconds under an hour (`<1m`, `14m`), for a live view that should change once a minute.
 */
export function formatUptime(ms: number | null, to: 'second' | 'minute' = 'second'): string {
	if (ms === null || !Number.isFinite(ms) || ms < 0) {
		return '-';
	}

	if (ms < MINUTE_MS) {
		return to === 'minute' ? '<1m' : `${Math.floor(ms / SECOND_MS)}s`;
	}

	if (ms < HOUR_MS) {
		const minutes = `${Math.floor(ms / MINUTE_MS)}m`;
		return to === 'minute' ? minutes : `${minutes}${String(Math.floor((ms % MINUTE_MS) / SECOND_MS)).padStart(2, '0')}s`;
	}

	if (ms < DAY_MS) {
		return `${Math.floor(ms / HOUR_MS)}h${String(Math.floor((ms % HOUR_MS) / MINUTE_MS)).padStart(2, '0')}m`;
	}

	return `${Math.floor(ms / DAY_MS)}d${String(Math.floor((ms % DAY_MS) / HOUR_MS)).padStart(2, '0')}h`;
}

/** A wait still to come, in whole seconds rounded up (`restarting in 3s`): `0s` only once its time has come. */
export function formatCountdown(ms: number): string {
	return `${Math.max(0, Math.ceil(ms / SECOND_MS))}s`;
}

/** How long ago, coarse: `12s`, `3m`, `5h`, `2d` (docs/supervision.md's `last exit 3 · 12s ago`). */
export function formatAgo(ms: number): string {
	const value = Math.max(0, ms);
	if (value < MINUTE_MS) {
		return `${Math.floor(value / SECOND_MS)}s`;
	}

	if (value < HOUR_MS) {
		return `${Math.floor(value / MINUTE_MS)}m`;
	}

	return value < DAY_MS ? `${Math.floor(value / HOUR_MS)}h` : `${Math.floor(value / DAY_MS)}d`;
}

/** `43.0 MB` (decimal units, as `ps` and `top` users read them); `-` when unknown. */
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

/** The word a count takes: `plural(1, 'restart')` is `restart`, `plural(2, 'process', 'processes')` is `processes`. */
export function plural(count: number, one: string, many = `${one}s`): string {
	return count === 1 ? one : many;
}
