/**
 * All HTTP code of the agent: the CPE → ACS client for one CWMP session
 * (`createAcsSession`), the Connection Request server app
 * (`createConnectionRequestHandler`), a streaming HTTP/1.1 connection for file transfers
 * (`openHttpConnection`), and their pure parts (Digest/Basic auth, cookie jar, rate
 * limiter).
 *
 * @module
 */

export {
  type AcsHttpResponse,
  type AcsPostOptions,
  type AcsSession,
  type AcsSessionOptions,
  createAcsSession,
} from "./acs_client.ts";
export {
  type ConnectionRequestDeps,
  type ConnectionRequestHandler,
  createConnectionRequestHandler,
  type CrRefusal,
  type CrRequest,
  type CrResponse,
} from "./connection_request_app.ts";
export { type Cookie, CookieJar, type CookieJarOptions } from "./cookie_jar.ts";
export {
  type AuthChallenge,
  basicAuthorization,
  chooseChallenge,
  type ChosenChallenge,
  type Credentials,
  type DigestAlgorithm,
  DigestAuthorizer,
  type DigestAuthorizerOptions,
  type DigestChallenge,
  digestHash,
  digestResponse,
  type DigestResponseInput,
  formatNc,
  parseWwwAuthenticate,
  toDigestChallenge,
} from "./digest_auth.ts";
export {
  type DigestRequest,
  type DigestVerdict,
  DigestVerifier,
  type DigestVerifierOptions,
} from "./digest_server.ts";
export {
  type BodyFraming,
  BodyReader,
  HttpConnection,
  type HttpConnectionOptions,
  type HttpReadHeadOptions,
  type HttpResponseHead,
  isConnectError,
  openHttpConnection,
  TruncatedBodyError,
} from "./http_connection.ts";
export {
  AcsAuthError,
  AcsHttpError,
  type AcsHttpErrorOptions,
  type AcsHttpErrorReason,
} from "./errors.ts";
export { rateLimit, type RateLimiter, type RateLimitOptions } from "./rate_limit.ts";
