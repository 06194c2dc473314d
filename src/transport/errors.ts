/**
 * Errors of the CPE's HTTP client. Any of them ends the CWMP session as failed
 * (TR-069 §3.7.1.4 / A6 §3.4.2). Messages never carry credentials.
 *
 * @module
 */

/** Why an exchange with the ACS failed. */
export type AcsHttpErrorReason =
  | "timeout"
  | "connect"
  | "tls"
  | "auth"
  | "status"
  | "tooLarge"
  | "redirects"
  | "protocol";

/** Options of {@linkcode AcsHttpError}. */
export interface AcsHttpErrorOptions {
  /** HTTP status, for `status` and `auth`. */
  status?: number;
  cause?: unknown;
}

/** An HTTP exchange with the ACS failed; `reason` says how. */
export class AcsHttpError extends Error {
  /** How the exchange failed. */
  readonly reason: AcsHttpErrorReason;
  /** HTTP status when one was received. */
  readonly status?: number;

  /** Creates an error; `message` must not contain secrets. */
  constructor(reason: AcsHttpErrorReason, message: string, options: AcsHttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AcsHttpError";
    this.reason = reason;
    this.status = options.status;
  }
}

/** The ACS refused the credentials (a 401 after an authenticated try) or asked for an unusable scheme. */
export class AcsAuthError extends AcsHttpError {
  /** Creates an auth error (reason `auth`). */
  constructor(message: string, options: AcsHttpErrorOptions = {}) {
    super("auth", message, options);
    this.name = "AcsAuthError";
  }
}
