/**
 * A small HTTP/1.x listener for the connection-request app, used instead of `Deno.serve`
 * because `Deno.serve` has no header timeout and no connection limit: a client that
 * sends its headers byte by byte and never finishes keeps its socket forever, and
 * enough of them exhaust the agent's file descriptors (slowloris).
 *
 * One request per connection, then `Connection: close`. Limits:
 * - `headerTimeoutMs`: the whole request head must arrive, and the response leave, in
 *   this time (default 10 s); then the socket is closed.
 * - `maxConnections` (default 32): at the limit, the oldest connection is closed to
 *   make room, so idle sockets cannot lock out a fresh client (the ACS).
 * - `maxHeaderBytes` (default 8 KiB): a longer head gets 431.
 * A request body is never read; a malformed head gets 400.
 *
 * @module
 */

/** Options of {@linkcode serveConnectionRequests}. */
export interface CrListenerOptions {
  hostname: string;
  port: number;
  /** Time for the request head to arrive and the response to leave; 10 s by default. */
  headerTimeoutMs?: number;
  /** Connections open at once; at the limit the oldest is closed. 32 by default. */
  maxConnections?: number;
  /** Largest request head (request line and headers); 8 KiB by default. */
  maxHeaderBytes?: number;
}

/** A running listener. */
export interface CrListener {
  readonly addr: Deno.NetAddr;
  /** Connections currently open. */
  readonly connections: number;
  /** Stops listening and closes every connection. */
  shutdown(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Listens on `options.hostname`:`options.port` and answers each request with `handler`. */
export function serveConnectionRequests(
  options: CrListenerOptions,
  handler: (request: Request) => Response | Promise<Response>,
): CrListener {
  const timeoutMs = options.headerTimeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 32;
  const maxHeader = options.maxHeaderBytes ?? 8192;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  const open = new Set<Deno.Conn>(); // insertion order: oldest first
  const tasks = new Set<Promise<void>>();
  const close = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch { /* closed */ }
  };

  const serve = async (conn: Deno.Conn) => {
    const timer = setTimeout(() => close(conn), timeoutMs);
    try {
      const head = await readHead(conn, maxHeader);
      const response = head === "tooLarge"
        ? new Response(null, { status: 431 })
        : head === undefined
        ? undefined
        : await respond(head, addr, handler);
      if (response !== undefined) await write(conn, response, head !== "tooLarge" && head?.head);
    } catch {
      /* peer gone, closed by the deadline, or the handler failed */
    } finally {
      clearTimeout(timer);
      close(conn);
    }
  };

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource) return;
        await new Promise((r) => setTimeout(r, 100)); // e.g. out of descriptors
        continue;
      }
      if (open.size >= maxConnections) close(open.values().next().value!);
      open.add(conn);
      const task: Promise<void> = serve(conn).finally(() => tasks.delete(task));
      tasks.add(task);
    }
  })();

  return {
    addr,
    get connections() {
      return open.size;
    },
    async shutdown() {
      try {
        listener.close();
      } catch { /* closed */ }
      await accepting;
      for (const conn of [...open]) close(conn);
      await Promise.all([...tasks]);
    },
  };
}

interface Head {
  method: string;
  target: string;
  headers: [string, string][];
  head: boolean;
}

/** Reads up to the blank line; undefined on EOF or a malformed head, "tooLarge" past the cap. */
async function readHead(conn: Deno.Conn, max: number): Promise<Head | "tooLarge" | undefined> {
  const buf = new Uint8Array(max + 4);
  let got = 0;
  let end = -1;
  while (end < 0) {
    if (got >= buf.length) return "tooLarge";
    const n = await conn.read(buf.subarray(got));
    if (n === null) return undefined;
    const from = Math.max(0, got - 3);
    got += n;
    end = indexOfBlankLine(buf, from, got);
  }
  if (end > max) return "tooLarge";
  const lines = new TextDecoder("latin1").decode(buf.subarray(0, end)).replace(/\r$/, "")
    .split(/\r?\n/);
  const m = /^([^ ]+) ([^ ]+) HTTP\/1\.[01]$/.exec(lines[0]);
  if (!m || !TOKEN.test(m[1])) return { method: "", target: "", headers: [], head: false };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      return { method: "", target: "", headers: [], head: false }; // also obs-fold
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { method: m[1], target: m[2], headers, head: m[1] === "HEAD" };
}

function indexOfBlankLine(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to - 1; i++) {
    if (buf[i] !== 10) continue;
    if (buf[i + 1] === 10) return i;
    if (buf[i + 1] === 13 && i + 2 < to && buf[i + 2] === 10) return i;
  }
  return -1;
}

async function respond(
  head: Head,
  addr: Deno.NetAddr,
  handler: (request: Request) => Response | Promise<Response>,
): Promise<Response> {
  if (head.method === "" || !head.target.startsWith("/")) {
    return new Response(null, { status: 400 });
  }
  let request: Request;
  try {
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    request = new Request(`http://${host}:${addr.port}${head.target}`, {
      method: head.method,
      headers: head.headers,
    });
  } catch {
    // Invalid header values, or a method fetch forbids (CONNECT, TRACE, TRACK).
    return new Response(null, { status: /^(CONNECT|TRACE|TRACK)$/i.test(head.method) ? 405 : 400 });
  }
  try {
    return await handler(request);
  } catch {
    return new Response(null, { status: 500 });
  }
}

async function write(conn: Deno.Conn, response: Response, isHead: boolean | undefined) {
  const body = isHead ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
  let text = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Unknown"}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") text += `${name}: ${value}\r\n`;
  });
  text += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const head = new TextEncoder().encode(text);
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}
