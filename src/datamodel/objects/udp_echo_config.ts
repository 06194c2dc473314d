/**
 * `Device.IP.Diagnostics.UDPEchoConfig.` (TR-181 2.17; TR-143 UDP echo server,
 * CWMP-FACTS §9.1), bound to a {@linkcode UdpEchoController} that the agent implements
 * with the UDP service (`src/services/udp_echo/controller.ts`).
 *
 * Supported: every parameter of the object. Enable, Interface, SourceIPAddress, UDPPort
 * and EchoPlusEnabled apply at once when set (start / stop / rebind / filter); Enable
 * false→true resets the counters (TR-181). EchoPlusSupported is true. The counters and
 * times are read live from the running service (the last values stay readable after
 * Enable goes false). Counters are unsignedInt: they wrap at 2^32.
 *
 * Checks: Interface is "" (all interfaces) or a `Device.IP.Interface.{i}` reference that
 * `interfaceExists` accepts; SourceIPAddress is "" or an IP literal; UDPPort is 1–65535
 * when the server is (or becomes) enabled.
 *
 * @module
 */

import type {
  Binding,
  ChangeObjection,
  MaybePromise,
  ParameterChange,
  ParameterRef,
} from "../provider.ts";
import { nameOf } from "./_fields.ts";

/** The writable settings of the echo server. */
export interface UdpEchoSettings {
  readonly enable: boolean;
  /** "" = all interfaces, else e.g. `Device.IP.Interface.1`. */
  readonly interface: string;
  /** "" = any source. */
  readonly sourceIPAddress: string;
  readonly udpPort: number;
  readonly echoPlusEnabled: boolean;
}

/** What the binding drives: the agent's echo server. */
export interface UdpEchoController {
  /** The settings in force. */
  readonly state: UdpEchoSettings;
  /** Applies `settings` (start, stop, rebind, reconfigure); on a throw nothing changed. */
  apply(settings: UdpEchoSettings): Promise<void>;
  /**
   * The server's counters (TR-181 names: PacketsReceived, …, TimeLastPacketReceived);
   * `{}` before the first start.
   */
  stats(): Promise<Record<string, number | string>>;
}

/** Options of {@linkcode bindUdpEchoConfig}. */
export interface UdpEchoConfigOptions {
  /** Whether the interface row exists (e.g. `Device.IP.Interface.1`). Default: any. */
  interfaceExists?(path: string): MaybePromise<boolean>;
}

/** Supported parameters of `Device.IP.Diagnostics.UDPEchoConfig.`. */
export const UDP_ECHO_CONFIG_PARAMETERS: readonly string[] = [
  "Enable",
  "Interface",
  "SourceIPAddress",
  "UDPPort",
  "EchoPlusEnabled",
  "EchoPlusSupported",
  "PacketsReceived",
  "PacketsResponded",
  "BytesReceived",
  "BytesResponded",
  "TimeFirstPacketReceived",
  "TimeLastPacketReceived",
];

const STATS = new Set(UDP_ECHO_CONFIG_PARAMETERS.slice(6));
const UNKNOWN_TIME = "0001-01-01T00:00:00Z";
const INTERFACE = /^Device\.IP\.Interface\.[1-9]\d*\.?$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

function isIpLiteral(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!IPV6.test(text) || !text.includes(":")) return false;
  const tail = text.slice(text.lastIndexOf(":") + 1);
  const groups = text.split("::");
  if (groups.length > 2) return false;
  if (tail.includes(".") && !IPV4.test(tail)) return false;
  const parts = text.split(":").filter((p) => p !== "");
  const count = parts.length + (tail.includes(".") ? 1 : 0);
  if (parts.some((p) => !p.includes(".") && !/^[0-9A-Fa-f]{1,4}$/.test(p))) return false;
  return groups.length === 2 ? count <= 7 : count === 8;
}

function read(name: string, s: UdpEchoSettings, stats: Record<string, number | string>): string {
  switch (name) {
    case "Enable":
      return String(s.enable);
    case "Interface":
      return s.interface;
    case "SourceIPAddress":
      return s.sourceIPAddress;
    case "UDPPort":
      return String(s.udpPort);
    case "EchoPlusEnabled":
      return String(s.echoPlusEnabled);
    case "EchoPlusSupported":
      return "true";
  }
  const v = stats[name];
  if (name.startsWith("Time")) return typeof v === "string" ? v : UNKNOWN_TIME;
  return String(typeof v === "number" ? v % 2 ** 32 : 0);
}

function settingsWith(s: UdpEchoSettings, changes: readonly ParameterChange[]): UdpEchoSettings {
  let next = { ...s };
  for (const c of changes) {
    switch (nameOf(c)) {
      case "Enable":
        next = { ...next, enable: c.value === "true" };
        break;
      case "Interface":
        next = { ...next, interface: c.value };
        break;
      case "SourceIPAddress":
        next = { ...next, sourceIPAddress: c.value };
        break;
      case "UDPPort":
        next = { ...next, udpPort: Number(c.value) };
        break;
      case "EchoPlusEnabled":
        next = { ...next, echoPlusEnabled: c.value === "true" };
        break;
    }
  }
  return next;
}

/** Binds `Device.IP.Diagnostics.UDPEchoConfig.` to `controller`. */
export function bindUdpEchoConfig(
  controller: UdpEchoController,
  options: UdpEchoConfigOptions = {},
): Binding {
  return {
    object: "Device.IP.Diagnostics.UDPEchoConfig.",
    parameters: UDP_ECHO_CONFIG_PARAMETERS,
    provider: {
      async get(refs: readonly ParameterRef[]): Promise<string[]> {
        const names = refs.map(nameOf);
        const stats = names.some((n) => STATS.has(n)) ? await controller.stats() : {};
        const state = controller.state;
        return names.map((n) => read(n, state, stats));
      },
      async check(changes: readonly ParameterChange[]): Promise<ChangeObjection[]> {
        const out: ChangeObjection[] = [];
        const next = settingsWith(controller.state, changes);
        for (const c of changes) {
          const name = nameOf(c);
          if (name === "Interface" && c.value !== "") {
            if (!INTERFACE.test(c.value) || !(await (options.interfaceExists?.(c.value) ?? true))) {
              out.push({
                path: c.path,
                message: `Interface must be "" or an IP interface: "${c.value}"`,
              });
            }
          } else if (name === "SourceIPAddress" && c.value !== "" && !isIpLiteral(c.value)) {
            out.push({
              path: c.path,
              message: `SourceIPAddress must be an IP address: "${c.value}"`,
            });
          } else if (name === "UDPPort") {
            const port = Number(c.value);
            if (port > 65535 || (port === 0 && next.enable)) {
              out.push({ path: c.path, message: `UDPPort must be 1 to 65535: "${c.value}"` });
            }
          } else if (
            name === "Enable" && next.enable && (next.udpPort < 1 || next.udpPort > 65535)
          ) {
            out.push({
              path: c.path,
              message: `Cannot enable the UDP echo server on UDPPort "${next.udpPort}"`,
            });
          }
        }
        return out;
      },
      async set(changes: readonly ParameterChange[]) {
        const before = controller.state;
        await controller.apply(settingsWith(before, changes));
        return { status: 0 as const, undo: () => controller.apply(before) };
      },
    },
  };
}
