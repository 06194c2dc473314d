/**
 * UDP Lightweight Notifications (TR-069 Annex M): the message codec and its framing
 * (`message.ts`), the trigger schedule (`trigger.ts`) and the sender (`sender.ts`).
 *
 * @example
 * ```ts ignore
 * const sender = new LwnSender({ settings, identity, now: () => Date.now() });
 * sender.changed([{ name: "Device.X", value: "1", type: "xsd:string", active: true }]);
 * ```
 *
 * @module
 */

export * from "./message.ts";
export * from "./trigger.ts";
export * from "./sender.ts";
