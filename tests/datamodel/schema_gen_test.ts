import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSchema } from "../../src/datamodel/schema_gen/generate.ts";
import {
  emitSchemaData,
  emitSchemaModule,
  emitSchemaText,
} from "../../src/datamodel/schema_gen/emit.ts";
import {
  decodeSchema,
  lazySchema,
  parseSchemaText,
  readSchemaFile,
} from "../../src/datamodel/schema_gen/decode.ts";
import { readXml } from "../../src/datamodel/schema_gen/_xml.ts";
import { TR181_MODEL, tr181Entries } from "../../src/datamodel/generated/tr181.ts";
import { TR098_MODEL, tr098Entries } from "../../src/datamodel/generated/tr098.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { SLICE_SCHEMA } from "../../src/datamodel/schema_slice.ts";
import { sharedDir } from "../_helpers/validate_envelope.ts";
import { buildSchemaModule, SCHEMA_TARGETS } from "../_tools/gen_schema.ts";
import { SCHEMA_DATA_FILES } from "../../src/build/bundle.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const bbf = join(sharedDir(), "bbf");
const typesXml = Deno.readTextFileSync(join(bbf, "tr-106-types.xml"));

const tr181 = new Schema(tr181Entries());
const tr098 = new Schema(tr098Entries());

function generateFrom(source: string) {
  return generateSchema(Deno.readTextFileSync(join(bbf, source)), { typesXml });
}

function parameter(schema: Schema, path: string) {
  const found = schema.parameter(path);
  assert.ok(found, `no parameter "${path}"`);
  return found;
}

function counts(entries: readonly SchemaEntry[]) {
  const objects = entries.filter((e) => e.kind === "object").length;
  return { objects, parameters: entries.length - objects };
}

for (const target of SCHEMA_TARGETS) {
  Deno.test(`gen_schema: regenerating ${target.output} and its data gives the committed bytes`, () => {
    const built = buildSchemaModule(target);
    const committed = Deno.readTextFileSync(join(repo, target.output));
    assert.ok(committed === built.text, `${target.output} is stale`);
    assert.ok(
      Deno.readTextFileSync(join(repo, target.data)) === built.data,
      `${target.data} is stale`,
    );
    assert.ok(
      built.text.includes(`new URL("./${target.data.split("/").at(-1)}", import.meta.url)`),
    );
  });
}

Deno.test("the release bundle carries every generated module's data file", () => {
  assert.deepEqual([...SCHEMA_DATA_FILES].sort(), SCHEMA_TARGETS.map((t) => t.data).sort());
});

Deno.test("tr181Entries() decodes to exactly what generateSchema() reads from the XML", () => {
  const generated = generateFrom("tr-181-2-17-0-cwmp-full.xml");
  assert.equal(generated.model, TR181_MODEL);
  assert.deepEqual(tr181Entries(), generated.entries);
});

Deno.test("tr098Entries() decodes to exactly what generateSchema() reads from the XML", () => {
  const generated = generateFrom("tr-098-1-8-0-full.xml");
  assert.equal(generated.model, TR098_MODEL);
  assert.deepEqual(tr098Entries(), generated.entries);
  assert.deepEqual(generated.warnings, []);
});

Deno.test("generateSchema() counts TR-181 2.17 and TR-098 1.14 objects and parameters", () => {
  // Model definitions only (profile and uniqueKey refs excluded), without the 1 object
  // and 17 parameters TR-181 marks status="deleted". Cross-checked with Python's
  // xml.etree on the same files.
  assert.equal(TR181_MODEL, "Device:2.17");
  assert.deepEqual(counts(tr181Entries()), { objects: 789, parameters: 6466 });
  assert.equal(TR098_MODEL, "InternetGatewayDevice:1.14");
  assert.deepEqual(counts(tr098Entries()), { objects: 192, parameters: 1800 });
});

Deno.test("generateSchema() leaves out deleted TR-181 items and reports the XML's flaws", () => {
  assert.equal(tr181.object("Device.PPP.Interface.{i}.PPPoA."), undefined);
  assert.ok(!tr181Entries().some((e) => e.path.startsWith("Device.PPP.Interface.{i}.PPPoA.")));
  const { warnings } = generateFrom("tr-181-2-17-0-cwmp-full.xml");
  const stamld = "Device.WiFi.DataElements.Network.Device.{i}.APMLD.{i}.STAMLD.{i}.";
  assert.deepEqual(warnings, [
    `Object "${stamld}WiFi7Capabilities." names a missing "${stamld}WiFi7CapabilitiesNumberOfEntries"`,
  ]);
});

