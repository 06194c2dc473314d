/**
 * The Bulk Data transport for Protocol "MQTT" (TR-181 `Device.BulkData.Profile.{i}.MQTT.`,
 * TR-069 Annex N): each report is one PUBLISH to the profile's MQTT.PublishTopic with its
 * PublishQoS and PublishRetain, through the `Device.MQTT.Client.{i}` row its
 * MQTT.Reference names. The client is shared by every profile that names it and stays
 * connected between reports; the profile's settings are read at each send, so a change
 * applies to the next report. Over MQTT 5.0 the PUBLISH carries the report's
 * Content Type and Payload Format Indicator 1 (UTF-8).
 *
 * A send fails (and the scheduler retains the report) when the Reference names no
 * enabled client, PublishTopic is empty, the client is not connected, or the broker does
 * not acknowledge it (QoS 1 and 2).
 *
 * Light: `client.ts` and `packet.ts` are imported for their types only, so registering
 * the factory at start-up loads no MQTT code; the clients themselves are loaded on
 * demand (`src/agent/mqtt.ts`).
 *
 * @module
 */

import { mqttClientOf } from "../../datamodel/objects/mqtt.ts";
import type {
  EncodedReport,
  ProfileContext,
  ReportTransport,
  ReportTransportFactory,
} from "../bulkdata/transport.ts";
import type { MqttClient } from "./client.ts";
import type { QoS } from "./packet.ts";

/** The running client of Client row `instance`, or undefined when it does not run. */
export type MqttClientLookup = (instance: number) => MqttClient | undefined;

/** The transport factory to register for Protocol "MQTT". */
export function mqttTransportFactory(clients: MqttClientLookup): ReportTransportFactory {
  return (profile) => new MqttReportTransport(profile, clients);
}

/** Publishes the reports of one profile; see the module doc. */
export class MqttReportTransport implements ReportTransport {
  readonly #profile: ProfileContext;
  readonly #clients: MqttClientLookup;

  /** Reads the profile's MQTT settings at each send. */
  constructor(profile: ProfileContext, clients: MqttClientLookup) {
    this.#profile = profile;
    this.#clients = clients;
  }

  /**
   * Publishes `report`.
   *
   * @throws {Error} saying why it was not delivered.
   */
  async send(report: EncodedReport, signal: AbortSignal): Promise<void> {
    const [reference, topic, qosText, retain] = await this.#profile.read([
      "MQTT.Reference",
      "MQTT.PublishTopic",
      "MQTT.PublishQoS",
      "MQTT.PublishRetain",
    ]);
    const n = mqttClientOf(reference);
    if (n === undefined) {
      throw new Error(`MQTT.Reference names no Device.MQTT.Client row: "${reference}"`);
    }
    if (topic === "") throw new Error("MQTT.PublishTopic is empty");
    const client = this.#clients(n);
    if (client === undefined) throw new Error(`Device.MQTT.Client.${n} is not enabled`);
    const qos = Number(qosText);
    await client.publish(
      topic,
      report.body,
      {
        qos: (qos === 1 || qos === 2 ? qos : 0) as QoS,
        retain: retain === "true",
        properties: { payloadFormatIndicator: 1, contentType: report.contentType },
      },
      signal,
    );
  }
}
