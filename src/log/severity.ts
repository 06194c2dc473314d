/** icwmp's log severities (seed 000, `cpe.log_severity`), most severe first. */

/** Severities, most severe first; a logger set to one keeps it and all before it. */
export const LOG_SEVERITIES = [
  "EMERG",
  "ALERT",
  "CRITIC",
  "ERROR",
  "WARNING",
  "NOTICE",
  "INFO",
  "DEBUG",
] as const;

/** One of icwmp's log severities. */
export type LogSeverity = typeof LOG_SEVERITIES[number];

/** Rank of a severity: 0 for EMERG up to 7 for DEBUG. */
export function severityRank(severity: LogSeverity): number {
  return LOG_SEVERITIES.indexOf(severity);
}
