/**
 * What one ACS (or local) request may cost: the size of its encoded response and the
 * number of parameters it selects. A GetParameterValues of 10,000 empty names is a
 * 91 KB request that asks for the whole tree 10,000 times; without a bound the agent
 * builds that answer until V8 runs out of memory. With one, the handlers charge each
 * item as they collect it and stop with 9004 (Resources exceeded) as soon as the
 * budget is passed, so the memory a request takes is bounded by the budget, not by
 * names × tree (TR-069 Annex A fault table: 9004 "Resources exceeded").
 *
 * Limits come from `[acs] max_response_bytes` / `max_response_parameters`; the
 * defaults leave a whole-tree GetParameterValues of a large router (10,000
 * parameters, about 1.4 MB) well inside.
 *
 * @module
 */

import { ResourcesExceededError } from "../datamodel/errors.ts";

/** Bounds of one response. */
export interface ResponseLimits {
  /** Largest encoded response envelope, in UTF-8 bytes. */
  readonly maxBytes: number;
  /**
   * Most parameters one request may select: items of a Get*Response, and parameters
   * a SetParameterAttributes touches through its (partial) paths.
   */
  readonly maxParameters: number;
}

/** 8 MiB and 65,536 parameters: six times a whole-tree GPV of a 10,000-parameter router. */
export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxParameters: 65_536,
});

/**
 * Bytes kept for the envelope around a response's list: the XML declaration and
 * namespaces (about 300), the header with the ACS's cwmp:ID, the method and array
 * tags. Only the list is measured item by item.
 */
export const ENVELOPE_RESERVE_BYTES = 4096;

/** The running cost of one response; throws once it passes its limits. */
export class ResponseBudget {
  readonly #limits: ResponseLimits;
  #bytes = 0;
  #items = 0;

  /** Starts an empty budget under `limits`. */
  constructor(limits: ResponseLimits = DEFAULT_RESPONSE_LIMITS) {
    this.#limits = limits;
  }

  /** Bytes that may still be charged. */
  get bytesLeft(): number {
    return this.#limits.maxBytes - ENVELOPE_RESERVE_BYTES - this.#bytes;
  }

  /** Items that may still be charged (a walk may stop after one more). */
  get itemsLeft(): number {
    return Math.max(0, this.#limits.maxParameters - this.#items);
  }

  /**
   * Adds `items` items of `bytes` encoded bytes in all.
   *
   * @throws {ResourcesExceededError} (9004) once the total passes either limit.
   */
  charge(bytes: number, items: number): void {
    this.#items += items;
    this.#bytes += bytes;
    if (this.#items > this.#limits.maxParameters) {
      throw new ResourcesExceededError(
        `Request selects more than ${this.#limits.maxParameters} parameters`,
      );
    }
    if (this.#bytes > this.#limits.maxBytes - ENVELOPE_RESERVE_BYTES) {
      throw new ResourcesExceededError(`Response would exceed ${this.#limits.maxBytes} bytes`);
    }
  }
}
