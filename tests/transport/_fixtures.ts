/**
 * Test helper: reads the GenieACS captures in tests/testdata/transport/ and
 * splits an HTTP message into start line, headers and body.
 *
 * @module
 */

/** One HTTP message read from a capture file. */
export interface CapturedMessage {
  startLine: string;
  /** Headers by lower-cased name (last one wins). */
  headers: Record<string, string>;
  /** Raw bytes of the whole file. */
  raw: Uint8Array;
  body: string;
}

/** Reads `tests/testdata/transport/<name>`. */
export function readCapture(name: string): CapturedMessage {
  const raw = Deno.readFileSync(new URL(`../testdata/transport/${name}`, import.meta.url));
  const text = new TextDecoder().decode(raw);
  const end = text.indexOf("\r\n\r\n");
  const [startLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { startLine, headers, raw, body: text.slice(end + 4) };
}
