/**
 * The connection-request handler for in-process tests: `request(target, init)` builds the
 * head a client would send (as `fetch` would: `body` announces its length) and answers with
 * the status and a `Headers` of what the handler returned.
 *
 * @module
 */

import {
  type ConnectionRequestDeps,
  type ConnectionRequestHandler,
  createConnectionRequestHandler,
} from "../../src/transport/mod.ts";

/** What a request in a test may carry. */
export interface CrTestInit {
  method?: string;
  headers?: Record<string, string>;
  /** Only its length matters: it becomes `Content-Length`. */
  body?: string;
  remoteAddr?: string;
}

/** The handler and a shorthand to ask it. */
export interface CrTestApp {
  readonly handler: ConnectionRequestHandler;
  request(target: string, init?: CrTestInit): { status: number; headers: Headers };
}

/** Creates the handler from `deps`. */
export function crApp(deps: ConnectionRequestDeps): CrTestApp {
  const handler = createConnectionRequestHandler(deps);
  return {
    handler,
    request(target, init = {}) {
      const headers: [string, string][] = Object.entries(init.headers ?? {});
      if (init.body !== undefined) {
        headers.push(["Content-Length", String(new TextEncoder().encode(init.body).length)]);
      }
      const answer = handler({
        method: init.method ?? "GET",
        target,
        headers,
        ...(init.remoteAddr === undefined ? {} : { remoteAddr: init.remoteAddr }),
      });
      return { status: answer.status, headers: new Headers(answer.headers) };
    },
  };
}
