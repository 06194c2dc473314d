/**
 * A Bulk Data collector for tests (TR-069 Annex N.2, N.3): an HTTP or HTTPS server on
 * 127.0.0.1 that checks every report it receives against the encoding rules and answers
 * 200, or a status the test asks for (retention and retry tests).
 *
 * Checked on arrival (a violation is recorded in `violations`, and answered 400):
 * - method POST or PUT; query `oui`, `pc` and `sn` present (Annex N.2.1);
 * - `Content-Type` with media type and charset; CSV says `header=present`;
 * - `BBF-Report-Format` present, a token, one of the four formats, matching the media type;
 * - `Content-Encoding: gzip` bodies decompress;
 * - JSON: `{"Report":[{…}…]}` and nothing else, each report an object; ObjectHierarchy
 *   values nested objects, NameValuePair values never objects; CollectionTime, when
 *   present, first, a number (Unix-Epoch) or an ISO-8601 string;
 * - CSV (RFC 4180 with the separators the test declares): a header line, every row as
 *   many fields as the header, ParameterPerRow's header `[ReportTimestamp,]ParameterName,
 *   ParameterValue,ParameterType`, every row ended by the row separator.
 *
 * @module
 */

import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { makeTestCa as makeCaAndServer } from "./test_servers.ts";

const gunzipAsync = promisify(gunzip);

/** CSV characters the collector parses with. */
export interface CsvSettings {
  fieldSeparator: string;
  rowSeparator: string;
  escapeCharacter: string;
}

/** A report as received. */
export interface ReceivedReport {
  method: string;
  url: URL;
  headers: Headers;
  /** Decompressed body text. */
  text: string;
  /** JSON reports: the `Report` array. */
  reports?: Record<string, unknown>[];
  /** CSV reports: rows of fields, header first. */
  rows?: string[][];
  at: number;
  /** The status answered. */
  status: number;
}

/** Options of {@linkcode startCollector}. */
export interface CollectorOptions {
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string; key: string };
  /** CSV characters (default `,`, `\r\n`, `"`). */
  csv?: CsvSettings;
  /** Required credentials: Basic or Digest (MD5, qop=auth). */
  auth?: { scheme: "basic" | "digest"; username: string; password: string };
}

/** A running collector. */
export interface Collector {
  url: string;
  reports: ReceivedReport[];
  /** Every rule broken so far (should stay empty). */
  violations: string[];
  /** Requests refused for authentication (401 challenges). */
  challenges: number;
  /** Answers the next `count` reports with `status` (then 200 again). */
  fail(count: number, status?: number): void;
  /** Answers the next reports only after `ms` (a slow collector). */
  delay(ms: number): void;
  setCsv(csv: CsvSettings): void;
  /** Resolves once `count` reports were accepted (status 2xx). */
  waitForReports(count: number, timeoutMs?: number): Promise<ReceivedReport[]>;
  close(): Promise<void>;
}

