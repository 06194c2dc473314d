/**
 * The source maps shipped beside the release bundle. Deno reads a bundle's linked map when
 * it formats a stack trace (not at start), so an error logged by the agent names the
 * original file and line (`…/src/agent.ts:412:11`) while the bundle keeps minified names,
 * which cost start-up time and memory to keep (`deno bundle --keep-names` sets the `name` of
 * every function and class as the modules load).
 *
 * What ships is rewritten: no `sourcesContent` (the sources are not needed to map a
 * position: 2.8 MB of maps become 0.8 MB), and source paths that say where a file is in the
 * repository rather than on the build machine: `../src/…` from `app/` (so a trace reads
 * `<install dir>/src/agent.ts:412:11`) and `../npm/<package>/<version>/…` for npm packages.
 *
 * @module
 */

import { relative, resolve } from "node:path";

/** Where a map was written and the repository it was built from. */
export interface SourceMapPlace {
  /** The directory the bundler wrote the map into (its `sources` are relative to it). */
  mapDir: string;
  /** The repository root. */
  root: string;
}

/**
 * The map text `text` rewritten for the release (see the module doc).
 *
 * @throws {TypeError} when `text` is not a source map (no `mappings` or `sources`).
 */
export function releaseSourceMap(text: string, place: SourceMapPlace): string {
  const map = JSON.parse(text) as Record<string, unknown>;
  if (typeof map.mappings !== "string" || !Array.isArray(map.sources)) {
    throw new TypeError("Not a source map: no mappings or sources");
  }
  delete map.sourcesContent;
  delete map.sourceRoot;
  const root = resolve(place.root);
  map.sources = map.sources.map((source: unknown) => {
    const path = resolve(place.mapDir, String(source));
    const npm = path.indexOf("/registry.npmjs.org/");
    if (npm >= 0) return `../npm/${path.slice(npm + "/registry.npmjs.org/".length)}`;
    const inRepo = relative(root, path);
    if (!inRepo.startsWith("..")) return `../${inRepo}`;
    return `../${path.slice(path.lastIndexOf("/") + 1)}`;
  });
  return JSON.stringify(map);
}
