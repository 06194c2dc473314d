/**
 * What every TR-143 runner shares: its signature, the context the manager gives it
 * (cancellation, clock, system commands, name resolution, interface lookup), the
 * outcome it returns, and small helpers (µs dateTime, parameter parsing, host
 * resolution with a typed failure).
 *
 * A runner never throws for bad parameters or network failures: those become the
 * matching `Error_*` DiagnosticsState value. A throw is a bug and the manager turns it
 * into `Error_Internal`. On abort a runner returns as soon as it can; its outcome is
 * then ignored.
 *
 * @module
 */

import type { SystemSource } from "../../platform/system_source.ts";
import { clearTimer, setTimer } from "../../platform/timers.ts";

/** TR-181 ProtocolVersion. */
export type ProtocolVersion = "Any" | "IPv4" | "IPv6";

/** Input parameters of a diagnostic, canonical TR-181 text by parameter name. */
export type DiagnosticParams = Readonly<Record<string, string>>;

/** One result table row, canonical text by parameter name. */
export type ResultRow = Readonly<Record<string, string>>;

/** What a run ends with. */
export interface DiagnosticOutcome {
  /** DiagnosticsState: `Complete` or an `Error_*` value of the diagnostic's enumeration. */
  readonly state: string;
  /** Result parameters (canonical text); missing ones read as their type's placeholder. */
  readonly results: Readonly<Record<string, string>>;
  /** Result tables by table name (`RouteHops`, `PerConnectionResult`…), rows in order. */
  readonly tables?: Readonly<Record<string, readonly ResultRow[]>>;
}

/** Resolves a host name to addresses of the version asked for; [] when it cannot. */
export type Resolver = (host: string, version: ProtocolVersion) => Promise<string[]>;

/** What the manager gives a runner. */
export interface RunContext {
  /** Aborted when the run is stopped (Canceled, restarted, inputs changed). */
  readonly signal: AbortSignal;
  /** Wall clock, ms since the Unix epoch; fractions carry µs precision. */
  readonly now: () => number;
  /** Runs `ping` and `traceroute`. */
  readonly source: SystemSource;
  /** Name resolution; default {@linkcode resolveHost}. */
  readonly resolve?: Resolver;
  /**
   * The Linux device name of a TR-181 interface path (`Device.IP.Interface.2` →
   * `eth0`); undefined when the path names no interface. Absent: only "" is accepted.
   */
  readonly interfaceName?: (path: string) => Promise<string | undefined>;
}

/** A diagnostic's test. */
export type Runner = (params: DiagnosticParams, context: RunContext) => Promise<DiagnosticOutcome>;

/** The clock runners use by default: epoch ms with µs fraction. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** TR-106 dateTime in UTC with microsecond precision: `2008-04-09T15:01:05.123456Z`. */
export function microDateTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  const base = new Date(whole).toISOString(); // …T15:01:05.123Z
  return `${base.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}

/** An unsignedInt parameter, or `fallback` when empty or not a number. */
export function intParam(params: DiagnosticParams, name: string, fallback: number): number {
  const text = params[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  return Number.isFinite(value) ? value : fallback;
}

/** The ProtocolVersion parameter (default Any). */
export function protocolVersion(params: DiagnosticParams): ProtocolVersion {
  const v = params.ProtocolVersion;
  return v === "IPv4" || v === "IPv6" ? v : "Any";
}

/** The IP version of an address literal, or undefined when `host` is a name. */
export function addressFamily(host: string): "IPv4" | "IPv6" | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return "IPv4";
  if (host.includes(":") && /^[0-9a-fA-F:.]+$/.test(host)) return "IPv6";
  return undefined;
}

/**
 * Addresses of `host`: a literal as is (if of the right version), `localhost` as
 * loopback, otherwise DNS A/AAAA through `Deno.resolveDns` (which skips /etc/hosts).
 * [] when nothing resolves.
 */
export async function resolveHost(host: string, version: ProtocolVersion): Promise<string[]> {
  if (host === "") return [];
  const family = addressFamily(host);
  if (family !== undefined) return version === "Any" || version === family ? [host] : [];
  if (host === "localhost") {
    return version === "IPv6" ? ["::1"] : ["127.0.0.1"];
  }
  const types: ("A" | "AAAA")[] = version === "IPv4"
    ? ["A"]
    : version === "IPv6"
    ? ["AAAA"]
    : ["A", "AAAA"];
  const out: string[] = [];
  for (const type of types) {
    try {
      out.push(...await Deno.resolveDns(host, type));
    } catch {
      // NXDOMAIN, no server, no such record type: try the next type.
    }
  }
  return out;
}

/**
 * Checks the Interface parameter: "" (routing decides) → "", a known interface → its
 * device name, anything else → undefined.
 */
export async function interfaceOf(
  params: DiagnosticParams,
  context: RunContext,
): Promise<string | undefined> {
  const path = (params.Interface ?? "").replace(/\.$/, "");
  if (path === "") return "";
  return await context.interfaceName?.(path);
}

/** Resolves after `ms` or when `signal` aborts, whichever comes first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimer(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimer(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** Rounds a non-negative number to an unsignedInt string. */
export function uint(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return "0";
  return String(Math.min(Math.round(value), 0xffffffff));
}
