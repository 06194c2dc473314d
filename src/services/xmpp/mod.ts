/**
 * XMPP connection requests (TR-069 Annex K): the stream codec (`stanza.ts`, with the
 * stanza helpers of `element.ts`), JIDs and the ConnReqAllowedJabberIDs rule (`jid.ts`),
 * SASL (`sasl.ts`), the connectionRequest iq (`conn_req.ts`), the reconnection wait
 * (`retry_wait.ts`), the client's settings types (`settings.ts`) and the client loop
 * (`client.ts`).
 *
 * Importing this module loads the client. The agent does not: it imports the light
 * modules (`conn_req.ts`, `jid.ts`, `element.ts`, `settings.ts`) and `client.ts` with a
 * dynamic `import()` once an enabled Connection row needs a client (cold start-up).
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
