import { TosSocket } from "../../../src/services/udp/tos_socket.ts";

/** A UDP echo server on 127.0.0.1 for the tests: plain (RFC 862) or Echo Plus (TR-143 §A.1.4). */
export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an echo server; `answer(i)` false drops the i-th request (0-based). */
export function startEchoServer(
  options: { echoPlus?: boolean; answer?: (i: number) => boolean } = {},
): EchoServer {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  let responses = 0;
  const loop = (async () => {
    for (let i = 0;; i++) {
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await socket.receive();
      } catch {
        return;
      }
      const [data, from] = got;
      if (options.answer && !options.answer(i)) continue;
      const reply = data.slice();
      if (options.echoPlus && reply.length >= 20) {
        const view = new DataView(reply.buffer);
        view.setUint32(4, ++responses);
        view.setUint32(8, 1000 + i);
        view.setUint32(12, 2000 + i);
        view.setUint32(16, 0);
      }
      await socket.send(reply, from);
    }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    async close() {
      socket.close();
      await loop;
    },
  };
}

/** A DNS responder on 127.0.0.1 answering with `respond(query)` (undefined = stay silent). */
export function startDnsResponder(
  respond: (query: Uint8Array) => Uint8Array | undefined,
): EchoServer {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const loop = (async () => {
    for (;;) {
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await socket.receive();
      } catch {
        return;
      }
      const reply = respond(got[0]);
      if (reply !== undefined) await socket.send(reply, got[1]);
    }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    async close() {
      socket.close();
      await loop;
    },
  };
}

/** A plain echo server on a libc socket that records the TOS byte of every request. */
export function startTosCaptureEchoServer(): EchoServer & { readonly tos: (number | undefined)[] } {
  const socket = new TosSocket({ hostname: "127.0.0.1", port: 0, tos: 0 });
  const tos: (number | undefined)[] = [];
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      const got = await socket.receive(60_000, stop.signal);
      if (got === undefined) continue;
      tos.push(got.tos);
      socket.send(got.data, got.address, got.port);
    }
  })();
  return {
    port: socket.port,
    tos,
    async close() {
      stop.abort();
      await loop;
      await socket.close();
    },
  };
}
