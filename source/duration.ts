// Durations of SPEC 7: `250ms`, `5s`, `1.5s`, `2m`, `1h`, or a bare number of seconds.
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
