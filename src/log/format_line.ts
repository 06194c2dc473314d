/** formatLine(): one log line in icwmp's format. */

import type { LogSeverity } from "./severity.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Formats a log line as icwmp does, in local time, with a trailing newline.
 *
 * @example
 * ```ts
 * import { formatLine } from "./format_line.ts";
 * const line = formatLine(new Date(2019, 11, 24, 10, 21, 18), "INFO", "Start session");
 * console.assert(line === "24-12-2019, 10:21:18 [INFO] Start session\n");
 * ```
 */
export function formatLine(time: Date, severity: LogSeverity, message: string): string {
  const date = `${pad(time.getDate())}-${pad(time.getMonth() + 1)}-${time.getFullYear()}`;
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  return `${date}, ${clock} [${severity}] ${message}\n`;
}
