/**
 * DiagnosticsManager: the TR-143 diagnostics of the device, each with its input
 * parameters (kept in memory, TR-181 defaults), its {@linkcode DiagnosticsMachine},
 * its runner and its last results (kept until the next run; lost on reboot, so
 * DiagnosticsState reads None after one).
 *
 * The agent's part: call {@linkcode DiagnosticsManager.sessionEnded} when an ACS
 * session ends (requested tests start then), and open a session with
 * `8 DIAGNOSTICS COMPLETE` when {@linkcode DiagnosticsManager.onComplete} fires (never
 * after a cancel). The data-model bindings (`datamodel/objects/ip_diagnostics.ts`,
 * `nslookup_diagnostics.ts`) read and write through the
 * {@linkcode DiagnosticsBackend} methods.
 *
 * The default runners are loaded on demand: each runner module is imported (a dynamic
 * `import()`, a chunk of its own in the bundle) when its diagnostic first runs, so
 * start-up neither loads nor compiles them. What the manager needs before that, the
 * option defaults and the DSCP probe, comes from `runner_options.ts`. A module that
 * fails to load ends that run with Error_Internal (through `onRunnerError`) and is
 * tried again on the next run.
 *
 * @module
 */

import type { DiagnosticsBackend } from "../../datamodel/objects/_diagnostics.ts";
import type { SystemSource } from "../../platform/system_source.ts";
import {
  type DiagnosticOutcome,
  preciseNow,
  type Resolver,
  type ResultRow,
  type RunContext,
  type Runner,
} from "./runner.ts";
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_UDP_ECHO_MAX_RESULTS,
  type NSLookupOptions,
  type ServerSelectionOptions,
  type TransferOptions,
  udpEchoDscpUnavailable,
  type UDPEchoOptions,
} from "./runner_options.ts";
import {
  type DiagnosticsAction,
  type DiagnosticsInput,
  type DiagnosticsMachine,
  diagnosticsStep,
  INITIAL_DIAGNOSTICS,
} from "./state_machine.ts";

/** The diagnostics, by their TR-181 object name. */
export type DiagnosticName =
  | "IPPing"
  | "TraceRoute"
  | "DownloadDiagnostics"
  | "UploadDiagnostics"
  | "UDPEchoDiagnostics"
  | "ServerSelectionDiagnostics"
  | "NSLookupDiagnostics";

/** Every diagnostic the manager runs. */
export const DIAGNOSTIC_NAMES: readonly DiagnosticName[] = [
  "IPPing",
  "TraceRoute",
  "DownloadDiagnostics",
  "UploadDiagnostics",
  "UDPEchoDiagnostics",
  "ServerSelectionDiagnostics",
  "NSLookupDiagnostics",
];

/** Input parameters after power-on (TR-181 defaults where it has them, else ours). */
export const DIAGNOSTIC_DEFAULTS: Readonly<
  Record<DiagnosticName, Readonly<Record<string, string>>>
> = {
  IPPing: {
    Interface: "",
    ProtocolVersion: "Any",
    Host: "",
    NumberOfRepetitions: "3",
    Timeout: "1000",
    DataBlockSize: "56",
    DSCP: "0",
  },
  TraceRoute: {
    Interface: "",
    ProtocolVersion: "Any",
    Host: "",
    NumberOfTries: "3",
    Timeout: "5000",
    DataBlockSize: "32",
    DSCP: "0",
    MaxHopCount: "30",
  },
  DownloadDiagnostics: {
    Interface: "",
    DownloadURL: "",
    ProtocolVersion: "Any",
    NumberOfConnections: "1",
    EnablePerConnectionResults: "false",
    DSCP: "0",
    EthernetPriority: "0",
  },
  UploadDiagnostics: {
    Interface: "",
    UploadURL: "",
    ProtocolVersion: "Any",
    NumberOfConnections: "1",
    EnablePerConnectionResults: "false",
    TestFileLength: "0",
    DSCP: "0",
    EthernetPriority: "0",
  },
  UDPEchoDiagnostics: {
    Interface: "",
    Host: "",
    Port: "7",
    NumberOfRepetitions: "1",
    Timeout: "5000",
    DataBlockSize: "24",
    InterTransmissionTime: "1000",
    ProtocolVersion: "Any",
    EnableIndividualPacketResults: "false",
    DSCP: "0",
  },
  ServerSelectionDiagnostics: {
    Interface: "",
    ProtocolVersion: "Any",
    Protocol: "ICMP",
    HostList: "",
    NumberOfRepetitions: "3",
    Timeout: "1000",
  },
  NSLookupDiagnostics: {
    Interface: "",
    HostName: "",
    DNSServer: "",
    Timeout: "5000",
    NumberOfRepetitions: "1",
  },
};

