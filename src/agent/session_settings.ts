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
  const ms = Date.parse(settings.periodicInformTime);
  // Unknown Time and relative times (year < 1000, TR-106) give no absolute phase.
  const absolute = Number.isFinite(ms) && new Date(ms).getUTCFullYear() >= 1000;
  return {
    acsUrl: settings.url,
    enableCwmp: settings.enableCwmp,
    cwmpVersion: config.cpe.cwmpVersion,
    periodicInformEnable: settings.periodicInformEnable,
    periodicInformInterval: Math.max(1, settings.periodicInformInterval),
    periodicInformTime: absolute ? ms : undefined,
    retryMinimumWaitInterval: settings.cwmpRetryMinimumWaitInterval,
    retryIntervalMultiplier: settings.cwmpRetryIntervalMultiplier,
    sessionTimeoutSeconds: 600,
    informSessionTimeout: config.cpe.sessionTimeout,
  };
}

/** An error as log text (stack when there is one). */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
