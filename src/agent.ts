/**
 * The agent: owns the loops. It wires the configuration, the data model, the RPC
 * dispatcher, the session engine, the HTTP transport and the connection-request
 * server together, performs the engine's actions (persist, collect Inform data, POST,
 * dispatch, close, reboot, factory reset) and feeds the answers back, one event at a
 * time, with one timer for the engine's `wakeAt`.
 *
 * @module
 */

import { type AgentConfig, checkStartConfig } from "./config/mod.ts";
export { sessionSettingsOf } from "./agent/session_settings.ts";
import {
  type Binding,
  type DeviceIdentity,
  deviceSchema,
  loadDeviceSchema,
  rootObjectOf,
} from "./datamodel/mod.ts";
import type { Logger } from "./log/mod.ts";
import type { Platform } from "./platform/platform.ts";
import type { SystemSource } from "./platform/system_source.ts";
import { createDispatcher } from "./rpc/mod.ts";
import { createAgentTransfers, vendorFileBindings } from "./agent/transfers.ts";
import { clearTimer, setRepeating, setTimer, type Timer } from "./platform/timers.ts";
import { WakeTimer } from "./platform/wake_timer.ts";
import { describeTrim, IdleTrim } from "./platform/memory_trim.ts";
import { type CpeRequest, type CpeResponse, type Fault, faultFor } from "./soap/mod.ts";
import {
  createSessionState,
  SESSION_PHASES,
  type SessionAction,
  type SessionEvent,
  type SessionSnapshot,
  type SessionState,
  step,
} from "./session/mod.ts";
import {
  forgetStateListing,
  lockStateDir,
  recoverStateDir,
  StateJournal,
  StateStore,
} from "./store/mod.ts";
import { AcsConnections, exchange } from "./agent/acs_exchange.ts";
import { connectionRequestLimiter, startConnectionRequestServer } from "./agent/cr_server.ts";
import { startUdpConnectionRequests } from "./agent/udp_cr.ts";
import {
  type ControlHandler,
  type ControlServer,
  startControlServer,
} from "./agent/control_server.ts";
import { agentHandlers } from "./agent/handlers.ts";
import { formatLocalResponse, isLocalOp, localRequest } from "./agent/local_request.ts";
import { resolveIdentity } from "./agent/identity.ts";
import { deviceIdOf } from "./agent/inform_data.ts";
import { createMeasurementServices } from "./agent/measurement.ts";
import { buildAgentModel } from "./agent/model.ts";
import { readXmppCaFile, XmppConnectionRequests } from "./agent/xmpp_cr.ts";
import { seedXmpp } from "./agent/xmpp_seed.ts";
import { Notifier } from "./agent/notifier.ts";
import { startLightweightNotifications } from "./agent/lwn.ts";
import { BulkDataService } from "./agent/bulkdata.ts";
import { MqttClients, readMqttCaFile } from "./agent/mqtt.ts";
import { mqttTransportFactory } from "./services/mqtt/report_transport.ts";
import { describeFailure, describeReceived, describeSent } from "./agent/log_lines.ts";
import { isOperatorOp, type OperatorDeps, runOperatorOp } from "./agent/operator_ops.ts";
import { agentStatus, type LastSession } from "./agent/status.ts";
import { configChanges } from "./agent/reload.ts";
import { factorySettings, type SettingSourceRow, SettingsStore } from "./agent/settings_store.ts";
import { errorText, sessionSettingsOf } from "./agent/session_settings.ts";
import { maskUrl } from "./log/mod.ts";
import { readTls, type TlsMaterial } from "./agent/tls.ts";
import { DhcpDiscovery, dhcpLeaseOf } from "./agent/dhcp.ts";
import { bindGatewayInfo } from "./datamodel/objects/gateway_info.ts";

/** What {@linkcode startAgent} needs. */
export interface AgentOptions {
  config: AgentConfig;
  platform: Platform;
  logger: Logger;
  /** Where the Linux data-model objects read the system; none = not bound. */
  system?: SystemSource;
  /** Re-reads the configuration file (`cwmp-agent reload`); none = reload refused. */
  reloadConfig?: () => Promise<AgentConfig>;
  /**
   * How long the system may take to go down after a reboot command that exited 0; past it
   * the reboot is reported as not done and the agent carries on. Default 5 minutes.
   */
  rebootWaitMs?: number;
  /** Where the session snapshot is kept; default: `session.json` in `agent.state_dir`. */
  stateStore?: StateStore;
}

