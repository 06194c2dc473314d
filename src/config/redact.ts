/** redactConfig(): an AgentConfig that is safe to print or log. */

import { maskUrl } from "../log/mask_secret.ts";
import type { AgentConfig } from "./schema.ts";

/** What a redacted secret reads as. */
export const REDACTED = "********";

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
      url: maskUrl(config.acs.url),
      dhcpUrl: maskUrl(config.acs.dhcpUrl),
      password: hide(config.acs.password),
    },
    stun: { ...config.stun, password: hide(config.stun.password) },
    xmpp: { ...config.xmpp, password: hide(config.xmpp.password) },
    connectionRequest: {
      ...config.connectionRequest,
      url: maskUrl(config.connectionRequest.url),
      password: hide(config.connectionRequest.password),
    },
  };
}
