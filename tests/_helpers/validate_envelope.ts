/**
 * Test helper: validates SOAP envelopes against the BBF CWMP schemas with
 * `shared/bbf/validate/validate.sh` (xmllint, strict mode), all files in one call.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The shared reference folder: env `CWMP_SHARED`, else `<repo>/../shared`, else
 * `/work/shared`.
 */
export function sharedDir(): string {
  const fromEnv = Deno.env.get("CWMP_SHARED");
  if (fromEnv) return fromEnv;
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  const sibling = join(repo, "..", "shared");
  if (exists(join(sibling, "bbf", "validate", "validate.sh"))) return sibling;
  return "/work/shared";
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `xmls` to a temporary folder and runs validate.sh (strict) once over all of
 * them. Throws with xmllint's output, naming the failing envelopes' indices, when any
 * is invalid.
 */
export async function validateEnvelopes(xmls: string[]): Promise<void> {
  if (xmls.length === 0) return;
  const dir = await Deno.makeTempDir({ prefix: "cwmp-validate-" });
  try {
    const files: string[] = [];
    for (let i = 0; i < xmls.length; i++) {
      const file = join(dir, `envelope-${String(i).padStart(3, "0")}.xml`);
      await Deno.writeTextFile(file, xmls[i]);
      files.push(file);
    }
    const script = join(sharedDir(), "bbf", "validate", "validate.sh");
    const result = await new Deno.Command("sh", { args: [script, ...files] }).output();
    if (result.code !== 0) {
      const output = new TextDecoder().decode(result.stderr) +
        new TextDecoder().decode(result.stdout);
      const failing = output.split("\n").filter((line) =>
        line.includes(dir) && !line.endsWith(" validates")
      );
      throw new Error(
        `Envelope validation failed (exit ${result.code}):\n${failing.join("\n") || output}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
