// A small scripted FTP server for the FTP client's tests: it serves files from memory
// and misbehaves on request (cut data connections, lying 226, foreign PASV address, no
// EPSV, a silent greeting…). Data connections use node:net, whose resetAndDestroy()
// sends a TCP RST (Deno's own sockets cannot).
import net from "node:net";

/** How RETR ends. */
export type RetrMode =
  /** all bytes, FIN, 226 */
  | "normal"
  /** half the bytes, FIN, 426 */
  | "fin426"
  /** half the bytes, FIN, 226 (a server that lies) */
  | "fin226"
  /** half the bytes, RST, 426 */
  | "rst426"
  /** half the bytes, RST, 226 */
  | "rst226"
  /** half the bytes, then nothing at all (stalls) */
  | "stall"
  /** all bytes, FIN, then the control connection closes without a reply */
  | "noReply"
  /** 226 on the control connection first, then all bytes slowly, FIN */
  | "early226";

/** How STOR ends. */
export type StorMode =
  /** reads to FIN, 226 */
  | "normal"
  /** reads some bytes, 451, closes the data connection */
  | "abort451"
  /** reads to FIN, keeps only half the bytes, 226 (SIZE then tells) */
  | "short";

/** What the scripted server does. */
export interface ScriptedFtpOptions {
  files?: Record<string, Uint8Array>;
  /** Accepted credentials; default: "anonymous" with any password. */
  user?: string;
  password?: string;
  /** Answer EPSV (default true); false: 500. */
  epsv?: boolean;
  /** The address a PASV reply names (default 127.0.0.1). */
  pasvHost?: string;
  /** Answer SIZE (default true); false: 502. */
  size?: boolean;
  /** A SIZE reply that lies. */
  sizeOverride?: number;
  retr?: RetrMode;
  stor?: StorMode;
  /** Accept the connection and say nothing. */
  silent?: boolean;
}

/** A running scripted server. */
export interface ScriptedFtp {
  port: number;
  /** Every command received, in order, as sent. */
  commands: string[];
  /** Files stored with STOR. */
  stored: Record<string, Uint8Array>;
  /** Data connections opened to its passive ports. */
  dataConnections: number;
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/** Starts the server on 127.0.0.1. */
export function startScriptedFtp(options: ScriptedFtpOptions = {}): ScriptedFtp {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sessions = new Set<Promise<void>>();
  const conns = new Set<Deno.Conn>();
  const state: ScriptedFtp = {
    port: listener.addr.port,
    commands: [],
    stored: {},
    dataConnections: 0,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await Promise.allSettled([...sessions]);
    },
  };
  (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const session = serve(conn, options, state).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
      sessions.add(session);
      session.finally(() => sessions.delete(session));
    }
  })().catch(() => {});
  return state;
}

/** One passive listener, accepting one data connection. */
class Passive {
  readonly server = net.createServer();
  readonly socket: Promise<net.Socket>;
  port = 0;

