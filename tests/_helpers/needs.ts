/**
 * Test helper: skips a test whose external program (curl, xmllint, ip …) is not here,
 * with the reason. `deno task test` (tests/_tools/run_tests.ts) passes apt's reason for
 * every program it could not install in `CWMP_TEST_UNAVAILABLE`; a plain `deno test`
 * finds out with `command -v`.
 *
 * ```text
 * Deno.test("… with curl", needs("curl"), async () => { … });
 * ```
 *
 * @module
 */

const told = new Set<string>();

function fromRunner(): Record<string, string> {
  try {
    const value = JSON.parse(Deno.env.get("CWMP_TEST_UNAVAILABLE") ?? "{}");
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

function onPath(program: string): boolean {
  try {
    return new Deno.Command("sh", {
      args: ["-c", 'command -v "$1"', "sh", program],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** Why `program` cannot run here, or undefined when it can. */
export function unavailable(program: string): string | undefined {
  const why = fromRunner()[program];
  if (why !== undefined) return why;
  if (program.startsWith("/")) {
    try {
      Deno.statSync(program);
      return undefined;
    } catch {
      return `${program} not installed`;
    }
  }
  return onPath(program) ? undefined : `${program} not installed`;
}

/**
 * Deno.test options that skip the test when one of `programs` is unavailable; the reason
 * is printed once per program.
 */
export function needs(...programs: string[]): { ignore: boolean } {
  for (const program of programs) {
    const why = unavailable(program);
    if (why === undefined) continue;
    if (!told.has(program)) {
      told.add(program);
      console.warn(`ignored: tests that need ${program}: ${why}`);
    }
    return { ignore: true };
  }
  return { ignore: false };
}

/**
 * `Deno.test(name, fn)` that skips when one of `programs` is unavailable, for files whose
 * tests are long: `const curlTest = testNeeding("curl");` then `curlTest("…", async () => …)`.
 */
export function testNeeding(
  ...programs: string[]
): (name: string, fn: (t: Deno.TestContext) => void | Promise<void>) => void {
  return (name, fn) => Deno.test(name, needs(...programs), fn);
}
