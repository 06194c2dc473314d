/**
 * The local control socket (`<state_dir>/control.sock`, mode 0600): how the
 * `cwmp-agent get|set|…` commands reach the running agent, as icwmp's CLI reaches
 * icwmpd over ubus. One request per connection: a JSON line `{"op","args"}` in, JSON
 * lines out, then close. Requests are capped in size and time.
 *
 * @module
 */

import { clearTimer, setTimer } from "../platform/timers.ts";

/** A local request as the CLI sends it. */
export interface ControlRequest {
  op: string;
  args: string[];
}

/** Answers one request with the lines to write back. */
export type ControlHandler = (request: ControlRequest) => Promise<{ lines: string[]; ok: boolean }>;

const MAX_REQUEST_BYTES = 64 * 1024;
const READ_TIMEOUT_MS = 5_000;
/** A client that does not read its reply in this time is dropped (and the reply freed). */
const WRITE_TIMEOUT_MS = 10_000;
/** Local clients served at once; more are closed at once. */
const MAX_CONNECTIONS = 8;
/** The reply a client reads before it gives up, bytes (a whole-tree read is ~0.1 MB). */
const MAX_REPLY_BYTES = 64 * 1048576;

/** Parses one request line; throws TypeError on a wrong shape. */
export function parseControlRequest(text: string): ControlRequest {
  const value = JSON.parse(text);
  if (
    typeof value !== "object" || value === null || typeof value.op !== "string" ||
    !Array.isArray(value.args) || !value.args.every((a: unknown) => typeof a === "string")
  ) {
    throw new TypeError('Control request must be {"op": string, "args": string[]}');
  }
  return { op: value.op, args: value.args };
}

async function readLine(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  const decoder = new TextDecoder();
  let line = "";
  let total = 0;
  const deadline = setTimer(() => conn.close(), READ_TIMEOUT_MS);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const nl = buf.subarray(0, n).indexOf(10);
      line += decoder.decode(buf.subarray(0, nl >= 0 ? nl : n), { stream: true });
      total += n;
      if (nl >= 0) break;
      if (total > MAX_REQUEST_BYTES) throw new RangeError("Control request too large");
    }
  } finally {
    clearTimer(deadline);
  }
  return line + decoder.decode();
}

async function drain(conn: Deno.Conn): Promise<void> {
  const deadline = setTimer(() => conn.close(), READ_TIMEOUT_MS);
  try {
    const buf = new Uint8Array(4096);
    let total = 0;
    while (total < 16 * MAX_REQUEST_BYTES) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
    }
  } finally {
    clearTimer(deadline);
  }
}

/** A listening control socket. */
export interface ControlServer {
  path: string;
  close(): void;
}

/** Listens on `path` (a stale socket file is replaced) and serves `handler`. */
export function startControlServer(path: string, handler: ControlHandler): ControlServer {
  try {
    Deno.removeSync(path);
  } catch { /* none */ }
  const listener = Deno.listen({ transport: "unix", path });
  Deno.chmodSync(path, 0o600);
  let open = 0;
  const serve = async (conn: Deno.Conn) => {
    const encoder = new TextEncoder();
    try {
      let reply: { lines: string[]; ok: boolean };
      try {
        reply = await handler(parseControlRequest(await readLine(conn)));
      } catch (error) {
        reply = { lines: [JSON.stringify({ error: (error as Error).message })], ok: false };
      }
      const text = reply.lines.join("\n") + "\n" + JSON.stringify({ ok: reply.ok }) + "\n";
      const bytes = encoder.encode(text);
      const deadline = setTimer(() => conn.close(), WRITE_TIMEOUT_MS);
      try {
        let written = 0;
        while (written < bytes.length) written += await conn.write(bytes.subarray(written));
      } finally {
        clearTimer(deadline);
      }
      // Closing with unread input (an oversize request) would reset the connection and
      // lose the answer: half-close, then drain what the client still sends (bounded).
      await conn.closeWrite();
      await drain(conn);
    } catch {
      /* client went away */
    } finally {
      try {
        conn.close();
      } catch { /* closed by the deadline */ }
    }
  };
  (async () => {
    try {
      for await (const conn of listener) {
        if (open >= MAX_CONNECTIONS) {
          conn.close();
          continue;
        }
        open++;
        serve(conn).finally(() => open--);
      }
    } catch { /* listener closed */ }
  })();
  return {
    path,
    close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      try {
        Deno.removeSync(path);
      } catch { /* gone */ }
    },
  };
}

/**
 * Sends one request to the agent at `path`; resolves with its lines and status, or
 * undefined when no agent listens there.
 */
export async function sendControlRequest(
  path: string,
  request: ControlRequest,
): Promise<{ lines: string[]; ok: boolean } | undefined> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch {
    return undefined;
  }
  try {
    const bytes = new TextEncoder().encode(JSON.stringify(request) + "\n");
    let written = 0;
    while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    const text = await readAll(conn);
    const lines = text.split("\n").filter((l) => l !== "");
    const last = lines.pop();
    const ok = last !== undefined && JSON.parse(last).ok === true;
    return { lines, ok };
  } finally {
    try {
      conn.close();
    } catch { /* readable already closed it */ }
  }
}

/** Everything the agent writes until it closes the connection, as text (capped). */
async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(65536);
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return text + decoder.decode();
    total += n;
    if (total > MAX_REPLY_BYTES) throw new RangeError("Control reply too large");
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
}
