/**
 * The UDP connection-request port (TR-069 Annex G, TR-111 Part 2): one UDP socket that
 * keeps a STUN binding alive towards the STUN server and takes UDP connection requests
 * from the ACS through it. The thin loop around the pure codecs of `message.ts` and
 * `udp_connection_request.ts`.
 *
 * - Binding Requests carry CONNECTION-REQUEST-BINDING; one goes out at start, then one
 *   every keep-alive period: STUNMaximumKeepAlivePeriod when set (−1: none, then
 *   {@linkcode DEFAULT_KEEPALIVE_S}), never less than STUNMinimumKeepAlivePeriod.
 * - An unanswered request is sent again after 0.5, 1, 2 and 4 s (retransmissions, which
 *   the minimum does not limit); then the next try comes one minimum period later.
 * - A 401 from the server while STUNUsername is set: the request goes again with USERNAME
 *   and MESSAGE-INTEGRITY, and so do all later ones (TR-111: integrity only when asked).
 * - A mapped address that differs from the last one: at once one more request, with
 *   BINDING-CHANGE (not limited by the minimum), so the ACS learns the new binding.
 * - NATDetected: the mapped address differs from the local address and port.
 * - UDPConnectionRequestAddress: the mapped address (or the local one before any answer),
 *   published no more often than UDPConnectionRequestAddressNotificationLimit seconds
 *   apart, so its active notifications keep that limit.
 * - Datagrams that are not STUN are UDP connection requests: judged, then rate limited
 *   with the HTTP ones, then `onConnectionRequest()`. Nothing is ever sent back to them.
 *
 * @module
 */

import { WakeTimer } from "../../platform/wake_timer.ts";
import {
  decodeBindingResponse,
  encodeBindingRequest,
  isStun,
  MAX_STUN_BYTES,
  newTransactionId,
  sameBytes,
  type StunAddress,
  StunDecodeError,
} from "./message.ts";
import {
  MAX_UDP_CR_BYTES,
  parseUdpConnectionRequest,
  type UdpCrDrop,
  UdpCrJudge,
} from "./udp_connection_request.ts";

/** Keep-alive period when STUNMaximumKeepAlivePeriod is −1 (none given), seconds. */
export const DEFAULT_KEEPALIVE_S = 30;
/** Retransmission delays of one Binding Request, ms. */
const RETRANSMIT_MS = [500, 1000, 2000, 4000];

/** The STUN settings (ManagementServer.STUN*), read anew at every request. */
export interface StunSettings {
  enable: boolean;
  /** Empty: the ACS URL's host. */
  serverAddress: string;
  serverPort: number;
  username: string;
  password: string;
  /** Seconds; −1 = none. */
  maximumKeepAlivePeriod: number;
  /** Seconds. */
  minimumKeepAlivePeriod: number;
  /** UDPConnectionRequestAddressNotificationLimit, seconds. */
  notificationLimit: number;
}

/** What the loop tells the data model. */
export interface StunState {
  /** ManagementServer.UDPConnectionRequestAddress ("" while closed). */
  udpConnectionRequestAddress: string;
  natDetected: boolean;
}

/** Options of {@linkcode StunConnectionRequests}. */
export interface StunClientOptions {
  /** Listen address and UDP port (0 = any, tests). */
  hostname: string;
  port: number;
  settings(): StunSettings;
  /** The host of the ACS URL (default STUN server). */
  acsHost(): string;
  /** ConnectionRequestUsername/Password now. */
  credentials(): { username: string; password: string };
  /** The local address the system uses to reach `host` (NAT detection). */
  localAddressFor(host: string, port: number): Promise<string | undefined>;
  /** A rate-limit token for a connection request (shared with HTTP); false = refused. */
  admit(now: number): boolean;
  onConnectionRequest(source: string): void;
  onDropped?(reason: UdpCrDrop | "rateLimit" | "wrongSource", source: string): void;
  /** DNS lookup of a STUN server name (tests); default Deno.resolveDns. */
  resolve?(host: string, type: "A" | "AAAA"): Promise<string[]>;
  onState(state: StunState): void;
  log(line: string): void;
  now?(): number;
}

/** `a` and `b` name the same address (an IPv4-mapped IPv6 source reads as IPv4). */
function sameHost(a: string, b: string): boolean {
  const plain = (h: string) => h.replace(/^::ffff:/i, "").toLowerCase();
  return plain(a) === plain(b);
}

