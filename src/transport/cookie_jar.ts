/**
 * A cookie jar with the RFC 6265 rules ACSs rely on for session tracking
 * (TR-069 §3.4.2: the CPE must return cookies on later requests of the
 * session; hold several, ≥512 bytes). Owns: Set-Cookie parsing (§5.2),
 * storage with host-only vs domain cookies, default-path, replacement by
 * (name, domain, path) and deletion by expiry (§5.3), and the Cookie header
 * (§5.4: path- and domain-match, Secure only over https, longer paths first).
 * Pure: every call takes `now` (ms since the epoch). No public-suffix list:
 * a Domain attribute without a dot (e.g. `com`) is refused unless it is the
 * request host itself.
 *
 * @module
 */

/** One stored cookie (RFC 6265 §5.3 storage model, minus unused fields). */
export interface Cookie {
  name: string;
  value: string;
  /** Lower-case domain, no leading dot. */
  domain: string;
  hostOnly: boolean;
  path: string;
  /** Expiry in ms since the epoch; undefined = session cookie. */
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
  created: number;
}

/** Options of {@linkcode CookieJar}. */
export interface CookieJarOptions {
  /** Most cookies kept; the oldest is evicted beyond it. 50 by default. */
  maxCookies?: number;
}

/** Stores cookies from responses and builds the Cookie header for requests. */
export class CookieJar {
  #cookies: Cookie[] = [];
  #max: number;

  /** Creates an empty jar. */
  constructor(options: CookieJarOptions = {}) {
    this.#max = options.maxCookies ?? 50;
  }

  /** Number of stored cookies that have not expired at `now`. */
  count(now: number): number {
    return this.#cookies.filter((c) => !expired(c, now)).length;
  }

  /** All unexpired cookies (copies), for inspection. */
  cookies(now: number): Cookie[] {
    return this.#cookies.filter((c) => !expired(c, now)).map((c) => ({ ...c }));
  }

  /** Applies every `Set-Cookie` value of a response to `url`. */
  setCookies(setCookies: Iterable<string>, url: URL | string, now: number): void {
    for (const header of setCookies) this.setCookie(header, url, now);
  }

  /** Applies one `Set-Cookie` value received from `url`; ignores it if invalid. */
  setCookie(setCookie: string, url: URL | string, now: number): void {
    const u = typeof url === "string" ? new URL(url) : url;
    const host = canonicalHost(u);
    const parsed = parseSetCookie(setCookie, now);
    if (!parsed) return;
    let domain = host;
    let hostOnly = true;
    if (parsed.domain !== undefined) {
      if (parsed.domain !== host) {
        if (!domainMatch(host, parsed.domain) || !parsed.domain.includes(".")) return;
      }
      domain = parsed.domain;
      hostOnly = false;
    }
    if (parsed.secure && u.protocol !== "https:") return; // RFC 6265bis §5.6 step 8
    const cookie: Cookie = {
      name: parsed.name,
      value: parsed.value,
      domain,
      hostOnly,
      path: parsed.path ?? defaultPath(u.pathname),
      expires: parsed.expires,
      secure: parsed.secure,
      httpOnly: parsed.httpOnly,
      created: now,
    };
    const i = this.#cookies.findIndex((c) =>
      c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path
    );
    if (i >= 0) {
      cookie.created = this.#cookies[i].created;
      this.#cookies.splice(i, 1);
    }
    if (expired(cookie, now)) return; // Max-Age=0 or a past Expires deletes
    this.#cookies.push(cookie);
    this.#cookies = this.#cookies.filter((c) => !expired(c, now));
    while (this.#cookies.length > this.#max) this.#cookies.shift();
  }

  /** The `Cookie` header value for a request to `url`, or undefined if no cookie applies. */
  cookieHeader(url: URL | string, now: number): string | undefined {
    const u = typeof url === "string" ? new URL(url) : url;
    const host = canonicalHost(u);
    const secure = u.protocol === "https:";
    const matching = this.#cookies.filter((c) =>
      !expired(c, now) &&
      (c.hostOnly ? c.domain === host : domainMatch(host, c.domain)) &&
      pathMatch(u.pathname || "/", c.path) &&
      (!c.secure || secure)
    );
    if (matching.length === 0) return undefined;
    matching.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    return matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /** Removes every cookie. */
  clear(): void {
    this.#cookies = [];
  }
}

interface ParsedSetCookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
}

/** RFC 6265 §5.2. Returns undefined for a value the jar must ignore. */
function parseSetCookie(header: string, now: number): ParsedSetCookie | undefined {
  const [pair, ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === "") return undefined;
  const out: ParsedSetCookie = { name, value, secure: false, httpOnly: false };
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : attr.slice(i + 1).trim();
    switch (key) {
      case "expires": {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
        break;
      }
      case "max-age":
        if (/^-?\d+$/.test(val)) {
          const seconds = Number(val);
          maxAge = seconds <= 0 ? -Infinity : now + seconds * 1000;
        }
        break;
      case "domain": {
        const d = val.replace(/^\./, "").toLowerCase();
        if (d !== "") out.domain = d;
        break;
      }
      case "path":
        out.path = val.startsWith("/") ? val : undefined;
        break;
      case "secure":
        out.secure = true;
        break;
      case "httponly":
        out.httpOnly = true;
        break;
    }
  }
  out.expires = maxAge ?? expires; // Max-Age wins over Expires (§5.3 step 3)
  return out;
}

function expired(c: Cookie, now: number): boolean {
  return c.expires !== undefined && c.expires <= now;
}

function canonicalHost(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

function isIpAddress(host: string): boolean {
  return host.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** RFC 6265 §5.1.3. */
function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !isIpAddress(host) && host.endsWith("." + domain);
}

/** RFC 6265 §5.1.4 default-path. */
function defaultPath(uriPath: string): string {
  if (!uriPath.startsWith("/")) return "/";
  const last = uriPath.lastIndexOf("/");
  return last === 0 ? "/" : uriPath.slice(0, last);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}
