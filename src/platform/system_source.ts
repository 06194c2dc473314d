/**
 * SystemSource: the read-only view of the box that the Linux data model objects use
 * (`/proc`, `/sys/class/net`, `/etc`, `ip -j …`). Objects never read the system
 * themselves; they get a source injected. Two implementations:
 *
 * - {@linkcode createDenoSystemSource}: the real system, through `Deno.*`.
 * - {@linkcode FixtureSystemSource}: a directory of captured files
 *   (`tests/testdata/linux/<name>/`), with an in-memory overlay so tests can change
 *   the "system" between reads. Command output is stored under `run/` as a file named
 *   by the argv joined with spaces (`run/ip -j addr`), netlink dumps under `netlink/`
 *   as hex text named by the request (`netlink/RTM_GETADDR`), and what
 *   `Deno.networkInterfaces()` answers in `deno/network_interfaces.json`.
 *
 * @module
 */

/** Output of a command run through {@linkcode SystemSource.run}. */
export interface RunResult {
  /** Exit code; 127 when the command does not exist, 124 on timeout. */
  readonly code: number;
  readonly stdout: string;
}

/** One address of `Deno.networkInterfaces()`. */
export interface InterfaceAddress {
  readonly family: "IPv4" | "IPv6";
  readonly name: string;
  readonly address: string;
  readonly netmask: string;
  /** `address/prefix length`; null when the mask is not contiguous. */
  readonly cidr: string | null;
}

/** Read access to the system's files and commands. */
export interface SystemSource {
  /** The text of the file at the absolute `path`, or undefined when it cannot be read. */
  readText(path: string): Promise<string | undefined>;
  /** Entry names of the directory at `path`, sorted; [] when it cannot be read. */
  listDir(path: string): Promise<string[]>;
  /**
   * Runs `argv` (no shell) and returns its exit code and stdout. Never throws. The process
   * is killed after `timeoutMs` or when `signal` aborts (code 124 either way).
   */
  run(argv: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult>;
  /**
   * The raw answer of a NETLINK_ROUTE dump request of `type` (`RTM_GETADDR` 22,
   * `RTM_GETNEIGH` 30; see `netlink.ts`), or undefined when netlink cannot be used.
   * Absent: never usable.
   */
  netlinkDump?(type: number): Promise<Uint8Array | undefined>;
  /** What `Deno.networkInterfaces()` answers; undefined when unavailable. */
  networkInterfaces?(): Promise<readonly InterfaceAddress[] | undefined>;
  /** Wall-clock time, ms since the Unix epoch. */
  now(): number;
  /** Offset of local time from UTC in minutes at `ms` (east positive); 0 when unknown. */
  utcOffsetMinutes?(ms: number): number;
}

let netlink: Promise<typeof import("./netlink.ts")> | undefined;

/**
 * The real system through `Deno.*` (needs read access; FFI for netlink, else `run` for
 * `ip`).
 */
export function createDenoSystemSource(): SystemSource {
  return {
    async readText(path) {
      try {
        return await Deno.readTextFile(path);
      } catch {
        return undefined;
      }
    },
    listDir: (path) => listDirectory(path),
    async run(argv, timeoutMs, signal) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      const cancel = () => controller.abort();
      if (signal?.aborted) cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      try {
        const output = await new Deno.Command(argv[0], {
          args: argv.slice(1),
          stdin: "null",
          stdout: "piped",
          stderr: "null",
          signal: controller.signal,
        }).output();
        const stdout = new TextDecoder().decode(output.stdout);
        return { code: controller.signal.aborted ? 124 : output.code, stdout };
      } catch (error) {
        if (controller.signal.aborted) return { code: 124, stdout: "" };
        return { code: error instanceof Deno.errors.NotFound ? 127 : 126, stdout: "" };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", cancel);
      }
    },
    // netlink.ts (and libc through FFI) loads on the first dump, never at start.
    netlinkDump: async (type) => (await (netlink ??= import("./netlink.ts"))).netlinkDump(type),
    networkInterfaces() {
      try {
        return Promise.resolve(Deno.networkInterfaces());
      } catch {
        return Promise.resolve(undefined);
      }
    },
    now: () => Date.now(),
    utcOffsetMinutes: (ms) => -new Date(ms).getTimezoneOffset(),
  };
}