/** Why the agent stopped on its own. */
export type AgentExit =
  | { kind: "stopped" }
  | { kind: "rebooted" }
  /** `cwmp-agent reset-state`: stop, empty the state directory, start afresh. */
  | { kind: "resetState" }
  | { kind: "commandFailed"; command: "reboot" | "factoryReset"; code: number };

/** A running agent. */
export interface Agent {
  /** The ConnectionRequestURL advertised to the ACS. */
  readonly connectionRequestUrl: string;
  /** Per config-backed setting: whether the config file's or the ACS's value is in force. */
  settingsSources(): SettingSourceRow[];
  /** Resolves when the agent stops (stop(), or after a reboot/factory reset command). */
  readonly done: Promise<AgentExit>;
  /**
   * Stops timers and servers and waits for the event loop to drain; a running session
   * gets up to `graceMs` (default 5 s) to end first.
   */
  stop(graceMs?: number): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const COMMAND_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const REBOOT_WAIT_MS = 5 * 60_000;

/** Starts the agent: loads state, opens the connection-request server, runs the engine. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const { config, logger } = options;
  // What check-config checks, with the same one-line errors naming the config key.
  await checkStartConfig(config);
  Deno.mkdirSync(config.agent.stateDir, { recursive: true, mode: 0o700 });
  // The state holds what the ACS set (passwords included) and the control socket: owner only.
  try {
    Deno.chmodSync(config.agent.stateDir, 0o700);
  } catch (error) {
    logger.warning(`Cannot restrict "${config.agent.stateDir}": ${(error as Error).message}`);
  }

  await loadDeviceSchema(config.cpe.datamodel);
  // One agent per state directory; the lock is released by the kernel if we die.
  const lock = await lockStateDir(config.agent.stateDir);
  try {
    return await startLocked(options, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(options: AgentOptions, unlock: () => void): Promise<Agent> {
  const { config, platform, logger } = options;
  // Before anything reads the state: finish a committed request, drop interrupted writes.
  const recovered = recoverStateDir(config.agent.stateDir);
  if (recovered.corrupt) logger.error(`State journal was unreadable: ${recovered.corrupt}`);
  if (recovered.replayed.length > 0) {
    logger.notice(`Completed an interrupted state write: ${recovered.replayed.join(", ")}`);
  }
  if (recovered.removedTempFiles.length > 0) {
    logger.info(`Removed ${recovered.removedTempFiles.length} temp file(s) of interrupted writes`);
  }
  const journal = new StateJournal(config.agent.stateDir);

  // A bad mapping file stops the agent before it opens any port. Its code (the mapping
  // checks, the script runner) loads only for an agent that has one.
  const bindings = config.agent.mappingFile === "" ? [] : await scriptBindings(config, logger);
  const identity: DeviceIdentity = await resolveIdentity(config.device, platform, logger);
  const tls: TlsMaterial = await readTls(config.acs);
  const stateStore = options.stateStore ?? new StateStore(config.agent.stateDir);
  const loaded = await stateStore.load();
  if (loaded.corrupt) {
    logger.error(
      `State file was unreadable (${loaded.corrupt.message}); kept as "${loaded.corrupt.path}"`,
    );
  }
  const settings = await SettingsStore.openAsync(
    config.agent.stateDir,
    factorySettings(config, ""),
    {
      onCorrupt: (message) => logger.error(message),
      onDiffer: (line) => logger.notice(line),
      journal,
      now: () => platform.now(),
      root: rootObjectOf(config.cpe.datamodel),
      dhcp: config.acs.dhcpDiscovery,
      // Written once the first Inform is out (see flushSettings below).
      deferSourcesWrite: true,
    },
  );
  // DHCP discovery and the gateway identity; a lease the hook recorded before we started
  // counts before the first session.
  const dhcp = new DhcpDiscovery({ config, settings, logger, journal });
  const leased = await dhcp.readLeaseFile();
  if (leased !== undefined) await dhcp.update(leased, "file");

  // Events that arrive while the agent is still starting (a connection request, a
  // finished diagnostic) wait here and are fed right after "start".
  const early: SessionEvent[] = [];
  let feed: (event: SessionEvent) => void = (event) => early.push(event);
  // One rate limit for HTTP, UDP and XMPP connection requests.
  const crLimiter = connectionRequestLimiter(config.connectionRequest);
  const cr = await startConnectionRequestServer({
    config: config.connectionRequest,
    rateLimiter: crLimiter,
    acsUrl: () => settings.get().url,
    credentials: () => ({
      username: settings.get().connectionRequestUsername,
      password: settings.get().connectionRequestPassword,
    }),
    available: () => settings.get().enableCwmp,
    platform,
    logger,
    onConnectionRequest: () => feed({ kind: "connectionRequest" }),
  }, settings.get().httpConnectionRequestEnable);
  settings.setDerived({ connectionRequestUrl: cr.url });
  if (cr.port > 0) logger.info(`Connection Request server initiated with the port: ${cr.port}`);
  else logger.info("HTTP connection requests are disabled (HTTPConnectionRequestEnable)");
  const udpCr = await startUdpConnectionRequests({
    hostname: config.connectionRequest.bind,
    port: config.stun.udpPort,
    settings: () => settings.get(),
    publish: (state) => settings.setDerived(state),
    admit: (now) => crLimiter?.tryAcquire(now) ?? true,
    available: () => settings.get().enableCwmp,
    onConnectionRequest: () => feed({ kind: "connectionRequest" }),
    platform,
    logger,
  });

  const measurement = config.cpe.datamodel === "tr181"
    ? createMeasurementServices(
      config.agent.stateDir,
      logger,
      options.system,
      config.twamp,
      journal,
    )
    : undefined;
  // XMPP connection requests (TR-069 Annex K): clients for the Device.XMPP.Connection rows.
  const xmpp = new XmppConnectionRequests({
    store: () => am.persisted,
    schema: deviceSchema(config.cpe.datamodel),
    settings,
    caCerts: await readXmppCaFile(config.xmpp.caFile),
    logger,
    admit: (now) => crLimiter?.tryAcquire(now) ?? true,
    available: () => settings.get().enableCwmp,
    onConnectionRequest: () => feed({ kind: "connectionRequest" }),
    now: () => platform.now(),
  });
  // Bulk Data collection (TR-069 Annex N): reports on their own timers, never in a session.
  const bulkdata = config.cpe.datamodel === "tr181"
    ? new BulkDataService({
      stateDir: config.agent.stateDir,
      identity,
      logger,
      caCerts: tls.caCerts,
      now: () => platform.now(),
      uptimeSeconds: () => platform.uptimeSeconds(),
    })
    : undefined;
  // MQTT clients (Device.MQTT.Client.{i}) the Bulk Data profiles with Protocol MQTT publish through.
  const mqtt = new MqttClients({
    store: () => am.persisted,
    schema: deviceSchema(config.cpe.datamodel),
    caCerts: (await readMqttCaFile(config.mqtt.caFile)) ?? tls.caCerts,
    logger,
    defaultClientId: `${identity.manufacturerOui}-${identity.serialNumber}`,
  });
  bulkdata?.transports.register("MQTT", mqttTransportFactory((n) => mqtt.client(n)));
  const am = await buildAgentModel({
    config,
    identity,
    settings,
    provisioningCode: {
      get: () => settings.get().provisioningCode,
      set: (value) => settings.set({ provisioningCode: value }),
    },
    uptimeSeconds: () => platform.uptimeSeconds(),
    logger,
    bindings: [
      ...bindings,
      ...(measurement?.bindings ?? []),
      ...(config.cpe.datamodel === "tr181" &&
          !bindings.some((b) => b.object === "Device.GatewayInfo.")
        ? [bindGatewayInfo(() => dhcp.gateway())]
        : []),
      // An integrator's mapping of these tables wins.
      ...vendorFileBindings(config).filter((v) => !bindings.some((b) => b.object === v.object)),
    ],
    system: options.system,
    journal,
    xmpp: { runtime: xmpp, onChange: () => xmpp.changed() },
    ...(bulkdata
      ? {
        bulkdata: { runtime: bulkdata.runtime, onChange: () => bulkdata.changed() },
        mqtt: {
          runtime: mqtt,
          onChange: () => mqtt.changed(),
          onProfileChange: () => bulkdata.changed(),
        },
      }
      : {}),
  });
  const { model } = am;
  if (config.cpe.datamodel === "tr181") {
    await seedXmpp({
      config: config.xmpp,
      model,
      stateDir: config.agent.stateDir,
      journal,
      logger,
    });
    await xmpp.apply();
  }
  await measurement?.start(model);
  if (bulkdata !== undefined) await mqtt.apply();
  await bulkdata?.start(model, am.persisted);
  // TR-143: a finished diagnostic opens a session with 8 DIAGNOSTICS COMPLETE.
  measurement?.diagnostics?.onComplete(() => {
    logger.info("Diagnostics complete");
    feed({ kind: "addEvent", events: [{ eventCode: "8 DIAGNOSTICS COMPLETE", commandKey: "" }] });
  });
  const notifier = new Notifier(model, am.attributes, am.informRefs);
  await notifier.rewatch();
  // The state files are read: later reads go to the file system (see state_listing.ts).
  forgetStateListing(config.agent.stateDir);
  // Lightweight notifications (TR-069 Annex M): changes of notification 3–6 as UDP datagrams.
  const lwn = startLightweightNotifications({
    settings: () => settings.get(),
    identity,
    now: () => platform.now(),
    logger,
  });
  notifier.onLightweight((changes) => lwn.changed(changes));

  /** Keeps notifications in step with what a request changed. */
  const afterRequest = async (request: CpeRequest, response: CpeResponse | Fault, acs: boolean) => {
    if (response.kind === "Fault") return;
    switch (request.kind) {
      case "SetParameterValues":
        // Changes made by the ACS are not notified back to it (TR-069 §3.2.1).
        if (acs) await notifier.acknowledge(request.parameterList.map((p) => p.name));
        return;
      case "DeleteObject":
        am.attributes.forget(request.objectName);
        await notifier.rewatch();
        return;
      case "AddObject":
      case "SetParameterAttributes":
        await notifier.rewatch();
        return;
    }
  };