function hostPort(a: StunAddress): string {
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The UDP connection-request port with its STUN keep-alives. */
export class StunConnectionRequests {
  readonly #o: StunClientOptions;
  readonly #judge = new UdpCrJudge();
  #conn?: Deno.DatagramConn;
  #port = 0;
  #closed = false;
  /**
   * The next request or retransmission: re-armed at every answer and setting change, at
   * times with a computed delay (what is left of the minimum period), so a WakeTimer.
   */
  readonly #timer = new WakeTimer();
  #pending?: { id: Uint8Array; sent: number; tries: number; withCredentials: boolean };
  #useCredentials = false;
  #mapped?: StunAddress;
  #bindingChange = false;
  /** Where the last Binding Request went. */
  #server?: { hostname: string; port: number };
  #lastSent = -Infinity;
  #local = "";
  #published?: StunState;
  #publishAt = -Infinity;
  /** A delayed address change (what is left of the notification limit): a WakeTimer too. */
  readonly #publishTimer = new WakeTimer();

  constructor(options: StunClientOptions) {
    this.#o = options;
  }

  /** The bound UDP port (0 while closed). */
  get port(): number {
    return this.#port;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** Binds the port and starts; throws a clear error when it cannot be bound. */
  async start(): Promise<void> {
    try {
      this.#conn = Deno.listenDatagram({
        transport: "udp",
        hostname: this.#o.hostname,
        port: this.#o.port,
      });
    } catch (error) {
      throw new Error(
        `Cannot listen for UDP connection requests on ${this.#o.hostname}:${this.#o.port}: ${
          (error as Error).message
        }`,
      );
    }
    this.#port = (this.#conn.addr as Deno.NetAddr).port;
    this.#receive();
    await this.#refreshLocal();
    this.#publish();
    this.#schedule(0);
  }

  /** Settings changed: a new request at once (a new server, enable, periods). */
  reconfigure(): void {
    if (this.#conn === undefined) return;
    this.#pending = undefined;
    this.#useCredentials = false;
    this.#schedule(0);
  }

  /** Closes the port. */
  close(): void {
    this.#closed = true;
    this.#timer.cancel();
    this.#publishTimer.cancel();
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#conn = undefined;
    this.#port = 0;
  }

  #schedule(delayMs: number): void {
    this.#timer.cancel();
    if (this.#closed) return;
    this.#timer.arm(delayMs, () => void this.#tick());
  }

  #keepAliveMs(): number {
    const s = this.#o.settings();
    const max = s.maximumKeepAlivePeriod > 0 ? s.maximumKeepAlivePeriod : DEFAULT_KEEPALIVE_S;
    return Math.max(max, s.minimumKeepAlivePeriod, 1) * 1000;
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    const settings = this.#o.settings();
    if (!settings.enable) {
      this.#pending = undefined;
      this.#mapped = undefined;
      this.#publish();
      return; // reconfigure() starts again
    }
    const now = this.#now();
    const pending = this.#pending;
    if (pending !== undefined) {
      if (pending.tries > RETRANSMIT_MS.length) {
        this.#o.log(
          `No answer from the STUN server ${this.#serverName(settings)} to the Binding Request`,
        );
        this.#pending = undefined;
        this.#schedule(Math.max(settings.minimumKeepAlivePeriod, 1) * 1000);
        return;
      }
      await this.#send(pending.id, pending.withCredentials);
      pending.tries++;
      this.#schedule(RETRANSMIT_MS[pending.tries - 1] ?? RETRANSMIT_MS.at(-1)!);
      return;
    }
    // The minimum period holds except for BINDING-CHANGE.
    const earliest = this.#lastSent + settings.minimumKeepAlivePeriod * 1000;
    if (!this.#bindingChange && now < earliest) {
      this.#schedule(earliest - now);
      return;
    }
    const id = newTransactionId(crypto.getRandomValues(new Uint8Array(12)));
    this.#pending = { id, sent: now, tries: 1, withCredentials: this.#useCredentials };
    await this.#send(id, this.#useCredentials);
    this.#schedule(RETRANSMIT_MS[0]);
  }

  #serverName(settings: StunSettings): string {
    const host = settings.serverAddress || this.#o.acsHost();
    return `${host}:${settings.serverPort}`;
  }

  /** The STUN server's address (resolved once per request), or undefined. */
  async #serverIp(host: string): Promise<string | undefined> {
    if (/^[\d.]+$/.test(host) || host.includes(":")) return host;
    for (const type of ["A", "AAAA"] as const) {
      try {
        const found = await this.#o.resolve?.(host, type) ?? await Deno.resolveDns(host, type);
        if (found.length > 0) return found[0];
      } catch { /* try the next type */ }
    }
    this.#o.log(`Cannot resolve the STUN server "${host}"`);
    return undefined;
  }

  async #send(id: Uint8Array, withCredentials: boolean): Promise<void> {
    const settings = this.#o.settings();
    const host = (settings.serverAddress || this.#o.acsHost()).replace(/^\[|\]$/g, "");
    if (host === "" || this.#conn === undefined) return;
    const hostname = await this.#serverIp(host);
    if (hostname === undefined) return;
    this.#server = { hostname, port: settings.serverPort };
    const credentials = withCredentials && settings.username !== ""
      ? { username: settings.username, password: settings.password }
      : undefined;
    const bytes = encodeBindingRequest({
      transactionId: id,
      bindingChange: this.#bindingChange,
      credentials,
    });
    this.#lastSent = this.#now();
    try {
      await this.#conn.send(bytes, { transport: "udp", hostname, port: settings.serverPort });
    } catch (error) {
      this.#o.log(`Cannot send a STUN Binding Request to ${hostname}: ${(error as Error).message}`);
    }
  }

  async #receive(): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined) return;
    while (!this.#closed) {
      let data: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [bytes, addr] = await conn.receive(new Uint8Array(MAX_UDP_CR_BYTES + 1));
        data = bytes;
        from = addr as Deno.NetAddr;
      } catch (error) {
        if (this.#closed) return;
        this.#o.log(`UDP connection-request port: ${(error as Error).message}`);
        continue;
      }
      const source = from.hostname;
      if (isStun(data)) {
        // Only the server the request went to may answer it (no spoofed bindings).
        const server = this.#server;
        if (
          server !== undefined && sameHost(source, server.hostname) && from.port === server.port
        ) {
          await this.#onStun(data);
        } else this.#o.onDropped?.("wrongSource", source);
      } else this.#onRequest(data, source);
    }
  }

  async #onStun(data: Uint8Array): Promise<void> {
    if (data.length > MAX_STUN_BYTES) return;
    let response;
    try {
      response = decodeBindingResponse(data);
    } catch (error) {
      if (error instanceof StunDecodeError) return; // not for us, or broken: dropped
      throw error;
    }
    const pending = this.#pending;
    if (pending === undefined || !sameBytes(response.transactionId, pending.id)) return;
    this.#pending = undefined;
    const settings = this.#o.settings();
    if (response.kind === "error") {
      if (response.code === 401 && settings.username !== "" && !pending.withCredentials) {
        this.#useCredentials = true;
        this.#schedule(0); // again, with USERNAME and MESSAGE-INTEGRITY
        return;
      }
      this.#o.log(
        `STUN server ${this.#serverName(settings)} answered ${response.code} ${response.reason}`,
      );
      this.#schedule(Math.max(settings.minimumKeepAlivePeriod, 1) * 1000);
      return;
    }
    const sentChange = this.#bindingChange;
    this.#bindingChange = false;
    const before = this.#mapped;
    this.#mapped = response.mapped;
    if (before !== undefined && hostPort(before) !== hostPort(response.mapped) && !sentChange) {
      this.#o.log(`STUN binding changed: ${hostPort(before)} → ${hostPort(response.mapped)}`);
      this.#bindingChange = true;
      this.#schedule(0);
    } else {
      this.#schedule(this.#keepAliveMs());
    }
    if (before === undefined) {
      await this.#refreshLocal();
      this.#o.log(`STUN binding ${hostPort(response.mapped)} (local ${this.#local}:${this.#port})`);
    } else if (hostPort(before) !== hostPort(response.mapped)) {
      await this.#refreshLocal(); // a new lease may have changed the local address too
    }
    this.#publish();
  }

  #onRequest(data: Uint8Array, source: string): void {
    const request = parseUdpConnectionRequest(data);
    const drop = (reason: UdpCrDrop | "rateLimit") => this.#o.onDropped?.(reason, source);
    if (request === undefined) return drop("malformed");
    const now = this.#now();
    const verdict = this.#judge.judge(request, this.#o.credentials(), Math.floor(now / 1000));
    if (verdict !== undefined) return drop(verdict);
    if (!this.#o.admit(now)) return drop("rateLimit");
    this.#o.onConnectionRequest(source);
  }

  async #refreshLocal(): Promise<void> {
    const settings = this.#o.settings();
    const host = (settings.serverAddress || this.#o.acsHost()).replace(/^\[|\]$/g, "");
    const local = host === "" ? undefined : await this.#o.localAddressFor(host, settings.serverPort)
      .catch(() => undefined);
    const bound = this.#o.hostname;
    this.#local = local ?? (bound === "0.0.0.0" || bound === "::" ? "127.0.0.1" : bound);
  }

  #state(): StunState {
    if (this.#conn === undefined || !this.#o.settings().enable) {
      return { udpConnectionRequestAddress: "", natDetected: false };
    }
    const local = { address: this.#local, port: this.#port };
    const mapped = this.#mapped;
    return {
      udpConnectionRequestAddress: hostPort(mapped ?? local),
      natDetected: mapped !== undefined && hostPort(mapped) !== hostPort(local),
    };
  }

  /** Tells the state, an address change no sooner than the notification limit allows. */
  #publish(): void {
    const next = this.#state();
    const last = this.#published;
    if (
      last !== undefined && last.udpConnectionRequestAddress === next.udpConnectionRequestAddress &&
      last.natDetected === next.natDetected
    ) return;
    const now = this.#now();
    const limitMs = this.#o.settings().notificationLimit * 1000;
    const addressChanged = last !== undefined &&
      last.udpConnectionRequestAddress !== next.udpConnectionRequestAddress &&
      last.udpConnectionRequestAddress !== "";
    if (addressChanged && now < this.#publishAt + limitMs) {
      this.#publishTimer.arm(this.#publishAt + limitMs - now, () => this.#publish());
      return;
    }
    if (last?.udpConnectionRequestAddress !== next.udpConnectionRequestAddress) {
      this.#publishAt = now;
    }
    this.#published = next;
    this.#o.onState(next);
  }
}