const NETLINK_NAMES: Readonly<Record<number, string>> = { 22: "RTM_GETADDR", 30: "RTM_GETNEIGH" };

/** Options of {@linkcode FixtureSystemSource}. */
export interface FixtureSystemSourceOptions {
  /** What `now()` returns, ms since the epoch. Default: `captured_at` of the fixture. */
  readonly now?: number;
  /** What `utcOffsetMinutes()` returns. Default 0. */
  readonly utcOffsetMinutes?: number;
}

/**
 * Serves a directory of captured files as the system: `readText("/proc/stat")` reads
 * `<root>/proc/stat`, `run(["ip", "-j", "addr"])` reads `<root>/run/ip -j addr`
 * (exit 127 when absent). `write()` and `remove()` change an in-memory overlay, never
 * the files.
 */
export class FixtureSystemSource implements SystemSource {
  readonly #root: string;
  readonly #overlay = new Map<string, string | undefined>();
  #now: number;
  readonly #offset: number;

  /** Serves the fixture directory `root` (absolute, or relative to the working directory). */
  constructor(root: string, options: FixtureSystemSourceOptions = {}) {
    this.#root = root.replace(/\/+$/, "");
    this.#offset = options.utcOffsetMinutes ?? 0;
    this.#now = options.now ?? capturedAt(this.#root);
  }

  /** The file at `path` from the overlay or the fixture directory. */
  async readText(path: string): Promise<string | undefined> {
    if (this.#overlay.has(path)) return this.#overlay.get(path);
    for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
      const dir = path.slice(0, i);
      if (this.#overlay.has(dir) && this.#overlay.get(dir) === undefined) return undefined;
    }
    try {
      return await Deno.readTextFile(this.#root + path);
    } catch {
      return undefined;
    }
  }

  /** Entries of the fixture directory plus overlay files directly below `path`. */
  async listDir(path: string): Promise<string[]> {
    const dir = path.replace(/\/+$/, "");
    const names = new Set(await listDirectory(this.#root + dir));
    for (const [file, text] of this.#overlay) {
      if (!file.startsWith(`${dir}/`)) continue;
      const name = file.slice(dir.length + 1).split("/")[0];
      const whole = `${dir}/${name}`;
      if (text === undefined && whole === file) names.delete(name);
      else if (text !== undefined) names.add(name);
    }
    return [...names].sort();
  }

  /** The stored output `run/<argv joined by spaces>`; code 127 when there is none. */
  async run(argv: readonly string[]): Promise<RunResult> {
    const stdout = await this.readText(`/run/${argv.join(" ")}`);
    return stdout === undefined ? { code: 127, stdout: "" } : { code: 0, stdout };
  }

  /** The hex text `netlink/<request name>` as bytes; undefined when there is none. */
  async netlinkDump(type: number): Promise<Uint8Array | undefined> {
    const hex = (await this.readText(`/netlink/${NETLINK_NAMES[type] ?? type}`))
      ?.replace(/#.*$/gm, "").replace(/\s+/g, "");
    if (hex === undefined || !/^([0-9a-f]{2})*$/i.test(hex)) return undefined;
    return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  }

  /** The JSON array `deno/network_interfaces.json`; undefined when there is none. */
  async networkInterfaces(): Promise<readonly InterfaceAddress[] | undefined> {
    const text = await this.readText("/deno/network_interfaces.json");
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** The fixed clock. */
  now(): number {
    return this.#now;
  }

  /** The configured offset. */
  utcOffsetMinutes(): number {
    return this.#offset;
  }

  /** Moves the fixed clock to `ms`. */
  setNow(ms: number): void {
    this.#now = ms;
  }

  /** Replaces (or adds) the file at `path` in the overlay. */
  write(path: string, text: string): void {
    this.#overlay.set(path, text);
  }

  /** Makes the file at `path` (or a whole directory entry) read as missing. */
  remove(path: string): void {
    this.#overlay.set(path, undefined);
  }
}

async function listDirectory(path: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names.sort();
  } catch {
    return [];
  }
}

function capturedAt(root: string): number {
  try {
    const ms = Date.parse(Deno.readTextFileSync(`${root}/captured_at`).trim());
    return Number.isNaN(ms) ? 0 : ms;
  } catch {
    return 0;
  }
}