Deno.test("generateSchema() agrees with every hand-transcribed SLICE_SCHEMA entry", () => {
  const differences = SLICE_SCHEMA.filter((entry) => {
    const generated = entry.kind === "object"
      ? tr181.object(entry.path)
      : tr181.parameter(entry.path);
    try {
      assert.deepEqual(generated, entry);
      return false;
    } catch {
      return true;
    }
  }).map((entry) => entry.path);
  assert.deepEqual(differences, []);
});

Deno.test("generateSchema() reads Device.DeviceInfo.UpTime as unsignedInt seconds", () => {
  const upTime = parameter(tr181, "Device.DeviceInfo.UpTime");
  assert.equal(upTime.type, "unsignedInt");
  assert.equal(upTime.access, "readOnly");
  assert.equal(upTime.units, "seconds");
  assert.equal(upTime.activeNotify, "canDeny");
});

Deno.test("generateSchema() reads Device.IP.Interface.{i}. as a writable table", () => {
  assert.deepEqual(tr181.object("Device.IP.Interface.{i}."), {
    kind: "object",
    path: "Device.IP.Interface.{i}.",
    access: "readWrite",
    minEntries: 0,
    maxEntries: "unbounded",
    numEntriesParameter: "Device.IP.InterfaceNumberOfEntries",
    enableParameter: "Device.IP.Interface.{i}.Enable",
    uniqueKeys: [
      { parameters: ["Alias"], functional: false },
      { parameters: ["Name"], functional: false },
    ],
    version: "2.0",
  });
  assert.equal(parameter(tr181, "Device.IP.InterfaceNumberOfEntries").type, "unsignedInt");
});

Deno.test("generateSchema() marks hidden and secured parameters hidden", () => {
  assert.equal(parameter(tr181, "Device.ManagementServer.Password").hidden, true);
  // <syntax secured="true">: CWMP has no role that may read it.
  assert.equal(parameter(tr181, "Device.Cellular.Interface.{i}.USIM.PIN").hidden, true);
  assert.equal(parameter(tr181, "Device.ManagementServer.Username").hidden, undefined);
  assert.equal(parameter(tr098, "InternetGatewayDevice.ManagementServer.Password").hidden, true);
});

Deno.test("generateSchema() reads ranges, defaults and forcedInform", () => {
  const interval = parameter(tr181, "Device.ManagementServer.PeriodicInformInterval");
  assert.deepEqual(interval.ranges, [{ min: 1 }]);
  assert.equal(parameter(tr181, "Device.DeviceInfo.SoftwareVersion").forcedInform, true);
  assert.equal(parameter(tr181, "Device.ManagementServer.EnableCWMP").defaultValue, "true");
  assert.equal(parameter(tr181, "Device.IP.Interface.{i}.LowerLayers").objectDefault, "");
  const level = parameter(tr181, "Device.Optical.Interface.{i}.OpticalSignalLevel");
  assert.equal(level.dataType, "Dbm1000");
  assert.deepEqual(level.ranges, [{ min: -65536, max: 65534, step: 2 }]);
});

Deno.test("generateSchema() resolves IPv4Address to the TR-106 facets", () => {
  const address = parameter(tr181, "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress");
  assert.equal(address.type, "string");
  assert.equal(address.dataType, "IPv4Address");
  assert.equal(address.maxLength, 15);
  const octet = "(25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])";
  assert.deepEqual(address.patterns, ["", `(${octet}\\.){3}${octet}`]);
});

Deno.test("generateSchema() resolves IPv4Address the same from tr-106-types.xml alone", () => {
  // tr-106-types.xml writes the pattern with DOCTYPE entities (&octet;&dot;); the
  // model's own top-level dataType has it expanded. A stub model with no dataTypes
  // must get the same facets from the types file.
  const stub = `<dm:document xmlns:dm="urn:broadband-forum-org:cwmp:datamodel-1-14">
    <model name="Stub:1.0">
      <object name="Stub." access="readOnly" minEntries="1" maxEntries="1">
        <parameter name="Address"><syntax><dataType ref="IPv4Address"/></syntax></parameter>
      </object>
    </model>
  </dm:document>`;
  const [, address] = generateSchema(stub, { typesXml }).entries;
  const expected = parameter(tr181, "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress");
  assert.equal(address.kind, "parameter");
  if (address.kind !== "parameter") return;
  assert.deepEqual(
    [address.type, address.maxLength, address.patterns],
    [expected.type, expected.maxLength, expected.patterns],
  );
});

