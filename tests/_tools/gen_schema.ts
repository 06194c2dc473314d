/**
 * Regenerates `src/datamodel/generated/tr181.ts` and `tr098.ts` and their data files
 * (`tr181_schema.txt`, `tr098_schema.txt`) from the Broadband Forum XML in the shared folder (`CWMP_SHARED`, else `../shared`, else `/work/shared`).
 *
 *     deno run -A tests/_tools/gen_schema.ts
 *
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSchema } from "../../src/datamodel/schema_gen/generate.ts";
import { emitSchemaModule, emitSchemaText } from "../../src/datamodel/schema_gen/emit.ts";
import { sharedDir } from "../_helpers/validate_envelope.ts";

/** One generated module: where it goes and what it is made from. */
export interface SchemaTarget {
  /** Output path relative to the repo. */
  output: string;
  /** The data file's output path, beside the module. */
  data: string;
  /** BBF file name in `<shared>/bbf/`. */
  source: string;
  /** Prefix of the exported names. */
  name: string;
}

/** The modules this tool writes. */
export const SCHEMA_TARGETS: readonly SchemaTarget[] = [
  {
    output: "src/datamodel/generated/tr181.ts",
    data: "src/datamodel/generated/tr181_schema.txt",
    source: "tr-181-2-17-0-cwmp-full.xml",
    name: "tr181",
  },
  {
    output: "src/datamodel/generated/tr098.ts",
    data: "src/datamodel/generated/tr098_schema.txt",
    source: "tr-098-1-8-0-full.xml",
    name: "tr098",
  },
];

/** The generator named in each module's header. */
export const GENERATOR = "tests/_tools/gen_schema.ts";

/**
 * Builds the module text and the data file of `target` from the shared XML; also returns
 * the XML's flaws.
 */
export function buildSchemaModule(
  target: SchemaTarget,
  shared = sharedDir(),
): { text: string; data: string; warnings: string[] } {
  const bbf = join(shared, "bbf");
  const typesXml = Deno.readTextFileSync(join(bbf, "tr-106-types.xml"));
  const generated = generateSchema(Deno.readTextFileSync(join(bbf, target.source)), { typesXml });
  const text = emitSchemaModule(generated.entries, {
    source: target.source,
    model: generated.model,
    name: target.name,
    generator: GENERATOR,
    dataFile: basename(target.data),
  });
  const data = emitSchemaText(generated.entries, generated.model);
  return { text, data, warnings: generated.warnings };
}

if (import.meta.main) {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  for (const target of SCHEMA_TARGETS) {
    const { text, data, warnings } = buildSchemaModule(target);
    for (const warning of warnings) console.warn(`${target.source}: ${warning}`);
    Deno.writeTextFileSync(join(repo, target.output), text);
    Deno.writeTextFileSync(join(repo, target.data), data);
    console.log(`${target.output}: ${text.length} bytes, ${target.data}: ${data.length} bytes`);
  }
}
