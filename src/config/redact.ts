/** redactConfig(): an AgentConfig that is safe to print or log. */

import type { AgentConfig } from "./schema.ts";

/** What a redacted secret reads as. */
export const REDACTED = "********";

/** Masks the password in `scheme://user:password@host` URLs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = REDACTED;
    return parsed.href;
  } catch {
    return url;
  }
}

const hide = (secret: string): string => secret === "" ? "" : REDACTED;

/**
 * Returns a copy of `config` with every password replaced by "********" (empty
 * passwords stay empty, so "no password" remains visible) and passwords in
 * URLs masked. Use it for check-config output and debug logs.
 *
 * @example
 * ```ts
 * import { defaultConfig, redactConfig } from "./mod.ts";
 * const cfg = defaultConfig();
 * const shown = redactConfig({ ...cfg, acs: { ...cfg.acs, password: "s3cret" } });
 * console.assert(shown.acs.password === "********");
 * ```
 */
export function redactConfig(config: AgentConfig): AgentConfig {
  return {
    ...config,
    acs: {
      ...config.acs,
      url: redactUrl(config.acs.url),
      dhcpUrl: redactUrl(config.acs.dhcpUrl),
      password: hide(config.acs.password),
    },
    connectionRequest: {
      ...config.connectionRequest,
      url: redactUrl(config.connectionRequest.url),
      password: hide(config.connectionRequest.password),
    },
  };
}