const NO_HTTP_TOS = "the HTTP test connections (Deno.connect) cannot set IP_TOS";
const NO_PRIORITY = "the test connections cannot set SO_PRIORITY (Deno.connect)";

/**
 * Inputs this device applies only at their default, with the reason: any other value
 * is refused at SetParameterValues time (never accepted and silently not applied).
 * UDPEchoDiagnostics DSCP is applied where a marking socket can be opened (see
 * {@linkcode DiagnosticsManager.refusal}); IPPing and TraceRoute apply DSCP themselves.
 */
const DEFAULT_ONLY: Partial<Record<DiagnosticName, Readonly<Record<string, string>>>> = {
  DownloadDiagnostics: { DSCP: NO_HTTP_TOS, EthernetPriority: NO_PRIORITY },
  UploadDiagnostics: { DSCP: NO_HTTP_TOS, EthernetPriority: NO_PRIORITY },
};

/**
 * The default runner of each diagnostic, loaded from its module. The specifiers stay
 * literal so that the bundler gives each module a chunk and `deno info` lists it as a
 * dynamic dependency only.
 */
const RUNNER_LOADERS: Readonly<
  Record<DiagnosticName, (options: DiagnosticsManagerOptions) => Promise<Runner>>
> = {
  IPPing: async () => (await import("./ping.ts")).runIPPing,
  TraceRoute: async () => (await import("./traceroute.ts")).runTraceRoute,
  DownloadDiagnostics: async (o) => (await import("./download.ts")).downloadRunner(o.download),
  UploadDiagnostics: async (o) => (await import("./upload.ts")).uploadRunner(o.upload),
  UDPEchoDiagnostics: async (o) => (await import("./udp_echo_client.ts")).udpEchoRunner(o.udpEcho),
  ServerSelectionDiagnostics: async (o) =>
    (await import("./server_selection.ts")).serverSelectionRunner(o.serverSelection),
  NSLookupDiagnostics: async (o) => (await import("./nslookup.ts")).nsLookupRunner(o.nsLookup),
};

/**
 * A runner that loads the real one with `load` on its first call and then calls it.
 * One load in flight at a time; a failed load rejects that run (the manager's
 * Error_Internal) and is retried by the next.
 */
function lazyRunner(load: () => Promise<Runner>): Runner {
  let loading: Promise<Runner> | undefined;
  return async (params, context) => {
    const pending = loading ??= load();
    let runner: Runner;
    try {
      runner = await pending;
    } catch (error) {
      if (loading === pending) loading = undefined;
      throw error;
    }
    return await runner(params, context);
  };
}

/** Options of {@linkcode DiagnosticsManager}. */
export interface DiagnosticsManagerOptions {
  /** Runs ping and traceroute, reads resolv.conf. */
  readonly source: SystemSource;
  /** Wall clock for the µs timestamps; default `performance.timeOrigin + performance.now()`. */
  readonly now?: () => number;
  /** Name resolution; default `Deno.resolveDns` (see `runner.ts`). */
  readonly resolve?: Resolver;
  /** TR-181 interface path → Linux device; absent: only an empty Interface is accepted. */
  readonly interfaceName?: (path: string) => Promise<string | undefined>;
  readonly download?: TransferOptions;
  readonly upload?: TransferOptions;
  readonly udpEcho?: UDPEchoOptions;
  readonly serverSelection?: ServerSelectionOptions;
  readonly nsLookup?: NSLookupOptions;
  /** Replaces runners (tests, integrators). */
  readonly runners?: Partial<Record<DiagnosticName, Runner>>;
  /**
   * Replaces how default runners are loaded on their first run (integrators shipping
   * a runner in a module of its own, tests); `runners` takes precedence.
   */
  readonly loaders?: Partial<Record<DiagnosticName, () => Promise<Runner>>>;
  /** Called when a runner throws (a bug: the state becomes Error_Internal). */
  readonly onRunnerError?: (name: DiagnosticName, error: unknown) => void;
}

