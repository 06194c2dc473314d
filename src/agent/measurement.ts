/**
 * The measurement services the data model drives (issue #4): the TR-143 UDP echo
 * server (Device.IP.Diagnostics.UDPEchoConfig.) and the TR-390 TWAMP-Light reflectors
 * (Device.IP.Interface.{i}.TWAMPReflector.{i}.). Their settings persist in the state
 * directory; an SPV applies at once; enabled services come back after a restart.
 *
 * @module
 */

import type { Binding, ParameterTree } from "../datamodel/mod.ts";
import { bindTwampReflector, TwampReflectorTable } from "../datamodel/objects/twamp_reflector.ts";
import {
  bindUdpEchoConfig,
  type UdpEchoController,
  type UdpEchoSettings,
} from "../datamodel/objects/udp_echo_config.ts";
import { bindIpDiagnostics } from "../datamodel/objects/ip_diagnostics.ts";
import { bindNSLookupDiagnostics } from "../datamodel/objects/nslookup_diagnostics.ts";
import type { Logger } from "../log/mod.ts";
import type { SystemSource } from "../platform/system_source.ts";
import { DiagnosticsManager } from "../services/diagnostics/mod.ts";
import type { TwampControlServer } from "../services/twamp/control_server.ts";
import { TwampReflectorService } from "../services/twamp/service.ts";
import type { TwampConfig } from "../config/mod.ts";
import { createUdpEchoController, UDP_ECHO_DEFAULTS } from "../services/udp_echo/controller.ts";
import { PersistedJson } from "./persisted_json.ts";
import type { StateJournal } from "../store/mod.ts";

/** The services, their bindings and their lifecycle. */
export interface MeasurementServices {
  bindings: Binding[];
  /** TR-143 diagnostics (run after the session that requested them). */
  diagnostics?: DiagnosticsManager;
  /** Starts what is enabled; `model` answers interface questions. */
  start(model: ParameterTree): Promise<void>;
  close(): Promise<void>;
  /** Forgets the persisted settings (factory reset). */
  reset(): void;
}

/**
 * Creates the services for the state directory `dir`; diagnostics need `system`. Their
 * state files are written through `journal` when given.
 */
export function createMeasurementServices(
  dir: string,
  logger: Logger,
  system?: SystemSource,
  twamp?: TwampConfig,
  journal?: StateJournal,
): MeasurementServices {
  let control: TwampControlServer | undefined;
  let model: ParameterTree | undefined;
  const onCorrupt = (message: string) => logger.error(message);

  // ---------------------------------------------------------------- UDP echo
  const echoFile = new PersistedJson(dir, "udp_echo.json", journal);
  let initial: UdpEchoSettings = UDP_ECHO_DEFAULTS;
  echoFile.attach({
    serialize: () => JSON.stringify(echo.state),
    restore: (text) => (initial = { ...UDP_ECHO_DEFAULTS, ...JSON.parse(text) }),
  }, onCorrupt);
  // Interface references may end with a dot ("Device.IP.Interface.1."); the helpers
  // append their own.
  const trim = (path: string) => path.endsWith(".") ? path.slice(0, -1) : path;
  const firstIPv4 = async (interfacePath: string) => {
    const prefix = `${trim(interfacePath)}.IPv4Address.`;
    try {
      const refs = (await model!.refs(prefix)).filter((ref) => ref.path.endsWith(".IPAddress"));
      const values = await model!.read(refs);
      return values.find((v) => v !== "");
    } catch {
      return undefined;
    }
  };
  /** The interface's Name: its Linux device name on the Linux platform. */
  const interfaceName = async (path: string) => {
    try {
      const ref = await model?.parameter(`${trim(path)}.Name`);
      return ref ? (await model!.read([ref]))[0] || undefined : undefined;
    } catch {
      return undefined;
    }
  };
  const echo = createUdpEchoController({
    initial,
    addressOf: firstIPv4,
    deviceOf: interfaceName,
  });
  const persistentEcho: UdpEchoController = {
    get state() {
      return echo.state;
    },
    async apply(settings) {
      await echo.apply(settings);
      echoFile.save();
    },
    stats: () => echo.stats(),
  };

  // ------------------------------------------------------------------- TWAMP
  const twampFile = new PersistedJson(dir, "twamp_reflectors.json", journal);
  const twampTable = new TwampReflectorTable({ onChange: () => twampFile.save() });
  twampFile.attach({
    serialize: () => twampTable.serialize(),
    restore: (text) => twampTable.restore(text),
  }, onCorrupt);
  const reflectors = new TwampReflectorService({
    deviceOf: (i) => interfaceName(`Device.IP.Interface.${i}`),
    addressOf: (i) => firstIPv4(`Device.IP.Interface.${i}`),
    onError: (m) => logger.warning(m),
  });

  // ------------------------------------------------------------- diagnostics
  const diagnostics = system === undefined ? undefined : new DiagnosticsManager({
    source: system,
    interfaceName,
    onRunnerError: (name, error) =>
      logger.error(`Diagnostic ${name} failed: ${(error as Error).stack ?? String(error)}`),
  });

  return {
    bindings: [
      bindUdpEchoConfig(persistentEcho, {
        interfaceExists: async (path) => (await model?.parameter(`${path}.Name`)) !== undefined,
      }),
      bindTwampReflector(reflectors, twampTable),
      ...(diagnostics
        ? [...bindIpDiagnostics(diagnostics), ...bindNSLookupDiagnostics(diagnostics)]
        : []),
    ],
    diagnostics,
    async start(m) {
      model = m;
      if (echo.state.enable) {
        await echo.apply(echo.state).catch((e) =>
          logger.error(`UDP echo server did not start: ${(e as Error).message}`)
        );
      }
      await reflectors.apply(twampTable.rows()).catch((e) =>
        logger.error(`TWAMP reflector did not start: ${(e as Error).message}`)
      );
      if (twamp?.controlEnable) {
        try {
          // Loaded only when configured: TWAMP-Control is off by default.
          const { startTwampControl } = await import("../services/twamp/control_server.ts");
          control = startTwampControl({
            hostname: twamp.controlBind,
            port: twamp.controlPort,
            onEvent: (message) => logger.info(`TWAMP-Control: ${message}`),
          });
          logger.info(`TWAMP-Control server initiated with the port: ${control.port}`);
        } catch (e) {
          logger.error(`TWAMP-Control server did not start: ${(e as Error).message}`);
        }
      }
    },
    async close() {
      diagnostics?.stopAll();
      await control?.close();
      await echo.close();
      await reflectors.close();
    },
    reset() {
      echoFile.remove();
      twampFile.remove();
    },
  };
}
