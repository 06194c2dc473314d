/**
 * Parameter paths of TR-106 §3.5: `Device.DeviceInfo.UpTime` (a parameter),
 * `Device.IP.Interface.1.` (a partial path, ending in "."), and "" (the root).
 * Schema patterns spell instance numbers as `{i}`: `Device.IP.Interface.{i}.Name`.
 *
 * Alias-based addressing (`Interface.[lan].`) is recognised but not yet resolved.
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

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
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
export function parsePath(text: string): ParameterPath {
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
    if (segment.startsWith("[") && segment.endsWith("]")) {
      throw new ParameterNameError(text, `Alias-based addressing is not supported: "${text}"`);
    }
    throw new ParameterNameError(
      text,
      `Invalid parameter name: "${text}" (bad segment "${segment}")`,
    );
  }
  if (!partial && isInstanceNumber(segments[segments.length - 1])) {
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