  /**
   * Runs one request as one state transaction: everything it changes on disk is committed
   * together before its response goes out. A failed commit answers 9002.
   */
  const committed = async (
    request: CpeRequest,
    work: () => Promise<CpeResponse | Fault>,
  ): Promise<CpeResponse | Fault> => {
    try {
      return await journal.transaction(work);
    } catch (error) {
      logger.error(`Cannot store the state of ${request.kind}: ${errorText(error)}`);
      return faultFor({ faultCode: 9002 });
    }
  };

  // What one request may cost, the ACS's and the control socket's alike (9004 beyond).
  const limits = {
    maxBytes: config.acs.maxResponseBytes,
    maxParameters: config.acs.maxResponseParameters,
  };
  const localDispatcher = createDispatcher({
    model,
    limits,
    handlers: am.localHandlers,
    onError: (error, request) =>
      logger.error(`Internal error while handling local ${request.kind}: ${errorText(error)}`),
  });
  // Memory a session or a local request grew goes back to the system once the agent is quiet.
  const idleTrim = new IdleTrim({ onTrim: (trimmed) => logger.debug(() => describeTrim(trimmed)) });
  const controlHandler: ControlHandler = async (req) => {
    if (isOperatorOp(req.op)) return await runOperatorOp(req.op, req.args, operator);
    if (req.op === "notify") {
      await pollNow();
      return { lines: [JSON.stringify({ status: 0 })], ok: true };
    }
    if (req.op === "dhcp-update") {
      // The DHCP client's hook: a new URL raises 0 BOOTSTRAP through the settings listener.
      const outcome = await dhcp.update(dhcpLeaseOf(req.args), "hook");
      if (outcome.gatewayChanged) await pollNow();
      await chain;
      return {
        lines: [JSON.stringify({ status: 0, ...outcome })],
        ok: outcome.errors.length === 0,
      };
    }
    const transferReply = transfers.local(req.op, req.args);
    if (transferReply !== undefined) return await transferReply;
    if (!isLocalOp(req.op)) throw new TypeError(`Unknown local operation "${req.op}"`);
    const request = localRequest(req.op, req.args);
    const response = await committed(request, async () => {
      const response = await localDispatcher.dispatch(request);
      await afterRequest(request, response, false);
      return response;
    });
    // A local request has no session to wait for: Requested diagnostics start now.
    if (!inSession()) measurement?.diagnostics?.sessionEnded();
    return formatLocalResponse(response);
  };
  let control: ControlServer | undefined;
  try {
    control = startControlServer(`${config.agent.stateDir}/control.sock`, async (req) => {
      try {
        return await controlHandler(req);
      } finally {
        // A local whole-tree read grows memory as a session does (a session's close trims;
        // one that starts meanwhile cancels it).
        idleTrim.schedule();
      }
    });
  } catch (error) {
    // Local access is a convenience: the agent runs on without it.
    logger.warning(`Local access disabled: ${(error as Error).message}`);
  }
  // ------------------------------------------------------------- transfers
  const transfers = await createAgentTransfers({
    config,
    platform,
    identity,
    logger,
    model,
    persisted: () => state.persisted,
    feed: (event) => feed(event),
  }, loaded.snapshot);

