/**
 * Reads a configuration, mapping or secret file with a size cap, so a wrong path (a
 * directory, `/dev/zero`, a FIFO, a multi-gigabyte log) fails at once with one line
 * instead of hanging or exhausting memory.
 *
 * @module
 */

/** Largest config or mapping file: 1 MiB (the example config is ~20 KiB). */
export const MAX_CONFIG_BYTES = 1 << 20;
/** Largest `*_file` secret: 64 KiB. */
export const MAX_SECRET_BYTES = 64 * 1024;

/**
 * The UTF-8 text of the regular file at `path`.
 *
 * @throws {TypeError} when it is not a regular file, {RangeError} when it has more than
 * `max` bytes, or the file system's error
 */
export function readTextFileCappedSync(path: string, max: number): string {
  // Checked before the open: opening a FIFO would block the whole process until a writer
  // comes (the async read below only blocks its own call).
  if (!Deno.statSync(path).isFile) throw new TypeError("not a regular file");
  using file = Deno.openSync(path);
  if (!file.statSync().isFile) throw new TypeError("not a regular file");
  const buf = new Uint8Array(max + 1);
  let got = 0;
  for (;;) {
    const n = file.readSync(buf.subarray(got));
    if (n === null) break;
    got += n;
    if (got > max) throw new RangeError(`larger than ${max} bytes`);
  }
  return new TextDecoder().decode(buf.subarray(0, got));
}

/** Async {@linkcode readTextFileCappedSync}. */
export async function readTextFileCapped(path: string, max: number): Promise<string> {
  // As above: a FIFO's open would never return without a writer.
  if (!(await Deno.stat(path)).isFile) throw new TypeError("not a regular file");
  using file = await Deno.open(path);
  if (!(await file.stat()).isFile) throw new TypeError("not a regular file");
  const buf = new Uint8Array(max + 1);
  let got = 0;
  for (;;) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
    if (got > max) throw new RangeError(`larger than ${max} bytes`);
  }
  return new TextDecoder().decode(buf.subarray(0, got));
}

/** How a read error reads in a one-line message: our own text, else the error's name. */
export function readErrorReason(err: unknown): string {
  if (err instanceof TypeError || err instanceof RangeError) return err.message;
  return err instanceof Error ? err.name : String(err);
}
