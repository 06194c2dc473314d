/**
 * Private: gzip for request bodies (TR-069 §3.4.7 HTTPCompression = GZIP) and
 * bounded gunzip for response bodies, with the web Compression Streams API.
 *
 * @module
 */

import { BodyTooLargeError, concatBytes } from "./_http1.ts";

/** Gzips `data`. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Gunzips `data`, failing with {@linkcode BodyTooLargeError} beyond `limit` bytes of output. */
export async function gunzip(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(limit);
    }
    parts.push(value);
  }
  return concatBytes(parts, total);
}
