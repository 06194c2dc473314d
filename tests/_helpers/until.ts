/**
 * Polls a condition the test cannot be told about (a file written, a hook's record, a
 * session ended by a process the test killed).
 *
 * @module
 */

/** Resolves once `predicate()` holds, polled every `everyMs`; rejects after `ms`. */
export async function until(
  predicate: () => boolean,
  what: string,
  ms = 20_000,
  everyMs = 20,
): Promise<void> {
  for (let waited = 0; waited < ms; waited += everyMs) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`Not seen within ${ms} ms: ${what}`);
}
