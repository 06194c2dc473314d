/**
 * Private tokenizer for HTTP authentication headers (RFC 7235 §2.1, §4.1):
 * `WWW-Authenticate` may hold several challenges, each a scheme followed by
 * either a token68 or comma-separated `name=value` pairs whose values are a
 * token or a quoted-string. A `Headers` object joins repeated
 * `WWW-Authenticate` lines with ", ", so this parser must find where one
 * challenge ends and the next begins: a token that is not followed by `=` starts
 * a new challenge.
 *
 * @module
 */

/** One challenge or credentials: a scheme and its parameters (names lower-cased). */
export interface AuthChallenge {
  /** The scheme as sent, e.g. `Digest`; compare it case-insensitively. */
  scheme: string;
  /** Parameters by lower-cased name; quoted values unquoted. */
  params: Record<string, string>;
  /** A token68 (e.g. Basic credentials) when the scheme carries one instead of parameters. */
  token68?: string;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
// Unquoted values: a token in the grammar, but tolerate anything up to "," or space.
const BARE = /[^,\s"]*/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

/** Parses every challenge (or the credentials) in an authentication header value. */
export function parseAuthHeader(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < value.length && chars.includes(value[i])) i++;
  };
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(value);
    if (!m) return undefined;
    i = re.lastIndex;
    return m[0];
  };
  while (i < value.length) {
    skip(" \t,");
    const scheme = match(TOKEN);
    if (scheme === undefined) {
      if (i < value.length) {
        throw new SyntaxError(`Cannot parse auth header: unexpected "${value[i]}"`);
      }
      break;
    }
    const challenge: AuthChallenge = { scheme, params: {} };
    out.push(challenge);
    skip(" \t");
    // token68: only if what follows is not a name=value pair.
    const start = i;
    const t68 = match(TOKEN68);
    if (t68 !== undefined) {
      skip(" \t");
      if (i >= value.length || value[i] === ",") {
        challenge.token68 = t68;
        continue;
      }
      i = start;
    }
    for (;;) {
      skip(" \t,");
      const before = i;
      const name = match(TOKEN);
      if (name === undefined) break;
      skip(" \t");
      if (value[i] !== "=") {
        i = before; // a new challenge starts here
        break;
      }
      i++;
      skip(" \t");
      challenge.params[name.toLowerCase()] = value[i] === '"' ? readQuoted() : match(BARE) ?? "";
    }
  }
  return out;

  function readQuoted(): string {
    let s = "";
    i++; // opening quote
    while (i < value.length && value[i] !== '"') {
      if (value[i] === "\\" && i + 1 < value.length) i++;
      s += value[i++];
    }
    if (i >= value.length) {
      throw new SyntaxError("Cannot parse auth header: unterminated quoted string");
    }
    i++; // closing quote
    return s;
  }
}

/** Quotes a value as an HTTP quoted-string (RFC 7230 §3.2.6). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => "\\" + c)}"`;
}
