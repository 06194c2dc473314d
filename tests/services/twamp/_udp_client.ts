// A bounded UDP client for the reflector tests (127.0.0.1 only).

/** Sends `packets` from one socket and collects `expected` replies or what came in 2 s. */
export async function exchange(
  port: number,
  packets: Uint8Array[],
  expected = packets.length,
): Promise<Uint8Array[]> {
  const client = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const replies: Uint8Array[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, 2000));
  try {
    const target: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    for (const packet of packets) await client.send(packet, target);
    const receiving = (async () => {
      while (replies.length < expected) replies.push((await client.receive())[0]);
    })();
    await Promise.race([receiving, deadline]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
  return replies;
}