  const dispatcher = createDispatcher({
    model,
    limits,
    handlers: {
      ...agentHandlers({
        // REQUIRED (TR-069 Table 5): without a command it resets the agent's own state.
        factoryReset: true,
        // Waiting to fire, or fired and not yet delivered (each an `M ScheduleInform`).
        scheduledInforms: () =>
          state.persisted.scheduledInforms.length +
          [...state.persisted.pendingEvents, ...(state.session?.inFlightEvents ?? [])]
            .filter((e) => e.eventCode === "M ScheduleInform").length,
      }),
      ...am.handlers,
      ...transfers.handlers,
    },
    onError: (error, request) =>
      logger.error(`Internal error while handling ${request.kind}: ${errorText(error)}`),
  });

  // ------------------------------------------------------------------ the loop
  let state: SessionState = createSessionState(
    sessionSettingsOf(settings.get(), config),
    { snapshot: loaded.snapshot, random: () => platform.random() },
  );
  // Re-armed at nearly every step with a new delay: a WakeTimer, which does not leak.
  const timer = new WakeTimer();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const http = new AcsConnections({ config, tls, settings: () => settings.get(), logger });
  let resolveDone: (exit: AgentExit) => void = () => {};
  const done = new Promise<AgentExit>((resolve) => (resolveDone = resolve));

