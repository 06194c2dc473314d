/**
 * A log file that is appended to and, before it would grow past `maxSize`
 * bytes, renamed to `<path>.1` (replacing the previous one) and restarted.
 */

/** Where and how large the log file may grow. */
export interface RotatingFileOptions {
  readonly path: string;
  /** Bytes; a single longer line is still written whole. */
  readonly maxSize: number;
}

const encoder = new TextEncoder();

/** Appends lines synchronously to a size-limited file with one backup. */
export class RotatingFile {
  readonly #path: string;
  readonly #maxSize: number;
  #size: number | undefined;

  /** Opens nothing yet: the file is created on the first write. */
  constructor(options: RotatingFileOptions) {
    this.#path = options.path;
    this.#maxSize = options.maxSize;
  }

  /** Appends `text`, rotating first if it would not fit. Throws on I/O errors. */
  write(text: string): void {
    const bytes = encoder.encode(text);
    this.#size ??= this.#currentSize();
    if (this.#size > 0 && this.#size + bytes.length > this.#maxSize) {
      Deno.renameSync(this.#path, `${this.#path}.1`);
      this.#size = 0;
    }
    Deno.writeFileSync(this.#path, bytes, { append: true, create: true });
    this.#size += bytes.length;
  }

  #currentSize(): number {
    try {
      return Deno.statSync(this.#path).size;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return 0;
      throw err;
    }
  }
}
