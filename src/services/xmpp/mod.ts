/**
 * XMPP connection requests (TR-069 Annex K): the stream codec (`stanza.ts`), JIDs and the
 * ConnReqAllowedJabberIDs rule (`jid.ts`), SASL (`sasl.ts`), the connectionRequest iq
 * (`conn_req.ts`), the reconnection wait (`retry_wait.ts`) and the client loop
 * (`client.ts`).
 *
 * @example
 * ```ts ignore
 * const client = new XmppClient({ settings, log: logger, onIq: (stanza) => answer(stanza) });
 * client.start();
 * await client.stop();
 * ```
 *
 * @module
 */

export * from "./stanza.ts";
export * from "./jid.ts";
export * from "./sasl.ts";
export * from "./conn_req.ts";
export * from "./retry_wait.ts";
export * from "./client.ts";
