/**
 * Seeds the XMPP connection of the `[xmpp]` config section into the data model:
 * `Device.XMPP.Connection.{i}` (one row, with one `Server.{i}` row when `server` is set),
 * ManagementServer.ConnReqXMPPConnection and ConnReqAllowedJabberIDs, through the tree
 * (instance numbers, validation, the state journal) like a local SetParameterValues.
 *
 * Config vs ACS, as for the ManagementServer settings: the section's SHA-256 fingerprint
 * and the row it made are kept in `xmpp_config.json`; a section that changed since (or was
 * never seeded) is written again, over what the ACS set; an unchanged one lets the ACS's
 * values stand (it may even have deleted the row).
 *
 * @module
 */

import type { XmppConfig } from "../config/mod.ts";
import type { ParameterTree } from "../datamodel/mod.ts";
import type { Logger } from "../log/mod.ts";
import { addObject, setParameterValues } from "../rpc/mod.ts";
import type { StateJournal } from "../store/mod.ts";
import { PersistedJson } from "./persisted_json.ts";
import { sha256Hex } from "../transport/hash.ts";

const TABLE = "Device.XMPP.Connection.";

/** The state file of the seed record (removed by a factory reset, so the section seeds again). */
export const XMPP_SEED_FILE = "xmpp_config.json";

interface Seeded {
  fingerprint: string;
  connection: number;
}

/** Options of {@linkcode seedXmpp}. */
export interface SeedXmppOptions {
  readonly config: XmppConfig;
  readonly model: ParameterTree;
  readonly stateDir: string;
  readonly journal: StateJournal;
  readonly logger: Logger;
}

/** Applies the section when it is set and changed; see the module doc. */
export async function seedXmpp(options: SeedXmppOptions): Promise<void> {
  const { config, model, logger } = options;
  if (config.domain === "") return;
  let seeded: Seeded = { fingerprint: "", connection: 0 };
  const file = new PersistedJson(options.stateDir, XMPP_SEED_FILE, options.journal);
  file.attach({
    serialize: () => JSON.stringify(seeded),
    restore(text) {
      const value = JSON.parse(text);
      if (typeof value?.fingerprint !== "string" || !Number.isInteger(value?.connection)) {
        throw new TypeError('expected "fingerprint" and "connection"');
      }
      seeded = value;
    },
  }, (message) => logger.error(message));
  const fingerprint = sha256Hex(JSON.stringify(config));
  if (fingerprint === seeded.fingerprint) return;

  await options.journal.transaction(async () => {
    const rows = await instancesOf(model, TABLE);
    let n = seeded.connection;
    if (!rows.includes(n)) {
      n = (await addObject(model, { kind: "AddObject", objectName: TABLE, parameterKey: "" }, {
        parameterKeyPath: null,
      })).instanceNumber;
    }
    const row = `${TABLE}${n}.`;
    const values: [string, string, string][] = [
      [`${row}Enable`, "true", "xsd:boolean"],
      [`${row}Username`, config.username, "xsd:string"],
      [`${row}Password`, config.password, "xsd:string"],
      [`${row}Domain`, config.domain, "xsd:string"],
      [`${row}Resource`, config.resource, "xsd:string"],
      [`${row}UseTLS`, String(config.useTls), "xsd:boolean"],
      [
        `${row}ServerConnectAlgorithm`,
        config.server === "" ? "DNS-SRV" : "ServerTable",
        "xsd:string",
      ],
      [`${row}KeepAliveInterval`, String(config.keepAliveInterval), "xsd:long"],
      [`${row}ServerRetryInitialInterval`, String(config.retryInitialInterval), "xsd:unsignedInt"],
      ["Device.ManagementServer.ConnReqXMPPConnection", `${TABLE}${n}`, "xsd:string"],
      [
        "Device.ManagementServer.ConnReqAllowedJabberIDs",
        config.allowedJids.join(","),
        "xsd:string",
      ],
    ];
    if (config.server !== "") {
      const servers = await instancesOf(model, `${row}Server.`);
      const m = servers[0] ?? (await addObject(
        model,
        { kind: "AddObject", objectName: `${row}Server.`, parameterKey: "" },
        { parameterKeyPath: null },
      )).instanceNumber;
      const server = `${row}Server.${m}.`;
      values.push(
        [`${server}Enable`, "true", "xsd:boolean"],
        [`${server}ServerAddress`, config.server, "xsd:string"],
        [`${server}Port`, String(config.port), "xsd:unsignedInt"],
      );
    }
    await setParameterValues(model, {
      kind: "SetParameterValues",
      parameterList: values.map(([name, value, type]) => ({ name, value, type })),
      parameterKey: "",
    }, { parameterKeyPath: null });
    seeded = { fingerprint, connection: n };
    file.save();
  });
  logger.info(`XMPP connection ${seeded.connection} set from the configuration file`);
}

async function instancesOf(model: ParameterTree, table: string): Promise<number[]> {
  const items = await model.list(table, { depth: 1 });
  return items
    .map((item) => Number(item.path.slice(table.length, -1)))
    .filter((n) => Number.isInteger(n) && n > 0);
}
