/**
 * A test `DatagramHandler`: replies with `<tag>|<family>|<address>|<ttl>|<payload>` so a test
 * sees what the loop passed in; "drop" gets no reply. Counts what it handled.
 */
import type { DatagramHandler, DatagramMeta } from "../../../src/services/udp/handler.ts";

export function createHandler(config: unknown): DatagramHandler {
  let tag = (config as { tag: string }).tag;
  let handled = 0;
  let lastNs = 0n;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    handle(data: Uint8Array, meta: DatagramMeta, reply: Uint8Array, nowNs: () => bigint) {
      handled++;
      const text = dec.decode(data);
      if (text === "drop") return -1;
      lastNs = meta.receivedNs;
      const now = nowNs();
      const sane = meta.receivedNs > 1_600_000_000_000_000_000n &&
        now >= meta.receivedNs - 1_000_000n;
      const out = `${tag}|${meta.family}|${meta.address}|${meta.ttl ?? "-"}|${sane}|${text}`;
      return enc.encodeInto(out, reply).written;
    },
    stats: () => ({ handled, tag, lastNs: String(lastNs) }),
    reconfigure(c: unknown) {
      tag = (c as { tag: string }).tag;
    },
  };
}
