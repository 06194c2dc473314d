/**
 * How an encoded Bulk Data report leaves the device (TR-069 Annex N, TR-181
 * `Device.BulkData.Profile.{i}.Protocol`): one {@linkcode ReportTransport} per enabled
 * profile, made by the factory registered for the profile's Protocol.
 *
 * The scheduler (`scheduler.ts`) owns everything protocol-independent: collecting and
 * encoding the report, the reporting intervals, retaining failed reports
 * (NumberOfRetainedFailedReports; the body handed to `send` already carries them, as
 * Annex N.3 says) and the retry waits. A transport only delivers one body.
 *
 * Registering a transport (the HTTP one is built in; MQTT registers the same way):
 *
 * ```ts ignore
 * registry.register("MQTT", (profile) => new MqttReportTransport(profile, clients));
 * ```
 *
 * The agent owns one registry (`src/agent/bulkdata.ts`, `BulkDataService.transports`)
 * and registers "HTTP" itself; register other protocols there before the service starts.
 * `register` lists the Protocol in `Device.BulkData.Protocols`, so the ACS may set
 * `Profile.{i}.Protocol` to it (anything else is refused with 9007). The factory is
 * called when a profile is enabled or its configuration changes; the previous
 * transport of that profile is `close`d first.
 *
 * @module
 */

/** `Device.BulkData.Profile.{i}.EncodingType` values this agent encodes. */
export type ReportEncoding = "JSON" | "CSV";

/**
 * Report formats (`JSONEncoding.ReportFormat`, `CSVEncoding.ReportFormat`): the token sent
 * in the HTTP `BBF-Report-Format` header (TR-069 Annex N.2.1).
 */
export type ReportFormat =
  | "ObjectHierarchy"
  | "NameValuePair"
  | "ParameterPerRow"
  | "ParameterPerColumn";

/** One encoded report, ready to send: the current one plus any retained failed ones. */
export interface EncodedReport {
  /** UTF-8 body, uncompressed (a transport compresses if its settings say so). */
  readonly body: Uint8Array;
  /** `application/json; charset=UTF-8` or `text/csv; charset=UTF-8`. */
  readonly contentType: string;
  readonly encoding: ReportEncoding;
  readonly format: ReportFormat;
  /** How many collections the body carries (1 + retained failed reports). */
  readonly reports: number;
  /** When the newest collection was made (ms since the Unix epoch). */
  readonly collectedAt: number;
}

/**
 * What a factory gets: the profile's path (`Device.BulkData.Profile.3.`) and a reader of
 * its parameters (values as GetParameterValues shows them, e.g. `MQTT.PublishTopic`).
 */
export interface ProfileContext {
  /** Concrete path of the profile row, ending in ".". */
  readonly path: string;
  /**
   * Values of the named parameters of the profile, relative to {@linkcode path}
   * (`["HTTP.URL", "HTTP.Method"]`), in order; "" for a parameter the model lacks.
   */
  read(names: readonly string[]): Promise<string[]>;
  /** Values of any parameters by full path (for references such as `MQTT.Reference`). */
  readPaths(paths: readonly string[]): Promise<string[]>;
}

/** Retry schedule of a transport (HTTP: `HTTP.RetryEnable` and its two settings). */
export interface RetryPolicy {
  /** RetryMinimumWaitInterval, seconds (m). */
  readonly minimumWait: number;
  /** RetryIntervalMultiplier, thousandths (k). */
  readonly multiplier: number;
}

/** Delivers encoded reports of one profile. */
export interface ReportTransport {
  /**
   * Sends one report. Resolves once the collector (or broker) accepted it; rejects when
   * it did not (the scheduler then retains and retries it). Must give up when `signal`
   * aborts. Never log credentials.
   */
  send(report: EncodedReport, signal: AbortSignal): Promise<void>;
  /** Retry schedule after a failed send; undefined = no retries within the interval. */
  retryPolicy?(): RetryPolicy | undefined;
  /** Releases what the transport holds (connections); called once, when replaced. */
  close?(): void | Promise<void>;
}

/** Makes the transport of one profile (see the module doc). */
export type ReportTransportFactory = (
  profile: ProfileContext,
) => ReportTransport | Promise<ReportTransport>;

/** Protocol (`Device.BulkData.Protocols` value) → transport factory. */
export class TransportRegistry {
  readonly #factories = new Map<string, ReportTransportFactory>();

  /** Makes `protocol` available for `Profile.{i}.Protocol`; replaces an earlier factory. */
  register(protocol: string, factory: ReportTransportFactory): void {
    this.#factories.set(protocol, factory);
  }

  /** The factory of `protocol`, if registered. */
  get(protocol: string): ReportTransportFactory | undefined {
    return this.#factories.get(protocol);
  }

  /** Registered protocols in registration order (`Device.BulkData.Protocols`). */
  protocols(): string[] {
    return [...this.#factories.keys()];
  }
}
