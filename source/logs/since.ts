// `--since`: a duration back from now (`10m`) or a point in time (docs/logs.md, docs/lifecycle.md#durations-and-exit-codes).
import {DAY_MS, parseDuration} from '../units.js';
import {EXIT, FactError} from '../errors.js';
import {parseLine} from './parse.js';

const DATE_TIME_NO_SECONDS = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)$/;
const DATE_ONLY = /^(\d{4})-(\d\d)-(\d\d)$/;
/** The calendar date a date form starts with: checked, since Date rolls 2026-13-45 over into 2027 without a word. */
const LEADING_DATE = /^(\d{4})-(\d\d)-(\d\d)/;
const CLOCK = /^(\d\d?):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?$/;

/** Epoch ms of a `--since` value; throws a FactError (exit 2; messages.ts names the accepted forms). */
export function parseSince(value: string, now = Date.now()): number {
	const text = value.trim();
	const duration = parseDuration(text);
	if (duration !== undefined) {
		return now - duration;
	}

	const date = LEADING_DATE.exec(text);
	if (date && !isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
		throw new FactError({kind: 'since-not-a-date', value, date: date[0]}, EXIT.usage);
	}

	const parsed = parseLine(text).time;
	if (parsed !== null) {
		return parsed;
	}

	let m = DATE_TIME_NO_SECONDS.exec(text);
	if (m && Number(m[4]) < 24 && Number(m[5]) < 60) {
		return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])).getTime();
	}

	m = DATE_ONLY.exec(text);
	if (m) {
		return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
	}

	m = CLOCK.exec(text);
	if (m && Number(m[1]) < 24 && Number(m[2]) < 60) {
		// A clock time is today's, or yesterday's when today's is still ahead.
		const d = new Date(now);
		d.setHours(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), Number((m[4] ?? '0').padEnd(3, '0')));
		return d.getTime() > now ? d.getTime() - DAY_MS : d.getTime();
	}

	throw new FactError({kind: 'since-unparsed', value}, EXIT.usage);
}

/** Whether year-month-day names a day of the calendar (2026-02-29 does not). */
function isCalendarDate(year: number, month: number, day: number): boolean {
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
