/**
 * Bulk Data collection (TR-069 Annex N, TR-181 `Device.BulkData.`): what a report holds
 * (`collect.ts`), its encoders (`report.ts`), when reports are due (`schedule.ts`), the
 * loop of one profile (`sender.ts`), the transport interface with its registry
 * (`transport.ts`) and the HTTP(S) transport (`http_transport.ts`).
 *
 * @example
 * ```ts ignore
 * const registry = new TransportRegistry();
 * registry.register("HTTP", httpTransportFactory(identity, listRows, { caCerts }));
 * ```
 *
 * @module
 */

export * from "./collect.ts";
export * from "./report.ts";
export * from "./schedule.ts";
export * from "./sender.ts";
export * from "./transport.ts";
export * from "./http_transport.ts";