  const arm = (wakeAt: number | undefined) => {
    timer.cancel();
    if (wakeAt === undefined || stopped) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, wakeAt - platform.now()));
    timer.arm(delay, () => feed({ kind: "timerFired" }));
  };

  const settle = (work: Promise<SessionEvent | undefined>) => {
    work.then((event) => event && feed(event)).catch((error) =>
      logger.error(`Agent action failed: ${errorText(error)}`)
    );
  };

  /**
   * Snapshot writes land in order, each after the one before. The write made at start is
   * not waited for before the BOOT Inform goes out (its fsync takes milliseconds here and
   * can take tens on a router's flash): what it records is derived from what is already on
   * disk and from this start, so a power cut before it lands makes the next start raise the
   * same events again. Nothing the ACS answers is acted on before the writes in flight
   * have landed. Every other write is waited for before the actions that follow it.
   */
  let landed: Promise<void> = Promise.resolve();
  /**
   * The settings' sources file a first start writes (config fingerprints) is kept off the
   * path to the BOOT Inform the same way, until the first exchange with the ACS is over
   * (or the agent stops): a power cut before it lands makes the next start derive it again.
   */
  const flushSettings = async () => {
    try {
      await settings.flushDeferred();
    } catch (error) {
      logger.error(`Saving the settings' sources failed: ${errorText(error)}`);
    }
  };
  const persist = (snapshot: SessionSnapshot, overlap: boolean): Promise<void> => {
    const write = landed.then(() => stateStore.save(snapshot));
    // A write waited for fails its event (logged by the chain); one not waited for, here.
    landed = write.catch((error) => {
      if (overlap) logger.error(`Saving the session state failed: ${errorText(error)}`);
    });
    return overlap ? Promise.resolve() : write;
  };

  const perform = async (action: SessionAction, overlap: boolean): Promise<void> => {
    switch (action.kind) {
      case "persist":
        await persist(action.snapshot, overlap);
        return;
      case "collectInform":
        sessionStartedAt = platform.now();
        logger.info(`Start session with ${action.events.map((e) => e.eventCode).join(", ")}`);
        logger.info(`ACS url: ${maskUrl(settings.get().url)}`);
        logger.info("Preparing the Inform RPC message to send to the ACS");
        model.beginSession();
        settle((async () => {
          const content = await notifier.informContent(action.session, action.events);
          return {
            kind: "informData" as const,
            session: action.session,
            deviceId: deviceIdOf(identity),
            parameterList: content.parameterList,
            events: content.events,
          };
        })());
        return;
      case "send": {
        let client;
        try {
          client = http.connection(action.session, action.acsUrl);
        } catch (error) {
          // A URL the transport cannot use (empty, bad scheme) fails the session like
          // any connection error, so the retry rules apply.
          // Logged once, with the retry, when the session closes.
          const message = (error as Error).message;
          settle(Promise.resolve({ kind: "transportError", session: action.session, message }));
          return;
        }
        logger.info(describeSent(action.envelope.message));
        logger.debug(() => `Envelope sent: ${action.envelope.message.kind}`);
        settle(
          exchange(client, action, config.acs.maxBodyBytes).then(async (result) => {
            await flushSettings();
            await landed;
            // A transport error is logged once, with the retry, when the session closes.
            if (result.event.kind !== "transportError") logger.info(describeReceived(result));
            return result.event;
          }),
        );
        return;
      }
      case "dispatch":
        settle(
          committed(action.request, async () => {
            const response = await dispatcher.dispatch(action.request);
            await afterRequest(action.request, response, true);
            return response;
          }).then((response) => ({
            kind: "rpcResult" as const,
            session: action.session,
            response,
          })),
        );
        return;
      case "close": {
        http.close(action.session);
        model.endSession();
        // Requested diagnostics start once the session that asked for them is over.
        measurement?.diagnostics?.sessionEnded();
        notifier.sessionEnded(action.session, action.outcome === "success", platform.now());
        queueMicrotask(scheduleActive);
        idleTrim.schedule();
        const now = platform.now();
        lastSession = {
          start: new Date(sessionStartedAt ?? now).toISOString(),
          end: new Date(now).toISOString(),
          result: action.outcome === "success" ? "ok" : "failed",
          ...(action.reason === undefined ? {} : { reason: action.reason }),
        };
        sessionStartedAt = undefined;
        if (action.outcome === "success") logger.info("End session");
        else logger.error(describeFailure(action.reason ?? "unknown reason", state, now));
        logger.info("Waiting the next session");
        return;
      }
      case "reboot":
        await reboot();
        return;
      case "startTransfer":
        settle(transfers.run(action.transfer));
        return;
      case "factoryReset":
        settings.reset();
        am.reset();
        measurement?.reset();
        bulkdata?.reset();
        notifier.clear();
        // Last: the snapshot still says "factory reset pending" until everything is wiped.
        await landed;
        await stateStore.clear();
        if (config.agent.factoryResetCommand.length === 0) {
          // No system reset configured: what the ACS set is gone; the agent ends so that
          // its supervisor starts it afresh (0 BOOTSTRAP).
          logger.notice("Factory reset of the agent's state (no factory_reset_command)");
          stopped = true;
          resolveDone({ kind: "rebooted" });
          return;
        }
        await runSystemCommand("factoryReset", config.agent.factoryResetCommand);
        return;
    }
  };

  /**
   * Runs the reboot command and stays: the system takes the agent down. A command that
   * fails, or a system still up `rebootWaitMs` after it, is a reboot that did not happen:
   * logged, and the engine carries on (no `M Reboot`; see `onRebootCommandDone`).
   */
  let rebootWatch: Timer | undefined;
  const reboot = async () => {
    logger.notice("Rebooting the device");
    const result = await platform.runCommand(config.agent.rebootCommand, COMMAND_TIMEOUT_MS);
    const ok = result.code === 0;
    if (!ok) {
      logger.error(
        `The reboot command failed (exit ${result.code}): ${
          result.stderr.trim() || "no message"
        }; the device did not reboot, the agent carries on`,
      );
    } else {
      const waitMs = options.rebootWaitMs ?? REBOOT_WAIT_MS;
      rebootWatch = setTimer(() => {
        rebootWatch = undefined;
        logger.error(
          `The system is still up ${
            Math.round(waitMs / 1000)
          } s after the reboot command: the device did not reboot, the agent carries on`,
        );
        feed({ kind: "rebootCommandDone", ok: false });
      }, waitMs);
    }
    // Recorded in the snapshot next: the next start knows the command ran.
    feed({ kind: "rebootCommandDone", ok });
    if (ok) {
      chain = chain.then(() =>
        logger.notice("The reboot command succeeded; waiting for the system to go down")
      );
    }
  };

  /** Runs the factory-reset command; true when it exited 0. */
  const runSystemCommand = async (which: "factoryReset", argv: readonly string[]) => {
    logger.notice("Factory reset of the device");
    const result = await platform.runCommand(argv, COMMAND_TIMEOUT_MS);
    stopped = true;
    if (result.code !== 0) {
      logger.error(`The ${which} command failed (exit ${result.code}): ${result.stderr.trim()}`);
      resolveDone({ kind: "commandFailed", command: which, code: result.code });
      return false;
    }
    resolveDone({ kind: "rebooted" });
    return true;
  };

  let idleWaiters: (() => void)[] = [];
  const startedAt = platform.now();
  let sessionStartedAt: number | undefined;
  let lastSession: LastSession | undefined;
  const inSession = () => SESSION_PHASES.includes(state.phase);

  const handle = async (event: SessionEvent): Promise<void> => {
    if (stopped) return;
    const result = step(state, event, platform.now());
    state = result.state;
    // At start only, and only when all it does next is the Inform (not a reboot, a factory
    // reset or a transfer left pending by the previous run).
    const overlap = event.kind === "start" &&
      result.actions.every((a) => a.kind === "persist" || a.kind === "collectInform");
    for (const action of result.actions) await perform(action, overlap);
    arm(result.wakeAt);
    if (inSession()) idleTrim.cancel();
    else {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  // ------------------------------------------------------- notification polling
  const activeTimer = new WakeTimer();
  /** Opens a `4 VALUE CHANGE` session for active changes, once the throttle allows. */
  const scheduleActive = () => {
    if (stopped || activeTimer.armed || inSession() || !notifier.hasActive()) return;
    const now = platform.now();
    const throttle = settings.get().defaultActiveNotificationThrottle;
    const delay = Math.min(MAX_TIMER_MS, notifier.activeSessionAt(now, throttle) - now);
    activeTimer.arm(Math.max(0, delay), () => {
      // Decided in the event chain: the engine is idle as soon as a session ends, but its
      // close (which restarts the throttle) may still be pending behind an awaited persist.
      chain = chain.then(async () => {
        if (inSession() || !notifier.hasActive()) return;
        const at = platform.now();
        if (notifier.activeSessionAt(at, settings.get().defaultActiveNotificationThrottle) > at) {
          return scheduleActive();
        }
        await handle({
          kind: "addEvent",
          events: [{ eventCode: "4 VALUE CHANGE", commandKey: "" }],
        });
      }).catch((error) => logger.error(`Active notification failed: ${errorText(error)}`));
    });
  };
  const pollNow = async () => {
    try {
      if (await notifier.poll()) scheduleActive();
    } catch (error) {
      logger.error(`Value change detection failed: ${errorText(error)}`);
    }
  };
  const pollTimer = config.cpe.notification
    ? setRepeating(() => void pollNow(), config.cpe.notificationInterval * 1000)
    : undefined;

  // ------------------------------------------------------- operator commands
  let reloadBase = config;
  const operator: OperatorDeps = {
    status: () => ({
      ...agentStatus({
        state,
        pid: Deno.pid,
        startedAt,
        now: platform.now(),
        connectionRequestUrl: cr.url,
        lastSession,
        sessionStartedAt,
      }),
      settingSources: settings.sources(),
    }),
    async inform(eventCode) {
      if (stopped || state.phase === "halted") {
        throw new Error("A reboot or a reset of the device is under way: no session now");
      }
      const busy = inSession();
      feed({ kind: "addEvent", events: [{ eventCode, commandKey: "" }] });
      await chain;
      if (!settings.get().enableCwmp) return "disabled";
      return busy ? "queued" : "started";
    },
    async reload() {
      if (options.reloadConfig === undefined) throw new Error("No configuration file to reload");
      // An invalid file throws its one-line error here, before anything changes.
      const next = await options.reloadConfig();
      // Applied keys against the last file read; restart keys against what is running.
      const changes = {
        applied: configChanges(reloadBase, next).applied,
        restart: configChanges(config, next).restart,
      };
      reloadBase = next;
      const before = settings.get();
      settings.applyConfig(factorySettings(next, cr.url));
      lwn.settingsChanged();
      const after = settings.get();
      const changedSettings = (Object.keys(after) as (keyof typeof after)[])
        .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      if (next.log.severity !== logger.severity) logger.setSeverity(next.log.severity);
      // A new ACS URL raises 0 BOOTSTRAP; the periodic timer re-phases.
      feed({ kind: "settingsChanged", settings: sessionSettingsOf(after, config) });
      await chain;
      logger.notice(
        `Configuration reloaded: ${changes.applied.join(", ") || "nothing to apply"}${
          changes.restart.length > 0 ? `; needs a restart: ${changes.restart.join(", ")}` : ""
        }`,
      );
      return { ...changes, changedSettings };
    },
    resetState() {
      if (stopped) return Promise.reject(new Error("The agent is stopping"));
      logger.notice("Resetting the agent's state (cwmp-agent reset-state): restarting");
      // main.ts stops the agent, empties the state directory and starts it again.
      queueMicrotask(() => resolveDone({ kind: "resetState" }));
      return Promise.resolve();
    },
    recentLog: (limit) => logger.recent(limit),
  };

  feed = (event) => {
    chain = chain.then(() => handle(event)).catch((error) => {
      logger.error(`Session engine error on "${event.kind}": ${errorText(error)}`);
    });
  };

  settings.onChange((changes) => {
    if (changes.httpConnectionRequestEnable !== undefined) {
      // TR-181: disabled → ConnectionRequestURL empty and the port closed.
      const on = changes.httpConnectionRequestEnable;
      chain = chain.then(() => cr.setListening(on)).then(
        () => settings.setDerived({ connectionRequestUrl: cr.url }),
        (error) => logger.error(`Connection request server: ${errorText(error)}`),
      );
    }
    if (Object.keys(changes).some((key) => /ightweightNotification/.test(key))) {
      lwn.settingsChanged();
    }
    if (Object.keys(changes).some((key) => /^stun|^udpConnectionRequest|^url$/.test(key))) {
      chain = chain.then(() => udpCr.settingsChanged()).catch((error) =>
        logger.error(`UDP connection requests: ${errorText(error)}`)
      );
    }
    feed({ kind: "settingsChanged", settings: sessionSettingsOf(settings.get(), config) });
  });

  logger.info(
    settings.get().periodicInformEnable
      ? `Periodic event is enabled. Interval period = ${settings.get().periodicInformInterval}s`
      : "Periodic event is disabled",
  );
  const bootId = platform.bootId?.();
  feed({
    kind: "start",
    ...(bootId === undefined ? {} : { bootId }),
    softwareVersion: identity.softwareVersion,
  });
  for (const event of early.splice(0)) feed(event);

  return {
    connectionRequestUrl: cr.url,
    settingsSources: () => settings.sources(),
    done,
    async stop(graceMs = STOP_GRACE_MS) {
      // Let a running session end (its 204 and the success it records must not be lost:
      // a cut session re-sends its events, BOOTSTRAP included), within a bound.
      if (!stopped && inSession()) {
        let timeout: Timer | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => (timeout = setTimer(resolve, graceMs))),
        ]);
        clearTimer(timeout);
      }
      stopped = true;
      timer.cancel();
      if (rebootWatch !== undefined) clearTimer(rebootWatch);
      activeTimer.cancel();
      idleTrim.close();
      if (pollTimer !== undefined) clearTimer(pollTimer);
      lwn.close();
      transfers.abort();
      await cr.close();
      udpCr.close();
      await xmpp.close();
      control?.close();
      await measurement?.close();
      await bulkdata?.close();
      await mqtt.close();
      await chain;
      await flushSettings();
      await landed;
      http.closeAll();
      unlock();
      resolveDone({ kind: "stopped" });
    },
  };
}

/** The integrator's mapped objects (`agent.mapping_file`), with the code that serves them. */
async function scriptBindings(config: AgentConfig, logger: Logger): Promise<Binding[]> {
  const [{ readMappingFile }, { createScriptBindings }, { createCommandRunner }] = await Promise
    .all([
      import("./config/mapping.ts"),
      import("./datamodel/providers/script/script_bindings.ts"),
      import("./datamodel/providers/script/command_runner.ts"),
    ]);
  const mapping = await readMappingFile(config.agent.mappingFile);
  return createScriptBindings(mapping, createCommandRunner(), { log: logger });
}
