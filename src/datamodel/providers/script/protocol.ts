/**
 * The line protocol between the agent and integrator commands (pure text in, text
 * out; the process itself is the runner's business).
 *
 * - get: stdin has one concrete path per line; stdout has `path<TAB>value` lines (order
 *   free, unknown paths and blank lines ignored, a trailing CR dropped).
 * - set: stdin has `path<TAB>value` lines; values never contain a TAB, CR or LF (such
 *   values are refused with 9007 before the command runs).
 * - instances: stdout has instance numbers separated by white space.
 * - add: stdout has the new instance number.
 *
 * @module
 */

import { isInstanceNumber } from "../../path.ts";

/** A line of output the protocol cannot read; the message names the offending line. */
export class ScriptOutputError extends Error {
  /** Creates the error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ScriptOutputError";
  }
}

/** stdin of a get: the paths, one per line. */
export function encodeGetInput(paths: readonly string[]): string {
  return paths.map((path) => `${path}\n`).join("");
}

/** stdin of a set: `path<TAB>value` lines. */
export function encodeSetInput(changes: readonly { path: string; value: string }[]): string {
  return changes.map((c) => `${c.path}\t${c.value}\n`).join("");
}

/** Whether `value` can travel on one protocol line. */
export function isLineSafe(value: string): boolean {
  return !/[\t\r\n]/.test(value);
}

/**
 * Reads `path<TAB>value` lines into a map (the last line for a path wins).
 *
 * @throws {ScriptOutputError} on a non-blank line without a TAB.
 */
export function parseGetOutput(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === "") continue;
    const tab = line.indexOf("\t");
    if (tab < 0) {
      throw new ScriptOutputError(`Line ${i + 1} has no TAB: ${JSON.stringify(clip(line))}`);
    }
    values.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return values;
}

/**
 * Reads instance numbers separated by white space: ascending, without duplicates.
 *
 * @throws {ScriptOutputError} on anything that is not an instance number.
 */
export function parseInstances(stdout: string): number[] {
  const seen = new Set<number>();
  for (const word of stdout.split(/\s+/)) {
    if (word === "") continue;
    if (!isInstanceNumber(word)) {
      throw new ScriptOutputError(`Not an instance number: ${JSON.stringify(clip(word))}`);
    }
    seen.add(Number(word));
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * Reads the one instance number an add prints.
 *
 * @throws {ScriptOutputError} unless stdout is exactly one instance number.
 */
export function parseNewInstance(stdout: string): number {
  const text = stdout.trim();
  if (!isInstanceNumber(text)) {
    throw new ScriptOutputError(`Expected one instance number, got ${JSON.stringify(clip(text))}`);
  }
  return Number(text);
}

/** The first line of `text`, clipped for a log line. */
export function firstLine(text: string): string {
  return clip(text.trim().split(/\r?\n/)[0] ?? "");
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
