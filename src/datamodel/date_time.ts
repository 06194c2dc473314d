/**
 * TR-106 dateTime syntax (TR-106 Amd 11 §3.2.1, CWMP-FACTS §5.2): an XML Schema
 * dateTime, UTC when no zone is given; `Z`, `+hh:mm` or `-hh:mm` allowed; fractional
 * seconds allowed. Unknown Time is `0001-01-01T00:00:00Z`, Infinite Time
 * `9999-12-31T23:59:59Z`; a year below 1000 with no zone is a time relative to boot.
 *
 * @module
 */

/** TR-106 Unknown Time. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

/**
 * `ms` since the epoch as a TR-106 dateTime in UTC, whole seconds (what GenieACS and most
 * CPEs send).
 *
 * @example
 * ```ts
 * import { formatDateTime } from "./date_time.ts";
 * formatDateTime(Date.UTC(2026, 0, 1, 12, 0, 0, 250)); // "2026-01-01T12:00:00Z"
 * ```
 */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `text` is a valid TR-106 dateTime, checking every field's range
 * (including leap years; a leap second `:60` is not accepted).
 *
 * @example
 * ```ts
 * import { isDateTime } from "./date_time.ts";
 * isDateTime("0001-01-01T00:00:00Z"); // true (Unknown Time)
 * isDateTime("2024-02-30T00:00:00Z"); // false
 * ```
 */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS[month - 1])) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59)) return false;
  return true;
}
