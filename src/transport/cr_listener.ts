/**
 * A small HTTP/1.x listener for the connection-request app, used instead of `Deno.serve`
 * because `Deno.serve` has no header timeout and no connection limit: a client that
 * sends its headers byte by byte and never finishes keeps its socket forever, and
 * enough of them exhaust the agent's file descriptors (slowloris).
 *
 * One request per connection, then `Connection: close`; except that a 401 to a client that
 * asked for `Connection: keep-alive` keeps the connection for one more request, the Digest
 * retry (GenieACS sends it on the same connection when allowed). Limits:
 * - `headerTimeoutMs`: everything on a connection (its request heads arriving, the
 *   responses leaving) has this time (default 10 s); then the socket is closed.
 * - `maxConnections` (default 32): at the limit, one connection is closed to make room
 *   before the next is accepted, chosen by progress, not age (`cr_admission.ts`): never one
 *   being answered or one that has sent nothing yet within `graceMs` (default 100 ms) of
 *   its accept; of the rest, one of the source with the most connections, idle longest.
 *   If every one is protected, the listener accepts nothing until one may be closed (the
 *   kernel queues newcomers), so reconnecting as fast as one is closed cannot get a client
 *   closed whose head arrives within `graceMs`, such as the ACS's; churn only delays its
 *   accept (by the kernel queue ahead of it, drained at `maxConnections` per `graceMs`).
 * - `maxConnectionsPerSource` (default 8): a source (IPv4 address, IPv6 /64) that opens a
 *   connection past it loses its own closable ones, idlest first, down to it; protected ones
 *   are kept (the limit above still holds), and nobody waits for it.
 * - `maxHeaderBytes` (default 8 KiB): a longer head gets 431.
 * A request body is never read; a malformed head gets 400.
 *
 * @module
 */

import { type AdmissionSlot, chooseVictim, protectedUntil, sourceOf } from "./cr_admission.ts";
import { clearTimer, setTimer } from "../platform/timers.ts";

/** Options of {@linkcode serveConnectionRequests}. */
export interface CrListenerOptions {
  hostname: string;
  port: number;
  /** Time for everything on one connection (heads in, responses out); 10 s by default. */
  headerTimeoutMs?: number;
  /** Connections open at once; at the limit one is closed by progress. 32 by default. */
  maxConnections?: number;
  /** Closable connections one source keeps when it opens more; 8 by default. */
  maxConnectionsPerSource?: number;
  /** How long a new connection that has sent nothing stays protected; 100 ms by default. */
  graceMs?: number;
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

/** One open connection and what the admission policy needs of it. */
interface Slot extends AdmissionSlot {
  readonly conn: Deno.Conn;
  readonly info: CrRequestInfo;
  source: string;
  since: number;
  lastByte: number;
  bytes: number;
  busy: boolean;
}

/** What the listener tells the handler about a request's connection. */
export interface CrRequestInfo {
  /** The client's IP address. */
  remoteAddr: string;
}

/**
 * Listens on `options.hostname`:`options.port` and answers each request with `handler`
 * (a Hono `app.fetch`: the info arrives as its environment).
 */
export function serveConnectionRequests(
  options: CrListenerOptions,
  handler: (request: Request, info: CrRequestInfo) => Response | Promise<Response>,
): CrListener {
  const timeoutMs = options.headerTimeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 32;
  const maxPerSource = options.maxConnectionsPerSource ?? 8;
  const graceMs = options.graceMs ?? 100;
  const maxHeader = options.maxHeaderBytes ?? 8192;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  const open = new Set<Slot>();
  const tasks = new Set<Promise<void>>();
  let stopped = false;
  // Wakes the accept loop when it waits for room: a connection closed, sent bytes or finished.
  let wake: (() => void) | undefined;
  const changed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const close = (slot: Slot) => {
    if (!open.delete(slot)) return;
    try {
      slot.conn.close();
    } catch { /* closed */ }
    changed();
  };
  const progress = { changed };

  const serve = async (slot: Slot) => {
    const timer = setTimer(() => close(slot), timeoutMs);
    try {
      // At most two requests: a 401 challenge may keep the connection for the Digest retry.
      for (let request = 1; request <= 2; request++) {
        const head = await readHead(slot, maxHeader, progress);
        if (head === undefined) return;
        const response = head === "tooLarge"
          ? new Response(null, { status: 431 })
          : await respond(head, addr, (request) => handler(request, slot.info));
        const again = request === 1 && head !== "tooLarge" && response.status === 401 &&
          head.keepAlive;
        await write(slot.conn, response, { head: head !== "tooLarge" && head.head, again });
        if (!again) return;
        slot.busy = false;
        slot.bytes = 0;
        slot.since = slot.lastByte = performance.now();
        changed();
      }
    } catch {
      /* peer gone, closed by the deadline or to make room, or the handler failed */
    } finally {
      clearTimer(timer);
      close(slot);
    }
  };

  /** Waits until `changed()` or `ms` have passed. */
  const settle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimer(() => changed(), Math.max(1, Math.ceil(ms)));
      wake = () => {
        clearTimer(timer);
        resolve();
      };
    });

  /**
   * Closes connections by the admission policy while `over()`. With `wait`, waits for a
   * protected connection to become closable; without, gives up when none is.
   */
  const makeRoom = async (over: () => boolean, source: string | undefined, wait: boolean) => {
    let yielded = false;
    while (over() && !stopped) {
      const now = performance.now();
      const victim = chooseVictim(open, now, { graceMs, source });
      if (victim === undefined) {
        if (!wait) return;
        const until = Math.min(...[...open].map((s) => protectedUntil(s, graceMs)));
        await settle(Number.isFinite(until) ? until - now : timeoutMs);
        yielded = false;
      } else if (victim.bytes === 0 && !yielded) {
        // Let reads that already arrived (the event loop may have been busy) count first.
        await new Promise<void>((r) => setTimer(r, 0));
        yielded = true;
      } else {
        close(victim);
        yielded = false;
      }
    }
  };

  const accepting = (async () => {
    for (;;) {
      // Room first: at the limit, close a connection by progress (cr_admission.ts), or wait
      // (not accepting) until one may be closed; the kernel queues newcomers meanwhile.
      await makeRoom(() => open.size >= maxConnections, undefined, true);
      if (stopped) return;
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource) return;
        await new Promise<void>((r) => setTimer(r, 100)); // e.g. out of descriptors
        continue;
      }
      const now = performance.now();
      const source = sourceOf((conn.remoteAddr as Deno.NetAddr).hostname ?? "");
      const info = { remoteAddr: (conn.remoteAddr as Deno.NetAddr).hostname ?? "" };
      const slot: Slot = { conn, source, info, since: now, lastByte: now, bytes: 0, busy: false };
      open.add(slot);
      const task: Promise<void> = serve(slot).finally(() => tasks.delete(task));
      tasks.add(task);
      // One source keeps at most maxPerSource connections beyond their grace; never wait
      // for it (that would hold up every other source's connections in the kernel queue).
      const count = () => [...open].filter((s) => s.source === source).length;
      await makeRoom(() => count() > maxPerSource, source, false);
    }
  })();

  return {
    addr,
    get connections() {
      return open.size;
    },
    async shutdown() {
      stopped = true;
      changed();
      try {
        listener.close();
      } catch { /* closed */ }
      await accepting;
      for (const slot of [...open]) close(slot);
      await Promise.all([...tasks]);
    },
  };
}

