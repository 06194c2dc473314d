/**
 * Parameter paths of TR-106 §3.5: `Device.DeviceInfo.UpTime` (a parameter),
 * `Device.IP.Interface.1.` (a partial path, ending in "."), and "" (the root).
 * Schema patterns spell instance numbers as `{i}`: `Device.IP.Interface.{i}.Name`.
 *
 * Alias-based addressing (TR-069 §3.6.1, `Interface.[lan].`) is accepted only when the
 * caller asks for it (`{ aliases: true }`); the tree then resolves the alias to a row.
 *
 * @module
 */

import { ParameterNameError } from "./errors.ts";

/** Longest name the ACS may send (TR-069 Annex A: string(256)). */
export const MAX_PATH_LENGTH = 256;

/** A checked path, split into its segments. */
export interface ParameterPath {
  /** The path as given. */
  readonly text: string;
  /** Names and instance numbers, e.g. `["Device", "IP", "Interface", "1"]`; empty for the root. */
  readonly segments: readonly string[];
  /** True for "" and for paths ending in "." (objects). */
  readonly partial: boolean;
}

/** Options of {@linkcode parsePath}. */
export interface ParsePathOptions {
  /** Accept `[alias]` segments in place of instance numbers. Default false. */
  readonly aliases?: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// [U] TR-181's Alias type: at most 64 characters, starting with a letter; "." and the
// brackets cannot appear in a path segment anyway.
const ALIAS_SEGMENT = /^\[[A-Za-z][^.\[\]]{0,63}\]$/;

/** Whether `segment` is an `[alias]` segment. */
export function isAliasSegment(segment: string): boolean {
  return ALIAS_SEGMENT.test(segment);
}
const INSTANCE = /^[1-9][0-9]{0,9}$/;

/** Whether `segment` is an instance number (a positive integer with no leading zero). */
export function isInstanceNumber(segment: string): boolean {
  return INSTANCE.test(segment) && Number(segment) <= 0xffffffff;
}

/**
 * Checks and splits `text`.
 *
 * @example
 * ```ts
 * import { parsePath } from "./path.ts";
 * parsePath("Device.IP.Interface.1."); // { segments: ["Device","IP","Interface","1"], partial: true }
 * ```
 * @throws {ParameterNameError} when the path is too long or a segment is malformed.
 */
export function parsePath(text: string, options: ParsePathOptions = {}): ParameterPath {
  if (text === "") return { text, segments: [], partial: true };
  if (text.length > MAX_PATH_LENGTH) {
    throw new ParameterNameError(
      text,
      `Parameter name longer than ${MAX_PATH_LENGTH} characters: "${text.slice(0, 40)}…"`,
    );
  }
  const partial = text.endsWith(".");
  const segments = (partial ? text.slice(0, -1) : text).split(".");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (NAME.test(segment)) continue;
    if (i > 0 && isInstanceNumber(segment)) continue;
    if (i > 0 && options.aliases && isAliasSegment(segment)) continue;
    if (segment.startsWith("[") && segment.endsWith("]")) {
      throw new ParameterNameError(text, `Alias-based addressing is not supported: "${text}"`);
    }
    throw new ParameterNameError(
      text,
      `Invalid parameter name: "${text}" (bad segment "${segment}")`,
    );
  }
  const last = segments[segments.length - 1];
  if (!partial && (isInstanceNumber(last) || last.startsWith("["))) {
    throw new ParameterNameError(
      text,
      `Invalid parameter name: "${text}" (an object path must end in ".")`,
    );
  }
  return { text, segments, partial };
}

/**
 * The schema pattern of a concrete path: instance numbers become `{i}`.
 *
 * @example
 * ```ts
 * import { patternOf } from "./path.ts";
 * patternOf("Device.IP.Interface.3.Name"); // "Device.IP.Interface.{i}.Name"
 * ```
 */
export function patternOf(path: string): string {
  return path.split(".").map((s) => (isInstanceNumber(s) ? "{i}" : s)).join(".");
}
