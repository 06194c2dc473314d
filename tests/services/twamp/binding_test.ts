// bindTwampReflector() (src/datamodel/objects/twamp_reflector.ts) in the full TR-181 tree,
// with IP.Interface rows from another binding and a recording controller.
import assert from "node:assert/strict";
import {
  deviceSchema,
  MemoryProvider,
  ParameterTree,
  type ParameterTree as Tree,
} from "../../../src/datamodel/mod.ts";
import { ResourcesExceededError } from "../../../src/datamodel/errors.ts";
import {
  bindTwampReflector,
  MAX_REFLECTORS_PER_INTERFACE,
  type TwampReflectorController,
  type TwampReflectorRow,
  TwampReflectorTable,
} from "../../../src/datamodel/objects/twamp_reflector.ts";
import { allowListError } from "../../../src/services/twamp/allow_list.ts";

const IF = "Device.IP.Interface.";

class RecordingController implements TwampReflectorController {
  applied: TwampReflectorRow[][] = [];
  failing = new Set<number>();
  refuse = false;
  apply(rows: readonly TwampReflectorRow[]): void {
    if (this.refuse) throw new Error("Cannot apply");
    this.applied.push([...rows]);
  }
  status(row: TwampReflectorRow): "Active" | "Error" {
    return this.failing.has(row.port) ? "Error" : "Active";
  }
  check(row: TwampReflectorRow): string | undefined {
    return allowListError(row.ipAllowedList, row.portAllowedList);
  }
  get last(): TwampReflectorRow[] {
    return this.applied[this.applied.length - 1];
  }
}

function fixture(table = new TwampReflectorTable()) {
  const controller = new RecordingController();
  const interfaces = new MemoryProvider({ [`${IF}1.Name`]: "lo", [`${IF}2.Name`]: "eth0" });
  const model = new ParameterTree({
    schema: deviceSchema("tr181"),
    bindings: [
      { object: `${IF}{i}.`, parameters: ["Name"], provider: interfaces },
      bindTwampReflector(controller, table),
    ],
  });
  return { model, controller, table };
}

async function get(model: Tree, path: string): Promise<string> {
  const ref = await model.parameter(path);
  assert.ok(ref, path);
  return (await model.read([ref]))[0];
}

async function set(model: Tree, values: Record<string, string>) {
  const { changes, faults } = await model.prepare(
    Object.entries(values).map(([name, value]) => ({ name, value, type: "" })),
  );
  if (faults.length === 0) await model.commit(changes);
  return faults.map((f) => `${f.parameterName} ${f.error.faultCode} ${f.error.message}`);
}

Deno.test("bindTwampReflector() creates rows with TR-181 defaults under an interface", async () => {
  const { model, controller } = fixture();
  const added = await model.addObject(`${IF}2.TWAMPReflector.`);
  assert.equal(added.path, `${IF}2.TWAMPReflector.1.`);
  const row = `${IF}2.TWAMPReflector.1.`;
  assert.equal(await get(model, `${row}Enable`), "false");
  assert.equal(await get(model, `${row}Status`), "Disabled");
  assert.equal(await get(model, `${row}Port`), "862");
  assert.equal(await get(model, `${row}MaximumTTL`), "1");
  assert.equal(await get(model, `${row}IPAllowedList`), "");
  assert.equal(await get(model, `${row}PortAllowedList`), "");
  assert.equal(await get(model, `${IF}2.TWAMPReflectorNumberOfEntries`), "1");
  assert.equal(await get(model, `${IF}1.TWAMPReflectorNumberOfEntries`), "0");
  assert.deepEqual(controller.last.map((r) => [r.interfaceInstance, r.instance]), [[2, 1]]);
  const names = (await model.list(`${IF}1.`, { depth: 1 })).map((i) => i.path);
  assert.ok(names.includes(`${IF}1.TWAMPReflector.`));
});

Deno.test("bindTwampReflector() applies a set at once and reads Status from the controller", async () => {
  const { model, controller } = fixture();
  await model.addObject(`${IF}1.TWAMPReflector.`);
  const row = `${IF}1.TWAMPReflector.1.`;
  assert.deepEqual(
    await set(model, {
      [`${row}Enable`]: "1",
      [`${row}Port`]: "8620",
      [`${row}MaximumTTL`]: "255",
      [`${row}IPAllowedList`]: "192.0.2.0/24,2001:db8::/32",
      [`${row}PortAllowedList`]: "1024-65535",
    }),
    [],
  );
  assert.deepEqual(controller.last, [{
    interfaceInstance: 1,
    instance: 1,
    enable: true,
    alias: "",
    port: 8620,
    maximumTtl: 255,
    ipAllowedList: "192.0.2.0/24,2001:db8::/32",
    portAllowedList: "1024-65535",
  }]);
  assert.equal(await get(model, `${row}Status`), "Active");
  controller.failing.add(8620);
  assert.equal(await get(model, `${row}Status`), "Error");
});

