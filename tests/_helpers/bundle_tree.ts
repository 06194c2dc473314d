/**
 * The release bundle of this working tree (`agent.js`, its chunks, the runtime modules and
 * the schema files) built into `outDir` at the version `deno.json` gives, as `build.ts` does.
 *
 * @module
 */

import { bundleAgent } from "../../src/build/bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Bundles this tree into `outDir`. */
export async function bundleThisTree(outDir: string): Promise<void> {
  const { version } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  await bundleAgent({ root: ROOT, outDir, baseVersion: version, version, deno: Deno.execPath() });
}
