/**
 * The UDP Lightweight Notification sender (TR-069 Annex M; CWMP-FACTS §7.5): the thin
 * loop around `message.ts`.
 *
 * - A change of a parameter with Notification 5 or 6 (active lightweight) goes out at
 *   once, together with every passive one waiting (3 or 4).
 * - Passive changes wait for that, or for the next LightweightNotificationTriggerInterval
 *   instant (phase from TriggerTime, `trigger.ts`); with an interval of 0 they wait for an
 *   active one. A parameter that changes again while waiting keeps only its latest value.
 * - LightweightNotificationProtocolsUsed without "UDP" turns it all off: changes are
 *   dropped and what waits is forgotten (TR-181: disabled "despite any
 *   SetParameterAttributes").
 * - Sends are best effort, as UDP is: no answer is expected, and a send that fails (no
 *   route, a name that does not resolve) is reported through `onError` and not repeated.
 *   Datagrams go out in order, from a socket opened for each batch.
 *
 * In memory only: like `4 VALUE CHANGE`, what waits is lost at a restart.
 *
 * @module
 */

import { WakeTimer } from "../../platform/wake_timer.ts";
import { encodeLwnDatagrams, type LwnParam } from "./message.ts";
import { nextLwnTrigger, triggerReference } from "./trigger.ts";

/** The sender's view of ManagementServer, read anew for each decision. */
export interface LwnSettings {
  /** LightweightNotificationProtocolsUsed contains "UDP". */
  readonly enabled: boolean;
  /** The receiver (UDPLightweightNotificationHost, or the ACS URL's host when that is empty). */
  readonly host: string;
  readonly port: number;
  /** LightweightNotificationTriggerInterval, seconds; 0 = off. */
  readonly triggerInterval: number;
  /** LightweightNotificationTriggerTime (TR-106 dateTime). */
  readonly triggerTime: string;
  /** ManagementServer.Username (UN). */
  readonly username: string;
  /** ManagementServer.Password (the signature key). */
  readonly password: string;
}

/** A changed parameter with a lightweight attribute. */
export interface LwnChange extends LwnParam {
  /** Notification 5 or 6 (active lightweight); false for 3 or 4. */
  readonly active: boolean;
}

/** Sends `datagram` to `host`:`port`. */
export type SendDatagrams = (
  datagrams: readonly Uint8Array[],
  host: string,
  port: number,
) => Promise<void>;

/** Options of {@linkcode LwnSender}. */
export interface LwnSenderOptions {
  settings(): LwnSettings;
  /** DeviceInfo.ManufacturerOUI, ProductClass, SerialNumber. */
  readonly identity: { oui: string; productClass: string; serialNumber: string };
  now(): number;
  /**
   * The trigger's phase when TriggerTime gives none, ms; default `now()` at construction
   * (a caller that builds the sender on first use passes its own start).
   */
  readonly startedAt?: number;
  /** Default: a UDP socket per batch ({@linkcode sendUdp}). */
  readonly send?: SendDatagrams;
  /** A batch went out. */
  onSent?(info: { host: string; port: number; datagrams: number; params: LwnParam[] }): void;
  /** A parameter too large for one datagram, not sent. */
  onTooLarge?(param: LwnParam, host: string): void;
  /** A send failed. */
  onError?(message: string): void;
}

/** Pending passive lightweight notifications and the trigger timer. */
export class LwnSender {
  readonly #options: LwnSenderOptions;
  readonly #pending = new Map<string, LwnParam>();
  /** The phase when TriggerTime gives none: the sender's start. */
  readonly #startedAt: number;
  /** Re-armed with a new delay at each passive change: a WakeTimer, which does not leak. */
  readonly #timer = new WakeTimer();
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  /** A sender; nothing is sent before {@linkcode changed}. */
  constructor(options: LwnSenderOptions) {
    this.#options = options;
    this.#startedAt = options.startedAt ?? options.now();
  }

  /** How many passive changes wait. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Takes a poll's lightweight changes: active ones send at once, passive ones wait. */
  changed(changes: readonly LwnChange[]): void {
    if (this.#closed || changes.length === 0) return;
    if (!this.#options.settings().enabled) return;
    const active: LwnParam[] = [];
    for (const change of changes) {
      const param = { name: change.name, value: change.value, type: change.type };
      if (change.active) {
        this.#pending.delete(change.name);
        active.push(param);
      } else {
        this.#pending.set(change.name, param);
      }
    }
    if (active.length > 0) this.#flush(active);
    else this.#arm();
  }

  /** A LightweightNotification* setting changed: turn off, or re-phase the trigger. */
  settingsChanged(): void {
    if (this.#closed) return;
    if (!this.#options.settings().enabled) this.#pending.clear();
    this.#arm();
  }

  /** Resolves when every batch handed out so far has been sent (or failed). */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Stops the timer; what waits is dropped. */
  close(): void {
    this.#closed = true;
    this.#timer.cancel();
    this.#pending.clear();
  }

  #arm(): void {
    this.#timer.cancel();
    if (this.#closed || this.#pending.size === 0) return;
    const settings = this.#options.settings();
    if (!settings.enabled) return;
    const now = this.#options.now();
    const reference = triggerReference(settings.triggerTime) ?? this.#startedAt;
    const at = nextLwnTrigger(now, settings.triggerInterval, reference);
    if (at === undefined) return;
    this.#timer.arm(at - now, () => this.#flush([]));
  }

  /** Sends the waiting passive changes and `active` now, then re-arms. */
  #flush(active: readonly LwnParam[]): void {
    const params = [...this.#pending.values(), ...active];
    this.#pending.clear();
    this.#arm();
    if (params.length === 0) return;
    const settings = this.#options.settings();
    const { host, port } = settings;
    const { datagrams, tooLarge } = encodeLwnDatagrams(params, {
      header: {
        ts: Math.floor(this.#options.now() / 1000),
        username: settings.username,
        oui: this.#options.identity.oui,
        productClass: this.#options.identity.productClass,
        serialNumber: this.#options.identity.serialNumber,
      },
      cnonce: randomCnonce,
      framing: { host, port, password: settings.password },
    });
    for (const param of tooLarge) this.#options.onTooLarge?.(param, host);
    if (datagrams.length === 0) return;
    const sent = params.filter((p) => !tooLarge.includes(p));
    const send = this.#options.send ?? sendUdp;
    this.#chain = this.#chain.then(async () => {
      if (host === "") {
        throw new Error("no receiver: UDPLightweightNotificationHost and URL are empty");
      }
      await send(datagrams, host, port);
      this.#options.onSent?.({ host, port, datagrams: datagrams.length, params: sent });
    }).catch((error) => {
      this.#options.onError?.(
        `Cannot send ${datagrams.length} lightweight notification(s) to ${host}:${port}: ${
          (error as Error).message
        }`,
      );
    });
  }
}

/** 16 random bytes as 32 hex digits. */
function randomCnonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Sends `datagrams` from a socket opened for them: IPv6 for an IPv6 literal, else IPv4
 * (a host name is resolved by the runtime).
 */
export async function sendUdp(
  datagrams: readonly Uint8Array[],
  host: string,
  port: number,
): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, "");
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: bare.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  try {
    for (const datagram of datagrams) {
      await socket.send(datagram, { transport: "udp", hostname: bare, port });
    }
  } finally {
    socket.close();
  }
}
