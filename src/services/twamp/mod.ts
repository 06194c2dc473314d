/**
 * TWAMP Light reflector (RFC 5357 §4.2, Appendix I; TR-390 via TR-181
 * `Device.IP.Interface.{i}.TWAMPReflector.{i}.`): the pure test-packet codec
 * (`packet.ts`), the allow lists (`allow_list.ts`), the per-datagram reflector that
 * `services/udp` runs (`reflector.ts`) and the controller that runs the TR-181 rows
 * (`service.ts`); and the TWAMP-Control server for full TWAMP clients
 * (`control_messages.ts` codec, `control_server.ts` TCP server, RFC 5357 §3).
 *
 * @example
 * ```ts ignore
 * import { bindTwampReflector, TwampReflectorTable } from "../../datamodel/objects/twamp_reflector.ts";
 * const reflectors = new TwampReflectorService({ onError: (m) => logger.warn(m) });
 * const table = new TwampReflectorTable({ onChange: () => file.save() });
 * const binding = bindTwampReflector(reflectors, table);
 * await reflectors.apply(table.rows()); // after restoring the table
 * ```
 *
 * @module
 */

export * from "./packet.ts";
export * from "./allow_list.ts";
export * from "./reflector.ts";
export * from "./service.ts";
export * from "./control_messages.ts";
export * from "./control_server.ts";
