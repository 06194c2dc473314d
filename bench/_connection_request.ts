/**
 * The ACS side of an HTTP Connection Request (TR-069 §3.2.2): GET the
 * ConnectionRequestURL, answer the Digest challenge of the 401, GET again. Reuses
 * the agent's own Digest client code (src/transport).
 *
 * @module
 */

import { chooseChallenge, type Credentials, DigestAuthorizer } from "../src/transport/mod.ts";
import type { AcsSessionRecord } from "../tests/_helpers/fake_acs.ts";

/** The ConnectionRequestURL the agent sent in the Inform of `session` (its BOOT one). */
export function connectionRequestUrlOf(session: AcsSessionRecord): string {
  const inform = session.inform.message;
  const url = inform.kind === "Inform"
    ? inform.parameterList.find((p) => p.name.endsWith(".ConnectionRequestURL"))?.value
    : undefined;
  if (!url) throw new Error("The BOOT Inform carries no ConnectionRequestURL");
  return url;
}

/** Sends one connection request; throws unless the agent answers 200. */
export async function sendConnectionRequest(url: string, credentials: Credentials): Promise<void> {
  const first = await fetch(url);
  await first.body?.cancel();
  if (first.status !== 401) {
    throw new Error(`Connection request: expected 401 first, got ${first.status}`);
  }
  const chosen = chooseChallenge(first.headers.get("www-authenticate") ?? "");
  if (chosen?.scheme !== "digest") {
    throw new Error(`Connection request: no usable Digest challenge`);
  }
  const cnonce = crypto.randomUUID().replaceAll("-", "");
  const authorizer = new DigestAuthorizer(chosen.challenge, credentials, { cnonce });
  const target = new URL(url);
  const second = await fetch(url, {
    headers: { authorization: authorizer.authorize("GET", target.pathname + target.search) },
  });
  await second.body?.cancel();
  if (second.status !== 200) {
    throw new Error(`Connection request: expected 200 after Digest, got ${second.status}`);
  }
}
