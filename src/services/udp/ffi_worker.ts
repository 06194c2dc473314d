/**
 * Worker entry of the FFI path: builds the handler from its `HandlerSpec`, opens an
 * `FfiUdpSocket` and runs its blocking loop. The main thread (`ffi_path.ts`) posts
 * commands and then bumps a shared counter; the loop checks the counter after every
 * batch or receive timeout and, when it moved, yields to the event loop until every
 * posted command has been handled.
 *
 * Protocol: `start` → `started {port}` | `failed {message}`; then `stats`, `reconfigure`,
 * `close`, each answered by `reply {id, value?}` or `error {id, message}`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type FfiSocketOptions, FfiUdpSocket } from "./ffi_socket.ts";
import { type DatagramHandler, type HandlerSpec, loadHandler } from "./handler.ts";
import { type Libc, openLibc } from "./libc.ts";
import { setTimer } from "../../platform/timers.ts";

/** Messages to the worker. */
export type ToWorker =
  | { kind: "start"; options: FfiSocketOptions; spec: HandlerSpec; control: SharedArrayBuffer }
  | { kind: "stats"; id: number }
  | { kind: "reconfigure"; id: number; config: unknown }
  | { kind: "close"; id: number };

/** Messages from the worker. */
export type FromWorker =
  | { kind: "started"; port: number }
  | { kind: "failed"; message: string }
  | { kind: "reply"; id: number; value?: Record<string, number | string> }
  | { kind: "error"; id: number; message: string };

let lib: Libc | undefined;
let socket: FfiUdpSocket | undefined;
let handler: DatagramHandler | undefined;
let spec: HandlerSpec | undefined;
let control: Int32Array | undefined;
let handled = 0;
let closing = false;
let wake: (() => void) | undefined;

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

function loopStats(): Record<string, number | string> {
  const s = socket!.stats;
  return {
    "loop.path": "ffi",
    "loop.received": s.received,
    "loop.sent": s.sent,
    "loop.oversize": s.oversize,
    "loop.sendErrors": s.sendErrors,
    "loop.receiveErrors": s.receiveErrors,
    "loop.batches": s.batches,
  };
}

async function command(msg: Exclude<ToWorker, { kind: "start" }>): Promise<void> {
  try {
    if (msg.kind === "stats") {
      post({ kind: "reply", id: msg.id, value: { ...handler!.stats(), ...loopStats() } });
    } else if (msg.kind === "reconfigure") {
      if (handler!.reconfigure) handler!.reconfigure(msg.config);
      else handler = await loadHandler({ module: spec!.module, config: msg.config });
      post({ kind: "reply", id: msg.id });
    } else {
      closing = true;
      socket!.close();
      lib!.close();
      post({ kind: "reply", id: msg.id });
    }
  } catch (e) {
    post({ kind: "error", id: msg.id, message: (e as Error).message });
  } finally {
    handled++;
    if (handled === Atomics.load(control!, 0)) wake?.();
  }
}

async function run(): Promise<void> {
  const stop = () => closing || Atomics.load(control!, 0) !== handled;
  while (!closing) {
    socket!.run(handler!, stop);
    if (closing) break;
    if (Atomics.load(control!, 0) !== handled) {
      await new Promise<void>((resolve) => wake = resolve);
      wake = undefined;
    }
  }
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.kind !== "start") return void command(msg);
  try {
    control = new Int32Array(msg.control);
    spec = msg.spec;
    handler = await loadHandler(msg.spec);
    lib = openLibc();
    if (lib === undefined) throw new Error("Cannot open libc");
    socket = new FfiUdpSocket(lib, msg.options);
  } catch (err) {
    lib?.close();
    post({ kind: "failed", message: (err as Error).message });
    return;
  }
  post({ kind: "started", port: socket.port });
  // Let the "started" message leave before the loop blocks this thread.
  await new Promise<void>((r) => setTimer(r, 0));
  run().catch((err) => {
    post({ kind: "failed", message: `FFI loop stopped: ${(err as Error).message}` });
  });
};