interface Entry {
  machine: DiagnosticsMachine;
  inputs: Record<string, string>;
  outcome?: DiagnosticOutcome;
  controller?: AbortController;
  readonly constants: Readonly<Record<string, string>>;
  readonly runner: Runner;
}

/** Owns the state machines, inputs, runs and results of every diagnostic. */
export class DiagnosticsManager implements DiagnosticsBackend {
  readonly #entries = new Map<string, Entry>();
  readonly #options: DiagnosticsManagerOptions;
  readonly #listeners = new Set<(name: DiagnosticName) => void>();
  readonly #running = new Set<Promise<void>>();
  #udpEchoDscp?: { why: string | undefined };

  /** A manager with every diagnostic idle (None) and default inputs. */
  constructor(options: DiagnosticsManagerOptions) {
    this.#options = options;
    const maxDown = options.download?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const maxUp = options.upload?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const runner = (name: DiagnosticName): Runner =>
      options.runners?.[name] ??
        lazyRunner(options.loaders?.[name] ?? (() => RUNNER_LOADERS[name](options)));
    const constants: Partial<Record<DiagnosticName, Record<string, string>>> = {
      DownloadDiagnostics: {
        DownloadTransports: "HTTP",
        DownloadDiagnosticMaxConnections: String(maxDown),
      },
      UploadDiagnostics: {
        UploadTransports: "HTTP",
        UploadDiagnosticsMaxConnections: String(maxUp),
      },
      UDPEchoDiagnostics: {
        UDPEchoDiagnosticsMaxResults: String(
          options.udpEcho?.maxResults ?? DEFAULT_UDP_ECHO_MAX_RESULTS,
        ),
      },
    };
    for (const name of DIAGNOSTIC_NAMES) {
      this.#entries.set(name, {
        machine: INITIAL_DIAGNOSTICS,
        inputs: { ...DIAGNOSTIC_DEFAULTS[name] },
        constants: constants[name] ?? {},
        runner: runner(name),
      });
    }
  }

  /** DiagnosticsState, an input, a constant or a result of `name`; undefined when unknown. */
  value(name: string, parameter: string): string | undefined {
    const entry = this.#entry(name);
    if (parameter === "DiagnosticsState") return entry.machine.value;
    return entry.inputs[parameter] ?? entry.constants[parameter] ??
      entry.outcome?.results[parameter];
  }

  /**
   * Why input `parameter` of `name` cannot take `value` on this device (a marking it
   * cannot apply), or undefined when it can: non-default DSCP/EthernetPriority of
   * Download/Upload, and a non-zero UDPEchoDiagnostics DSCP without a marking socket.
   */
  refusal(name: string, parameter: string, value: string): string | undefined {
    const defaults = DIAGNOSTIC_DEFAULTS[name as DiagnosticName];
    if (defaults?.[parameter] === undefined || Number(value) === Number(defaults[parameter])) {
      return undefined;
    }
    let why = DEFAULT_ONLY[name as DiagnosticName]?.[parameter];
    if (name === "UDPEchoDiagnostics" && parameter === "DSCP") {
      this.#udpEchoDscp ??= {
        why: (this.#options.udpEcho?.dscpUnavailable ?? udpEchoDscpUnavailable)(),
      };
      why = this.#udpEchoDscp.why;
    }
    if (why === undefined) return undefined;
    return `${parameter} "${value}" is not supported on this device, only "${
      defaults[parameter]
    }": ${why}`;
  }

  /** The rows of result table `table` of `name` from the last finished run. */
  rows(name: string, table: string): readonly ResultRow[] {
    return this.#entry(name).outcome?.tables?.[table] ?? [];
  }

  /**
   * Applies one SetParameterValues batch on `name`'s object: inputs by name, plus
   * `DiagnosticsState` (Requested or Canceled; the binding refuses other values).
   * Returns the undo for a failed transaction.
   */
  apply(name: string, changes: Readonly<Record<string, string>>): () => void {
    const entry = this.#entry(name);
    const before = { machine: entry.machine, inputs: { ...entry.inputs } };
    const requested = changes.DiagnosticsState;
    let inputsChanged = false;
    for (const [parameter, value] of Object.entries(changes)) {
      if (parameter === "DiagnosticsState") continue;
      if (!(parameter in entry.inputs)) {
        throw new TypeError(`Not an input of ${name}: "${parameter}"`);
      }
      if (entry.inputs[parameter] !== value) inputsChanged = true;
      entry.inputs[parameter] = value;
    }
    this.#feed(name, {
      kind: "set",
      diagnosticsState: requested === "Requested" || requested === "Canceled"
        ? requested
        : undefined,
      inputsChanged,
    });
    return () => {
      entry.inputs = before.inputs;
      const stopped = before.machine.phase === "running" &&
        entry.controller?.signal.aborted !== false;
      // A run that this batch stopped cannot come back: request it again instead.
      entry.machine = stopped ? { ...before.machine, phase: "pending" } : before.machine;
    };
  }

  /** The ACS session ended: start every requested diagnostic. */
  sessionEnded(): void {
    for (const name of this.#entries.keys()) this.#feed(name, { kind: "sessionEnded" });
  }

  /**
   * Calls `listener` with the diagnostic's name each time one finishes (Complete or
   * Error_*), not when one is canceled or stopped. Returns the unsubscribe function.
   */
  onComplete(listener: (name: DiagnosticName) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once no run is in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Stops every run (shutdown); states stay as they are. */
  stopAll(): void {
    for (const entry of this.#entries.values()) entry.controller?.abort();
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new TypeError(`Unknown diagnostic: "${name}"`);
    return entry;
  }

  #feed(name: string, input: DiagnosticsInput, outcome?: DiagnosticOutcome): void {
    const entry = this.#entry(name);
    const step = diagnosticsStep(entry.machine, input);
    entry.machine = step.machine;
    for (const action of step.actions) {
      this.#perform(name as DiagnosticName, entry, action, outcome);
    }
  }

  #perform(
    name: DiagnosticName,
    entry: Entry,
    action: DiagnosticsAction,
    outcome?: DiagnosticOutcome,
  ): void {
    switch (action.kind) {
      case "stop":
        entry.controller?.abort();
        entry.controller = undefined;
        return;
      case "start":
        this.#start(name, entry, action.runId);
        return;
      case "complete":
        entry.outcome = outcome;
        entry.controller = undefined;
        for (const listener of [...this.#listeners]) listener(name);
        return;
    }
  }

  #start(name: DiagnosticName, entry: Entry, runId: number): void {
    entry.outcome = undefined;
    const controller = new AbortController();
    entry.controller = controller;
    const context: RunContext = {
      signal: controller.signal,
      now: this.#options.now ?? preciseNow,
      source: this.#options.source,
      resolve: this.#options.resolve,
      interfaceName: this.#options.interfaceName,
    };
    const params = { ...entry.inputs };
    const run = (async () => {
      let outcome: DiagnosticOutcome;
      try {
        outcome = await entry.runner(params, context);
      } catch (error) {
        this.#options.onRunnerError?.(name, error);
        outcome = { state: "Error_Internal", results: {} };
      }
      if (controller.signal.aborted) return;
      this.#feed(name, { kind: "finished", runId, value: outcome.state }, outcome);
    })();
    this.#running.add(run);
    run.finally(() => this.#running.delete(run));
  }
}