/** Starts a collector on an ephemeral port of 127.0.0.1. */
export function startCollector(options: CollectorOptions = {}): Collector {
  const reports: ReceivedReport[] = [];
  const violations: string[] = [];
  let failing = 0;
  let failStatus = 500;
  let delayMs = 0;
  let csv: CsvSettings = options.csv ??
    { fieldSeparator: ",", rowSeparator: "\r\n", escapeCharacter: '"' };
  const waiters: (() => void)[] = [];
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const collector: Collector = {
    url: "",
    reports,
    violations,
    challenges: 0,
    fail(count, status = 500) {
      failing = count;
      failStatus = status;
    },
    delay(ms) {
      delayMs = ms;
    },
    setCsv(settings) {
      csv = settings;
    },
    async waitForReports(count, timeoutMs = 20_000) {
      const accepted = () => reports.filter((r) => r.status < 300);
      const deadline = Date.now() + timeoutMs;
      while (accepted().length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `Collector: ${accepted().length} of ${count} reports within ${timeoutMs} ms (${reports.length} received; ${
              violations.join("; ")
            })`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return accepted();
    },
    async close() {
      await server.shutdown();
    },
  };
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (options.auth !== undefined) {
      const refusal = await checkAuth(request, options.auth, nonce);
      if (refusal !== undefined) {
        collector.challenges++;
        return refusal;
      }
    }
    const problems: string[] = [];
    let bytes = new Uint8Array(await request.arrayBuffer());
    if (request.headers.get("content-encoding") === "gzip") {
      try {
        bytes = new Uint8Array(await gunzipAsync(bytes));
      } catch {
        problems.push("gzip body does not decompress");
      }
    }
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const received: ReceivedReport = {
      method: request.method,
      url,
      headers: request.headers,
      text,
      at: Date.now(),
      status: 200,
    };
    checkReport(received, csv, problems);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (problems.length > 0) {
      violations.push(...problems);
      received.status = 400;
    } else if (failing > 0) {
      failing--;
      received.status = failStatus;
    }
    reports.push(received);
    waiters.splice(0).forEach((w) => w());
    return new Response(received.status < 300 ? "" : "no", { status: received.status });
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    ...(options.tls ?? {}),
  }, handler);
  const scheme = options.tls ? "https" : "http";
  collector.url = `${scheme}://${options.tls ? "localhost" : "127.0.0.1"}:${server.addr.port}/bulk`;
  return collector;
}

const FORMATS = ["ObjectHierarchy", "NameValuePair", "ParameterPerRow", "ParameterPerColumn"];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function checkReport(r: ReceivedReport, csv: CsvSettings, problems: string[]): void {
  if (r.method !== "POST" && r.method !== "PUT") problems.push(`method ${r.method}`);
  for (const q of ["oui", "pc", "sn"]) {
    if (!r.url.searchParams.has(q)) problems.push(`query "${q}" missing`);
  }
  const type = r.headers.get("content-type") ?? "";
  const format = r.headers.get("bbf-report-format") ?? "";
  if (!FORMATS.includes(format)) problems.push(`BBF-Report-Format "${format}"`);
  if (!/;\s*charset=UTF-8/i.test(type)) problems.push(`Content-Type without charset: "${type}"`);
  if (type.startsWith("application/json")) {
    if (format !== "ObjectHierarchy" && format !== "NameValuePair") {
      problems.push(`JSON with format "${format}"`);
    }
    checkJson(r, format, problems);
  } else if (type.startsWith("text/csv")) {
    if (!/header=present/.test(type)) problems.push(`CSV Content-Type without header=present`);
    if (format !== "ParameterPerRow" && format !== "ParameterPerColumn") {
      problems.push(`CSV with format "${format}"`);
    }
    checkCsv(r, format, csv, problems);
  } else problems.push(`Content-Type "${type}"`);
}

function checkJson(r: ReceivedReport, format: string, problems: string[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.text);
  } catch (error) {
    problems.push(`JSON does not parse: ${(error as Error).message}`);
    return;
  }
  const keys = parsed !== null && typeof parsed === "object" ? Object.keys(parsed) : [];
  const list = (parsed as { Report?: unknown }).Report;
  if (keys.length !== 1 || !Array.isArray(list) || list.length === 0) {
    problems.push(`JSON is not {"Report":[…]}`);
    return;
  }
  for (const report of list) {
    if (report === null || typeof report !== "object" || Array.isArray(report)) {
      problems.push("a Report entry is not an object");
      continue;
    }
    const names = Object.keys(report);
    const time = (report as Record<string, unknown>).CollectionTime;
    if (time !== undefined) {
      if (names[0] !== "CollectionTime") problems.push("CollectionTime is not first");
      if (typeof time !== "number" && !(typeof time === "string" && ISO.test(time))) {
        problems.push(`CollectionTime ${JSON.stringify(time)}`);
      }
    }
    for (const name of names) {
      if (name === "CollectionTime") continue;
      const value = (report as Record<string, unknown>)[name];
      const isObject = value !== null && typeof value === "object";
      if (format === "NameValuePair" && isObject) {
        problems.push(`NameValuePair "${name}" is an object`);
      }
      if (format === "ObjectHierarchy" && name.includes(".")) {
        problems.push(`ObjectHierarchy key "${name}" has a dot`);
      }
    }
  }
  r.reports = list as Record<string, unknown>[];
}