interface Head {
  method: string;
  target: string;
  headers: [string, string][];
  head: boolean;
  /**
   * The client asked for `Connection: keep-alive` (GenieACS does) in HTTP/1.1, announced no
   * body and sent nothing after the head: a 401 may then keep the connection for the retry.
   */
  keepAlive: boolean;
}

const MALFORMED: Head = { method: "", target: "", headers: [], head: false, keepAlive: false };

/**
 * Reads up to the blank line, counting progress on `slot` (bytes, last byte, busy once the
 * head is complete); undefined on EOF or a malformed head, "tooLarge" past the cap.
 */
async function readHead(
  slot: Slot,
  max: number,
  progress: { changed(): void },
): Promise<Head | "tooLarge" | undefined> {
  const buf = new Uint8Array(max + 4);
  let got = 0;
  let end = -1;
  while (end < 0) {
    if (got >= buf.length) return "tooLarge";
    const n = await slot.conn.read(buf.subarray(got));
    if (n === null) return undefined;
    const from = Math.max(0, got - 3);
    got += n;
    end = indexOfBlankLine(buf, from, got);
    // Synchronously with the read: the accept loop must see a complete head as busy.
    slot.bytes = got;
    slot.lastByte = performance.now();
    slot.busy = end >= 0 || got >= buf.length;
    progress.changed();
  }
  if (end > max) return "tooLarge";
  const rest = got - (end + (buf[end + 1] === 10 ? 2 : 3));
  const lines = new TextDecoder("latin1").decode(buf.subarray(0, end)).replace(/\r$/, "")
    .split(/\r?\n/);
  const m = /^([^ ]+) ([^ ]+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!m || !TOKEN.test(m[1])) return MALFORMED;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) return MALFORMED; // also obs-fold
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  const values = (name: string) =>
    headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.toLowerCase());
  const connection = values("connection").join(",").split(",").map((t) => t.trim());
  const keepAlive = m[3] === "1" && rest === 0 && connection.includes("keep-alive") &&
    !connection.includes("close") && values("transfer-encoding").length === 0 &&
    values("content-length").every((v) => v === "0");
  return { method: m[1], target: m[2], headers, head: m[1] === "HEAD", keepAlive };
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

/** Writes `response`; `again` keeps the connection for one more request. */
async function write(
  conn: Deno.Conn,
  response: Response,
  options: { head: boolean; again: boolean },
) {
  const body = options.head ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
  let text = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Unknown"}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") text += `${name}: ${value}\r\n`;
  });
  text += `Content-Length: ${body.length}\r\nConnection: ${
    options.again ? "keep-alive" : "close"
  }\r\n\r\n`;
  const head = new TextEncoder().encode(text);
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}