Deno.test("generateSchema() reads list-valued parameters and enumerations", () => {
  const methods = parameter(tr181, "Device.ManagementServer.SupportedConnReqMethods");
  assert.deepEqual(methods.list, {});
  assert.deepEqual(methods.enumerations, ["HTTP", "STUN", "XMPP"]);
  const jabberIds = parameter(tr181, "Device.ManagementServer.ConnReqAllowedJabberIDs");
  assert.deepEqual(jabberIds.list, { maxItems: 32 });
  assert.equal(jabberIds.maxLength, 256);
  const lowerLayers = parameter(tr181, "Device.IP.Interface.{i}.LowerLayers");
  assert.deepEqual(lowerLayers.list, { maxLength: 1024 });
  assert.deepEqual(lowerLayers.reference, {
    kind: "pathRef",
    refType: "strong",
    targetType: "row",
  });
});

Deno.test("generateSchema() reads activeNotify, references, status, command and writeOnce", () => {
  const provisioning = parameter(tr181, "Device.DeviceInfo.ProvisioningCode");
  assert.equal(provisioning.activeNotify, "forceEnabled");
  assert.deepEqual(parameter(tr181, "Device.ManagementServer.HTTPCompression").reference, {
    kind: "enumerationRef",
    targetParam: "HTTPCompressionSupported",
    nullValue: "Disabled",
  });
  assert.equal(parameter(tr181, "Device.Time.NTPServer1").status, "deprecated");
  assert.equal(tr181.object("Device.WiFi.MultiAP.")?.status, "obsoleted");
  const reset = parameter(tr181, "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.Reset");
  assert.equal(reset.command, true);
  const alias = parameter(tr181, "Device.IP.Interface.{i}.Alias");
  assert.deepEqual([alias.access, alias.writeOnce, alias.dataType], ["readWrite", true, "Alias"]);
});

Deno.test("generateSchema() inherits a missing version from the enclosing object", () => {
  assert.equal(parameter(tr181, "Device.IP.Interface.{i}.Enable").version, "2.0");
  assert.equal(parameter(tr181, "Device.RootDataModelVersion").version, "2.4");
  // TR-098's full file carries no version attributes at all.
  assert.equal(tr098.object("InternetGatewayDevice.")?.version, undefined);
});

Deno.test("the CWMP full files hold no USP-only command or event elements", () => {
  for (const source of ["tr-181-2-17-0-cwmp-full.xml", "tr-098-1-8-0-full.xml"]) {
    const model = readXml(Deno.readTextFileSync(join(bbf, source))).children
      .find((c) => c.name === "model")!;
    const usp = model.children.flatMap((o) => o.children)
      .filter((c) => c.name === "command" || c.name === "event");
    assert.deepEqual(usp, [], source);
  }
});

Deno.test("emitSchemaData() output decodes back to the same entries, whole and lazily", () => {
  const entries = SLICE_SCHEMA;
  const { shapes, rows } = emitSchemaData(entries);
  assert.deepEqual(decodeSchema(shapes, rows), entries);
  assert.deepEqual(lazySchema(shapes, rows).entries, entries);
});

const ODD_ENTRIES: SchemaEntry[] = [
  { kind: "object", path: "X.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  {
    kind: "parameter",
    path: "X.Y",
    type: "string",
    access: "readOnly",
    patterns: ["`${a}\\`$'\"é\u2028\n\u{1F600}"],
  },
];

Deno.test("emitSchemaText() writes a header and one ASCII line per shape and row that parse back", () => {
  const text = emitSchemaText(ODD_ENTRIES, "X:1");
  assert.ok([...text].every((c) => c.charCodeAt(0) < 0x80), "ASCII only");
  const { shapes, rows } = emitSchemaData(ODD_ENTRIES);
  assert.equal(text.split("\n")[0], `cwmp-agent-schema 1 X:1 ${shapes.length} ${rows.length}`);
  const parsed = parseSchemaText(text, "X:1");
  assert.deepEqual(parsed.shapes.map((t) => JSON.parse(t)), shapes.map((t) => JSON.parse(t)));
  assert.deepEqual(decodeSchema(parsed.shapes, parsed.rows), ODD_ENTRIES);
  assert.deepEqual(lazySchema(parsed.shapes, parsed.rows).entries, ODD_ENTRIES);
  assert.throws(() => emitSchemaText(ODD_ENTRIES, "X 1"), /has a space/);
});