function checkCsv(r: ReceivedReport, format: string, csv: CsvSettings, problems: string[]): void {
  if (!r.text.endsWith(csv.rowSeparator)) problems.push("CSV does not end with the row separator");
  let rows: string[][];
  try {
    rows = parseCsv(r.text, csv);
  } catch (error) {
    problems.push(`CSV does not parse: ${(error as Error).message}`);
    return;
  }
  if (rows.length < 2) {
    problems.push("CSV has no row under its header");
    return;
  }
  const header = rows[0];
  if (format === "ParameterPerRow") {
    const expected = header[0] === "ReportTimestamp"
      ? ["ReportTimestamp", "ParameterName", "ParameterValue", "ParameterType"]
      : ["ParameterName", "ParameterValue", "ParameterType"];
    if (header.join("|") !== expected.join("|")) problems.push(`CSV header ${header.join("|")}`);
  }
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) {
      problems.push(`CSV row ${i} has ${row.length} fields, the header ${header.length}`);
    }
  }
  r.rows = rows;
}

/** RFC 4180 with the given characters; the text ends with a row separator. */
export function parseCsv(text: string, csv: CsvSettings): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const { fieldSeparator: fs, rowSeparator: rs, escapeCharacter: esc } = csv;
  while (i < text.length) {
    let field = "";
    if (text.startsWith(esc, i)) {
      i += esc.length;
      for (;;) {
        if (i >= text.length) throw new SyntaxError("unterminated escaped field");
        if (text.startsWith(esc + esc, i)) {
          field += esc;
          i += 2 * esc.length;
        } else if (text.startsWith(esc, i)) {
          i += esc.length;
          break;
        } else field += text[i++];
      }
    } else {
      while (i < text.length && !text.startsWith(fs, i) && !text.startsWith(rs, i)) {
        if (text.startsWith(esc, i)) throw new SyntaxError(`bare escape character at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text.startsWith(fs, i)) i += fs.length;
    else if (text.startsWith(rs, i)) {
      i += rs.length;
      rows.push(row);
      row = [];
    } else if (i < text.length) throw new SyntaxError(`garbage after a field at ${i}`);
  }
  if (row.length > 0) throw new SyntaxError("last row has no row separator");
  return rows;
}

async function checkAuth(
  request: Request,
  auth: NonNullable<CollectorOptions["auth"]>,
  nonce: string,
): Promise<Response | undefined> {
  const header = request.headers.get("authorization") ?? "";
  const realm = "bulk";
  if (auth.scheme === "basic") {
    if (header === `Basic ${btoa(`${auth.username}:${auth.password}`)}`) return undefined;
    return new Response("", {
      status: 401,
      headers: { "www-authenticate": `Basic realm="${realm}"` },
    });
  }
  const params = Object.fromEntries(
    [...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]),
  );
  if (header.startsWith("Digest ") && params.username === auth.username && params.nonce === nonce) {
    const md5 = async (s: string) => {
      const { createHash } = await import("node:crypto");
      return createHash("md5").update(s).digest("hex");
    };
    const ha1 = await md5(`${auth.username}:${realm}:${auth.password}`);
    const ha2 = await md5(`${request.method}:${params.uri}`);
    const expected = await md5(`${ha1}:${nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`);
    const url = new URL(request.url);
    if (expected === params.response && params.uri === url.pathname + url.search) return undefined;
  }
  return new Response("", {
    status: 401,
    headers: { "www-authenticate": `Digest realm="${realm}", qop="auth", nonce="${nonce}"` },
  });
}

/**
 * A test CA and a server certificate for `localhost` and 127.0.0.1 (openssl), in `dir`.
 * Returns the PEM texts and the CA file's path.
 */
export async function makeTestCa(
  dir: string,
): Promise<{ caFile: string; cert: string; key: string }> {
  await makeCaAndServer(dir);
  return {
    caFile: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/localhost.crt`),
    key: await Deno.readTextFile(`${dir}/localhost.key`),
  };
}