  constructor(state: ScriptedFtp) {
    this.socket = new Promise((resolve) => {
      this.server.once("connection", (socket: net.Socket) => {
        state.dataConnections++;
        resolve(socket);
      });
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(0, "127.0.0.1", () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  close(): void {
    this.server.close();
  }
}

async function serve(conn: Deno.Conn, o: ScriptedFtpOptions, state: ScriptedFtp): Promise<void> {
  const say = (line: string) => conn.write(encoder.encode(`${line}\r\n`));
  if (o.silent) {
    await conn.read(new Uint8Array(1)).catch(() => null);
    return;
  }
  await say("220 scripted FTP");
  let user = "";
  let loggedIn = false;
  let passive: Passive | undefined;
  const reader = lines(conn);
  try {
    for await (const line of reader) {
      state.commands.push(line);
      const [verb, ...rest] = line.split(" ");
      const arg = rest.join(" ");
      switch (verb.toUpperCase()) {
        case "USER":
          user = arg;
          await say("331 Password please");
          break;
        case "PASS": {
          const ok = o.user === undefined ? user === "anonymous" : user === o.user &&
            arg === o.password;
          loggedIn = ok;
          await say(ok ? "230 Logged in" : "530 Login incorrect.");
          break;
        }
        case "TYPE":
          await say(loggedIn ? "200 Binary" : "530 Log in first");
          break;
        case "SIZE": {
          const file = state.stored[arg] ?? o.files?.[arg];
          if (o.size === false) await say("502 SIZE not implemented");
          else if (file === undefined) await say("550 Could not get file size.");
          else await say(`213 ${o.sizeOverride ?? file.length}`);
          break;
        }
        case "EPSV":
          if (o.epsv === false) {
            await say("500 Unknown command");
            break;
          }
          passive?.close();
          passive = new Passive(state);
          await say(`229 Entering Extended Passive Mode (|||${await passive.listen()}|)`);
          break;
        case "PASV": {
          passive?.close();
          passive = new Passive(state);
          const port = await passive.listen();
          const host = (o.pasvHost ?? "127.0.0.1").replaceAll(".", ",");
          await say(`227 Entering Passive Mode (${host},${port >> 8},${port & 255})`);
          break;
        }
        case "RETR": {
          const file = o.files?.[arg];
          if (passive === undefined) {
            await say("425 Use PASV first");
          } else if (file === undefined) {
            await say("550 Failed to open file.");
          } else {
            const done = await retr(say, await passive.socket, file, o.retr ?? "normal");
            passive.close();
            passive = undefined;
            if (!done) return; // the control connection ends here
          }
          break;
        }
        case "STOR": {
          if (passive === undefined) {
            await say("425 Use PASV first");
            break;
          }
          await say("150 Ok to send data.");
          await stor(say, await passive.socket, arg, o.stor ?? "normal", state);
          passive.close();
          passive = undefined;
          break;
        }
        case "QUIT":
          await say("221 Goodbye.");
          return;
        default:
          await say("502 Command not implemented.");
      }
    }
  } finally {
    passive?.close();
  }
}

/** Serves RETR as `mode` says; false when the control connection must end now. */
async function retr(
  say: (line: string) => Promise<number>,
  socket: net.Socket,
  file: Uint8Array,
  mode: RetrMode,
): Promise<boolean> {
  await say(`150 Opening BINARY mode data connection (${file.length} bytes).`);
  const half = file.subarray(0, Math.floor(file.length / 2));
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  const end = () => new Promise<void>((resolve) => socket.end(() => resolve()));
  switch (mode) {
    case "normal":
      await write(file);
      await end();
      await say("226 Transfer complete.");
      return true;
    case "early226":
      await say("226 Transfer complete.");
      for (let at = 0; at < file.length; at += 4096) {
        await write(file.subarray(at, at + 4096));
        await new Promise((r) => setTimeout(r, 1));
      }
      await end();
      return true;
    case "fin426":
    case "fin226":
      await write(half);
      await end();
      await new Promise((r) => setTimeout(r, 50));
      await say(
        mode === "fin426" ? "426 Failure writing network stream." : "226 Transfer complete.",
      );
      return true;
    case "rst426":
    case "rst226":
      await write(half);
      await new Promise((r) => setTimeout(r, 50));
      socket.resetAndDestroy();
      await say(mode === "rst426" ? "426 Connection reset." : "226 Transfer complete.");
      return true;
    case "stall":
      await write(half);
      return await new Promise<boolean>((resolve) => socket.once("close", () => resolve(false)));
    case "noReply":
      await write(file);
      await end();
      return false;
  }
}

async function stor(
  say: (line: string) => Promise<number>,
  socket: net.Socket,
  name: string,
  mode: StorMode,
  state: ScriptedFtp,
): Promise<void> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await new Promise<void>((resolve) => {
    socket.on("data", (chunk: Uint8Array) => {
      chunks.push(chunk);
      total += chunk.length;
      if (mode === "abort451" && total > 0) {
        socket.removeAllListeners("data");
        socket.resetAndDestroy();
        resolve();
      }
    });
    socket.on("end", () => resolve());
    socket.on("error", () => resolve());
  });
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  if (mode === "abort451") {
    await say("451 Failure writing to local file.");
    return;
  }
  state.stored[name] = mode === "short" ? all.slice(0, Math.floor(total / 2)) : all;
  socket.end();
  await say("226 Transfer complete.");
}

async function* lines(conn: Deno.Conn): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return;
    text += decoder.decode(buffer.subarray(0, n));
    let end;
    while ((end = text.indexOf("\r\n")) >= 0) {
      yield text.slice(0, end);
      text = text.slice(end + 2);
    }
  }
}
