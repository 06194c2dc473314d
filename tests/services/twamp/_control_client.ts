// A minimal TWAMP-Control client on the codec, for the server tests (127.0.0.1 only).
// Every read is bounded (20 s) so a broken server fails the test instead of hanging it.
import {
  CONTROL_MESSAGE_LENGTH,
  type ControlMessage,
  type ControlMessageKind,
  type ControlMessageOf,
  decodeControlMessage,
  encodeControlMessage,
  type RequestTwSession,
} from "../../../src/services/twamp/control_messages.ts";

// Generous: the first session starts a UDP Worker, slow on a loaded CI machine.
const BOUND_MS = 20_000;

/** One control connection seen from the Control-Client. */
export class ControlClient {
  readonly conn: Deno.TcpConn;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  static async connect(port: number): Promise<ControlClient> {
    return new ControlClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Connects, reads the greeting, answers Mode 1 and reads Server-Start. */
  static async setUp(port: number): Promise<ControlClient> {
    const client = await ControlClient.connect(port);
    const greeting = await client.read("ServerGreeting");
    if (greeting.modes !== 1) throw new Error(`Greeting Modes ${greeting.modes}`);
    await client.send({ kind: "SetUpResponse", mode: 1 });
    const start = await client.read("ServerStart");
    if (start.accept !== 0) throw new Error(`Server-Start Accept ${start.accept}`);
    return client;
  }

  async send(message: ControlMessage | Uint8Array): Promise<void> {
    const data = message instanceof Uint8Array ? message : encodeControlMessage(message);
    for (let sent = 0; sent < data.length;) sent += await this.conn.write(data.subarray(sent));
  }

  /** Reads exactly one message of `kind`; throws on EOF or after 20 s. */
  async read<K extends ControlMessageKind>(kind: K): Promise<ControlMessageOf<K>> {
    const data = new Uint8Array(CONTROL_MESSAGE_LENGTH[kind]);
    let got = 0;
    await bounded(async () => {
      while (got < data.length) {
        const n = await this.conn.read(data.subarray(got));
        if (n === null) throw new Error(`EOF after ${got} bytes of ${kind}`);
        got += n;
      }
    });
    return decodeControlMessage(kind, data);
  }

  /** Resolves true when the server closes the connection (EOF or reset) within 20 s. */
  async closedByServer(): Promise<boolean> {
    const sink = new Uint8Array(256);
    try {
      return await bounded(async () => {
        for (;;) {
          try {
            if (await this.conn.read(sink) === null) return true;
          } catch {
            return true; // reset
          }
        }
      });
    } catch {
      return false;
    }
  }

  async requestSession(fields: Partial<RequestTwSession>) {
    await this.send(request(fields));
    return await this.read("AcceptSession");
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

/** A Request-TW-Session from 127.0.0.1 with `fields` changed. */
export function request(fields: Partial<RequestTwSession>): RequestTwSession {
  return {
    kind: "RequestTwSession",
    ipvn: 4,
    confSender: 0,
    confReceiver: 0,
    numberOfScheduleSlots: 0,
    numberOfPackets: 0,
    senderPort: 0,
    receiverPort: 0,
    senderAddress: "127.0.0.1",
    receiverAddress: "127.0.0.1",
    paddingLength: 64,
    startTime: 0n,
    timeout: 0n,
    typePDescriptor: 0,
    ...fields,
  };
}

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`No answer within ${BOUND_MS} ms`)), BOUND_MS)
  );
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A UDP port that was free a moment ago (bound and released). */
export function freeUdpPort(): number {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

/** Whether `port` can be bound on 127.0.0.1 now, retried for at most 2 s. */
export async function udpPortFree(port: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      Deno.listenDatagram({ hostname: "127.0.0.1", port, transport: "udp" }).close();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return false;
}