Deno.test("bindTwampReflector() refuses duplicate enabled ports, port 0 and bad lists", async () => {
  const { model, controller } = fixture();
  await model.addObject(`${IF}1.TWAMPReflector.`);
  await model.addObject(`${IF}1.TWAMPReflector.`);
  await model.addObject(`${IF}2.TWAMPReflector.`);
  const r = (i: number, n: number) => `${IF}${i}.TWAMPReflector.${n}.`;
  assert.deepEqual(await set(model, { [`${r(1, 1)}Enable`]: "true" }), []);
  const applies = controller.applied.length;
  assert.deepEqual(await set(model, { [`${r(1, 2)}Enable`]: "true" }), [
    `${r(1, 2)}Enable 9007 Port already used by an enabled reflector: "862"`,
  ]);
  assert.equal(controller.applied.length, applies); // nothing applied
  // Another interface's table is its own key space; a disabled duplicate is fine.
  assert.deepEqual(await set(model, { [`${r(2, 1)}Enable`]: "true" }), []);
  assert.deepEqual(await set(model, { [`${r(1, 2)}Port`]: "862" }), []);
  assert.deepEqual(await set(model, { [`${r(1, 2)}Port`]: "0", [`${r(1, 2)}Enable`]: "1" }), [
    `${r(1, 2)}Port 9007 Port must be 1–65535 to enable: "0"`,
  ]);
  assert.deepEqual(await set(model, { [`${r(1, 2)}IPAllowedList`]: "10.0.0.0/33" }), [
    `${r(1, 2)}IPAllowedList 9007 Invalid IPAllowedList entry: "10.0.0.0/33"`,
  ]);
  assert.deepEqual(await set(model, { [`${r(1, 2)}MaximumTTL`]: "0" }).then((f) => f.length), 1);
  assert.deepEqual(await set(model, { [`${r(1, 1)}Alias`]: "a", [`${r(1, 2)}Alias`]: "a" }), [
    `${r(1, 1)}Alias 9007 Alias already in use: "a"`,
    `${r(1, 2)}Alias 9007 Alias already in use: "a"`,
  ]);
});

Deno.test("bindTwampReflector() deletes rows and stops them", async () => {
  const { model, controller } = fixture();
  await model.addObject(`${IF}1.TWAMPReflector.`);
  await model.addObject(`${IF}1.TWAMPReflector.`);
  await set(model, { [`${IF}1.TWAMPReflector.2.Enable`]: "true" });
  await model.deleteObject(`${IF}1.TWAMPReflector.2.`);
  assert.deepEqual(controller.last.map((r) => r.instance), [1]);
  assert.equal(await get(model, `${IF}1.TWAMPReflectorNumberOfEntries`), "1");
  assert.equal(await model.parameter(`${IF}1.TWAMPReflector.2.Enable`), undefined);
  const added = await model.addObject(`${IF}1.TWAMPReflector.`);
  assert.equal(added.instanceNumber, 3); // never reused
});

Deno.test("bindTwampReflector() holds at most 8 rows per interface, then faults 9004", async () => {
  const { model } = fixture();
  for (let i = 0; i < MAX_REFLECTORS_PER_INTERFACE; i++) {
    await model.addObject(`${IF}1.TWAMPReflector.`);
  }
  await assert.rejects(
    model.addObject(`${IF}1.TWAMPReflector.`),
    (error) => error instanceof ResourcesExceededError && error.faultCode === 9004,
  );
  // Another interface has its own room; a deletion makes room again.
  await model.addObject(`${IF}2.TWAMPReflector.`);
  await model.deleteObject(`${IF}1.TWAMPReflector.3.`);
  assert.equal((await model.addObject(`${IF}1.TWAMPReflector.`)).instanceNumber, 9);
});

Deno.test("bindTwampReflector() restores the rows when the controller refuses", async () => {
  const { model, controller, table } = fixture();
  await model.addObject(`${IF}1.TWAMPReflector.`);
  controller.refuse = true;
  await assert.rejects(set(model, { [`${IF}1.TWAMPReflector.1.Port`]: "9000" }));
  assert.equal(table.row(1, 1)?.port, 862);
});

Deno.test("TwampReflectorTable.serialize() round-trips through restore()", async () => {
  let changes = 0;
  const first = fixture(new TwampReflectorTable({ onChange: () => changes++ }));
  await first.model.addObject(`${IF}2.TWAMPReflector.`);
  await set(first.model, { [`${IF}2.TWAMPReflector.1.Enable`]: "true" });
  assert.ok(changes >= 2);
  const text = first.table.serialize();
  const table = new TwampReflectorTable();
  table.restore(text);
  const second = fixture(table);
  assert.equal(await get(second.model, `${IF}2.TWAMPReflector.1.Enable`), "true");
  assert.deepEqual(table.rows(), first.table.rows());
  assert.throws(() => table.restore('[{"port":1}]'), {
    name: "TypeError",
    message: "Cannot restore TWAMP reflector rows: bad shape",
  });
  assert.throws(() => table.restore("{"), SyntaxError);
  assert.deepEqual(table.rows(), first.table.rows());
});
