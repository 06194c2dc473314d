/** Masking helpers so that secrets never reach the log. */

/** What a masked secret reads as. */
export const MASK = "********";

/**
 * Masks a secret value: "********" for any non-empty value, "" for empty, so a
 * log can still show whether a password was set.
 *
 * @example
 * ```ts
 * import { maskSecret } from "./mask_secret.ts";
 * console.assert(maskSecret("s3cret") === "********" && maskSecret("") === "");
 * ```
 */
export function maskSecret(value: string | undefined): string {
  return value === undefined || value === "" ? "" : MASK;
}

const DIGEST_SECRETS = new Set(["response", "cnonce", "nonce"]);

/**
 * Masks the credentials of an HTTP `Authorization` (or `WWW-Authenticate`)
 * header value: Basic keeps only the scheme, Digest keeps its fields but masks
 * `response`, `nonce` and `cnonce`.
 *
 * @example
 * ```ts
 * import { maskAuthorization } from "./mask_secret.ts";
 * console.assert(maskAuthorization("Basic dXNlcjpwdw==") === "Basic ********");
 * ```
 */
export function maskAuthorization(header: string): string {
  const match = /^\s*(\S+)\s*(.*)$/s.exec(header);
  if (match === null) return header;
  const [, scheme, rest] = match;
  if (scheme.toLowerCase() !== "digest") return rest === "" ? scheme : `${scheme} ${MASK}`;
  const masked = rest.replace(
    /([A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)/g,
    (field, name: string) => DIGEST_SECRETS.has(name.toLowerCase()) ? `${name}="${MASK}"` : field,
  );
  return `${scheme} ${masked}`;
}

/**
 * Masks the password of a `scheme://user:password@host/…` URL (the user name stays, so
 * the log still tells which account); other URLs are returned unchanged. Text that is not
 * a URL but looks like one with credentials loses them entirely.
 *
 * @example
 * ```ts
 * import { maskUrl } from "./mask_secret.ts";
 * console.assert(maskUrl("http://cpe:pw@acs.example/") === "http://cpe:********@acs.example/");
 * ```
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = MASK;
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}
