/**
 * A small HTTP/1.x listener for the connection-request handler, used instead of `Deno.serve`
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
import type { ConnectionRequestHandler, CrResponse } from "./connection_request_app.ts";
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
  /** The client's IP address. */
  readonly remoteAddr: string;
  source: string;
  since: number;
  lastByte: number;
  bytes: number;
  busy: boolean;
}

/** Listens on `options.hostname`:`options.port` and answers each request with `handler`. */
export function serveConnectionRequests(
  options: CrListenerOptions,
  handler: ConnectionRequestHandler,
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
          ? { status: 431 }
          : respond(head, slot.remoteAddr, handler);
        const again = request === 1 && head !== "tooLarge" && response.status === 401 &&
          head.keepAlive;
        await write(slot.conn, response, { again });
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
      const remoteAddr = (conn.remoteAddr as Deno.NetAddr).hostname ?? "";
      const slot: Slot = {
        conn,
        source,
        remoteAddr,
        since: now,
        lastByte: now,
        bytes: 0,
        busy: false,
      };
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
  /**
   * The client asked for `Connection: keep-alive` (GenieACS does) in HTTP/1.1, announced no
   * body and sent nothing after the head: a 401 may then keep the connection for the retry.
   */
  keepAlive: boolean;
}

const MALFORMED: Head = { method: "", target: "", headers: [], keepAlive: false };

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
  return { method: m[1], target: m[2], headers, keepAlive };
}

function indexOfBlankLine(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to - 1; i++) {
    if (buf[i] !== 10) continue;
    if (buf[i + 1] === 10) return i;
    if (buf[i + 1] === 13 && i + 2 < to && buf[i + 2] === 10) return i;
  }
  return -1;
}

/** Methods whose case fetch normalizes (RFC 9110 names them in upper case). */
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
/** Methods a fetch-style server refuses outright. */
const FORBIDDEN_METHODS = /^(CONNECT|TRACE|TRACK)$/i;
/** What no header value may hold (a lone CR survives the line split; NUL). */
const BAD_VALUE = /[\0\r\n]/;

/**
 * Answers a well-formed head with `handler`; 400 for a malformed one or a header value with
 * a NUL or a lone CR, 405 for CONNECT/TRACE/TRACK, 500 when the handler throws.
 */
function respond(head: Head, remoteAddr: string, handler: ConnectionRequestHandler): CrResponse {
  if (head.method === "" || !head.target.startsWith("/")) return { status: 400 };
  if (FORBIDDEN_METHODS.test(head.method)) return { status: 405 };
  if (head.headers.some(([, value]) => BAD_VALUE.test(value))) return { status: 400 };
  const upper = head.method.toUpperCase();
  const method = NORMALIZED_METHODS.has(upper) ? upper : head.method;
  try {
    return handler({ method, target: head.target, headers: head.headers, remoteAddr });
  } catch {
    return { status: 500 };
  }
}

/** Writes `response`; `again` keeps the connection for one more request. */
async function write(conn: Deno.Conn, response: CrResponse, options: { again: boolean }) {
  let text = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Unknown"}\r\n`;
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== "content-length" && lower !== "connection") text += `${name}: ${value}\r\n`;
  }
  // Every answer is empty, to HEAD (405) as to the rest.
  text += `Content-Length: 0\r\nConnection: ${options.again ? "keep-alive" : "close"}\r\n\r\n`;
  const bytes = new TextEncoder().encode(text);
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}
