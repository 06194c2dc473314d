/**
 * MQTT for Bulk Data reports (TR-181 `Device.MQTT.Client.{i}`): the pure packet codec
 * of MQTT 3.1, 3.1.1 and 5.0 (`packet.ts`), the reconnection wait (`retry_wait.ts`), one
 * connection (`connection.ts`), the client's settings types (`settings.ts`), the client
 * kept connected with backoff (`client.ts`) and the Bulk Data transport for Protocol
 * "MQTT" (`report_transport.ts`).
 *
 * Importing this module loads the client. The agent does not: it imports the light
 * modules (`settings.ts`, `report_transport.ts`) and `client.ts` with a dynamic
 * `import()` once an enabled Client row needs a client (cold start-up).
 *
 * @example
 * ```ts ignore
 * const client = new MqttClient({ settings, caCerts, log });
 * client.start();
 * await client.publish("bulk/cpe-1", body, { qos: 1, retain: false });
 * await client.stop();
 * ```
 *
 * @module
 */

export * from "./packet.ts";
export * from "./retry_wait.ts";
export * from "./connection.ts";
export * from "./client.ts";
export * from "./report_transport.ts";
