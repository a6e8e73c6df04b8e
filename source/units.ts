// Sizes and durations as people read them; durations as config writes them (SPEC 7: `250ms`, `5s`, `1.5s`, `2m`, `1h`, or seconds).
const UNIT_MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(value: string | number): number | undefined {
	if (typeof value === 'number') {
		return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
	}

	const match = DURATION.exec(value.trim());
	if (!match) {
		return undefined;
	}

	const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
	return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/** A short human form: 180ms, 1.2s, 5s, 3m. */
export function formatDuration(ms: number): string {
	if (ms < 1000) {
		return `${Math.round(ms)}ms`;
	}

	if (ms < 10_000) {
		return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
	}

	if (ms < 120_000) {
		return `${Math.round(ms / 1000)}s`;
	}

	if (ms < 7_200_000) {
		return `${Math.round(ms / 60_000)}m`;
	}

	return `${Math.round(ms / 3_600_000)}h`;
}

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