Deno.test("parseSchemaText() refuses another model, another format, a truncated or padded file", () => {
  const text = emitSchemaText(SLICE_SCHEMA, "Device:2.17");
  assert.equal(
    decodeSchema(...Object.values(parseSchemaText(text, "Device:2.17")) as [string[], string[]])
      .length,
    SLICE_SCHEMA.length,
  );
  assert.throws(
    () => parseSchemaText(text, "Device:2.16"),
    /header is not "cwmp-agent-schema 1 Device:2.16/,
  );
  assert.throws(() => parseSchemaText(text.replace(" 1 ", " 2 "), "Device:2.17"), /header is not/);
  assert.throws(() => parseSchemaText("", "Device:2.17"), /header is not/);
  const lines = text.split("\n");
  const truncated = lines.slice(0, -2).join("\n") + "\n";
  assert.throws(
    () => parseSchemaText(truncated, "Device:2.17"),
    /announces \d+ shapes and \d+ rows; \d+ lines follow/,
  );
  assert.throws(() => parseSchemaText(text.slice(0, -1), "Device:2.17"), /lines follow/);
  assert.throws(() => parseSchemaText(text + "{}\n", "Device:2.17"), /lines follow/);
  const head = lines[0].split(" ");
  assert.throws(
    () =>
      parseSchemaText(
        [[...head.slice(0, 3), "x", head[4]].join(" "), ...lines.slice(1)].join("\n"),
        "Device:2.17",
      ),
    /announces x shapes/,
  );
});

Deno.test("readSchemaFile() names the model and the file it cannot load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = new URL(`file://${dir}/tr181_schema.txt`);
    assert.throws(() => readSchemaFile(url, "Device:2.17"), {
      message: new RegExp(
        `^Cannot load the Device:2.17 schema from ${dir}/tr181_schema.txt: .*No such file`,
      ),
    });
    await Deno.writeTextFile(
      `${dir}/tr181_schema.txt`,
      emitSchemaText(SLICE_SCHEMA, "Device:2.17"),
    );
    assert.equal(
      readSchemaFile(url, "Device:2.17").rows.length,
      emitSchemaData(SLICE_SCHEMA).rows.length,
    );
    assert.throws(
      () => readSchemaFile(url, "InternetGatewayDevice:1.14"),
      {
        name: "SchemaFileError",
        message: /^Cannot load the InternetGatewayDevice:1.14 schema from .*: header is not/,
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("emitSchemaModule() reads its data file beside itself and embeds no schema data", () => {
  const text = emitSchemaModule(ODD_ENTRIES, {
    source: "x",
    model: "X:1",
    name: "x",
    generator: "t",
    dataFile: "x_schema.txt",
  });
  assert.ok(
    text.includes('export const X_DATA: URL = new URL("./x_schema.txt", import.meta.url);'),
  );
  assert.ok(text.includes("readSchemaFile(X_DATA, X_MODEL)"));
  assert.ok(!text.includes("X.Y") && !text.includes("patterns"), "no schema data in the module");
});

Deno.test("emitSchemaModule() rejects a field it does not know", () => {
  const entries = [
    { kind: "object", path: "X.", access: "readOnly", minEntries: 1, maxEntries: 1, foo: 1 },
  ] as unknown as SchemaEntry[];
  assert.throws(
    () =>
      emitSchemaModule(entries, {
        source: "x",
        model: "X:1",
        name: "x",
        generator: "t",
        dataFile: "x_schema.txt",
      }),
    { name: "TypeError", message: 'Cannot emit "X.": unknown field "foo"' },
  );
});

Deno.test("generateSchema() rejects a document without a model or with an unknown type", () => {
  assert.throws(() => generateSchema("<dm:document/>"), {
    name: "TypeError",
    message: "Cannot generate schema: no <model> element",
  });
  const unknownType = `<document><model name="M:1">
    <object name="M." access="readOnly" minEntries="1" maxEntries="1">
      <parameter name="P"><syntax><dataType ref="Nope"/></syntax></parameter>
    </object></model></document>`;
  assert.throws(() => generateSchema(unknownType), {
    name: "TypeError",
    message: 'Cannot resolve data type "Nope"',
  });
});

Deno.test("readXml() expands DOCTYPE entities in attributes and skips comments", () => {
  const root = readXml(`<?xml version="1.0"?>
    <!DOCTYPE d [ <!ENTITY dot "\\."> <!-- x --> <!ENTITY two "&dot;&dot;"> ]>
    <d><!-- <e/> --><e v="a&two;&amp;&#x41;"/><![CDATA[<f/>]]></d>`);
  assert.deepEqual(root, {
    name: "d",
    attrs: {},
    children: [{ name: "e", attrs: { v: "a\\.\\.&A" }, children: [] }],
  });
  assert.throws(() => readXml("<a><b></a>"), { name: "SyntaxError" });
});
