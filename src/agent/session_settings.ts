/**
 * Small pure helpers of the agent loop: the engine's settings from the stored
 * ManagementServer settings, and log-safe texts.
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
import type { SessionSettings } from "../session/mod.ts";
import type { StoredSettings } from "./settings_store.ts";

/** Maps the stored ManagementServer settings onto the engine's settings. */
export function sessionSettingsOf(
  settings: StoredSettings,
  config: AgentConfig,
): SessionSettings {
  const ms = absoluteTime(settings.periodicInformTime);
  const heartbeatAt = absoluteTime(settings.heartbeatInitiationTime);
  return {
    acsUrl: settings.url,
    enableCwmp: settings.enableCwmp,
    cwmpVersion: config.cpe.cwmpVersion,
    periodicInformEnable: settings.periodicInformEnable,
    periodicInformInterval: Math.max(1, settings.periodicInformInterval),
    periodicInformTime: ms,
    retryMinimumWaitInterval: settings.cwmpRetryMinimumWaitInterval,
    retryIntervalMultiplier: settings.cwmpRetryIntervalMultiplier,
    sessionTimeoutSeconds: 600,
    informSessionTimeout: config.cpe.sessionTimeout,
    heartbeatEnable: settings.heartbeatEnable,
    heartbeatInterval: Math.max(30, settings.heartbeatReportingInterval),
    heartbeatInitiationTime: heartbeatAt,
  };
}

/** A dateTime as ms; undefined for Unknown Time and relative times (year < 1000, TR-106). */
function absoluteTime(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).getUTCFullYear() >= 1000 ? ms : undefined;
}

/** An error as log text (stack when there is one). */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
