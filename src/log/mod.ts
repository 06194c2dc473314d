/**
 * Logging in icwmp's format (`24-12-2019, 10:21:18 [INFO] Start session`) to
 * stderr and a rotating file, plus helpers that keep secrets out of logs.
 *
 * @example
 * ```ts
 * import { createLogger, maskSecret } from "./mod.ts";
 * const log = createLogger({ severity: "NOTICE", console: true, writeConsole: () => {} });
 * log.notice(`ACS password: ${maskSecret("s3cret")}`);
 * ```
 *
 * @module
 */

export {
  createLogger,
  type Logger,
  type LoggerOptions,
  type LogMessage,
  RECENT_LINES,
} from "./logger.ts";
export { type Admission, LogThrottle, type LogThrottleOptions } from "./log_throttle.ts";
export { formatLine } from "./format_line.ts";
export { RotatingFile, type RotatingFileOptions } from "./rotating_file.ts";
export { MASK, maskAuthorization, maskSecret, maskUrl } from "./mask_secret.ts";
export { LOG_SEVERITIES, type LogSeverity, severityRank } from "./severity.ts";
