/**
 * Main-thread side of the FFI path: starts `ffi_worker.ts` and turns its messages into a
 * `UdpService`. Every command is counted in a shared Int32Array *before* it is posted, so
 * the worker's blocking loop notices it within one receive timeout (see `ffi_worker.ts`).
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./ffi_worker.ts";
import { runtimeModuleUrl } from "./runtime_module.ts";
import type { UdpService, UdpServiceOptions } from "./service.ts";

/** Starts the FFI path; rejects if the socket cannot be opened or bound. */
export function startFfiPath(options: UdpServiceOptions): Promise<UdpService> {
  const url = runtimeModuleUrl("./ffi_worker.ts", import.meta.url, "ffi_worker.js");
  const worker = new Worker(url, { type: "module" });
  const control = new SharedArrayBuffer(4);
  const counter = new Int32Array(control);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let closed: Promise<void> | undefined;
  let dead: Error | undefined;

  const fail = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const send = <T>(msg: Omit<Exclude<ToWorker, { kind: "start" }>, "id">): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      Atomics.add(counter, 0, 1);
      worker.postMessage({ ...msg, id } as ToWorker);
    });
  };

  return new Promise<UdpService>((resolve, reject) => {
    worker.onerror = (e) => {
      e.preventDefault();
      const err = new Error(`FFI worker failed: ${e.message}`);
      reject(err);
      fail(err);
      worker.terminate();
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.kind === "started") {
        resolve({
          port: msg.port,
          path: "ffi",
          stats: () => send<Record<string, number | string>>({ kind: "stats" }),
          reconfigure: (config) => send<void>({ kind: "reconfigure", config } as never),
          close: () =>
            closed ??= send<void>({ kind: "close" }).catch(() => {}).finally(() => {
              worker.terminate();
              fail(new Error("UDP service closed"));
            }),
        });
      } else if (msg.kind === "failed") {
        const err = new Error(msg.message);
        reject(err);
        fail(err);
        worker.terminate();
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.kind === "reply") p?.resolve(msg.value);
        else p?.reject(new Error(msg.message));
      }
    };
    worker.postMessage(
      {
        kind: "start",
        options: {
          hostname: options.hostname ?? "0.0.0.0",
          port: options.port,
          device: options.device,
          batch: options.batch,
          maxDatagramSize: options.maxDatagramSize,
        },
        spec: options.spec,
        control,
      } satisfies ToWorker,
    );
  });
}
