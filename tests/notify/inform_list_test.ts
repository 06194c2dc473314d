import assert from "node:assert/strict";
import {
  assembleInformList,
  buildInformList,
  type ChangedParameter,
  informEventCodes,
  informParameterApplies,
  parseEventList,
  readInformParameterTable,
  resolveParameterPattern,
} from "../../src/notify/mod.ts";
import { fixture } from "./_fixture.ts";

const value = (name: string, v: string) => ({ name, value: v, type: "xsd:string" });
const changed = (name: string, v: string, notification: 1 | 2 = 1): ChangedParameter => ({
  ...value(name, v),
  notification,
});
const entry = (eventList: string, enable = true) => ({
  enable,
  parameterName: "Device.Name",
  eventList,
});

Deno.test("parseEventList() trims items and drops empty ones", () => {
  assert.deepEqual(parseEventList(" 1 BOOT ,2 PERIODIC,, "), ["1 BOOT", "2 PERIODIC"]);
  assert.deepEqual(parseEventList(""), []);
});

Deno.test("informParameterApplies() matches any listed event of the Inform", () => {
  assert.equal(informParameterApplies(entry("1 BOOT,2 PERIODIC"), ["2 PERIODIC"]), true);
  assert.equal(informParameterApplies(entry("1 BOOT"), ["2 PERIODIC", "M Reboot"]), false);
  assert.equal(informParameterApplies(entry("M Reboot"), ["1 BOOT", "M Reboot"]), true);
  assert.equal(informParameterApplies(entry("2 PERIODIC", false), ["2 PERIODIC"]), false);
  assert.equal(
    informParameterApplies({ enable: true, parameterName: "", eventList: "" }, ["1 BOOT"]),
    false,
  );
});

Deno.test("informParameterApplies() reads an empty EventList as every event but 4 VALUE CHANGE", () => {
  assert.equal(informParameterApplies(entry(""), ["6 CONNECTION REQUEST"]), true);
  assert.equal(informParameterApplies(entry(""), ["4 VALUE CHANGE"]), false);
  assert.equal(informParameterApplies(entry(""), ["4 VALUE CHANGE", "2 PERIODIC"]), true);
  assert.equal(informParameterApplies(entry("4 VALUE CHANGE"), ["4 VALUE CHANGE"]), false);
});

Deno.test("informEventCodes() adds 4 VALUE CHANGE when the Inform carries changes", () => {
  assert.deepEqual(informEventCodes(["2 PERIODIC"], [changed("Device.Name", "x")]), [
    "2 PERIODIC",
    "4 VALUE CHANGE",
  ]);
  assert.deepEqual(informEventCodes(["4 VALUE CHANGE"], [changed("Device.Name", "x")]), [
    "4 VALUE CHANGE",
  ]);
  assert.deepEqual(informEventCodes(["1 BOOT"], []), ["1 BOOT"]);
});

Deno.test("assembleInformList() lists forced, changed, then InformParameter values, each name once", () => {
  const list = assembleInformList({
    forced: [value("Device.Code", "fresh"), value("Device.Version", "1.0")],
    changed: [changed("Device.Code", "queued", 2), changed("Device.Name", "router")],
    informParameters: [value("Device.Name", "again"), value("Device.UpTime", "5")],
  });
  assert.deepEqual(list.parameterList, [
    value("Device.Code", "fresh"),
    value("Device.Version", "1.0"),
    value("Device.Name", "router"),
    value("Device.UpTime", "5"),
  ]);
  assert.equal(list.valueChange, true);
  assert.deepEqual(list.delivered.map((c) => c.name), ["Device.Code", "Device.Name"]);
  assert.equal(assembleInformList({ forced: [], changed: [] }).valueChange, false);
});

Deno.test("readInformParameterTable() reads the rows in instance order, [] without the table", async () => {
  const { model } = fixture([
    ["true", "Device.Name", "1 BOOT"],
    ["false", "Device.UpTime", ""],
  ]);
  assert.deepEqual(await readInformParameterTable(model), [
    { enable: true, parameterName: "Device.Name", eventList: "1 BOOT" },
    { enable: false, parameterName: "Device.UpTime", eventList: "" },
  ]);
  assert.deepEqual(await readInformParameterTable(model, "Device.Nothing."), []);
});

Deno.test("resolveParameterPattern() expands * instance wildcards and partial paths", async () => {
  const { model } = fixture();
  const paths = async (pattern: string) =>
    (await resolveParameterPattern(model, pattern)).map((r) => r.path);
  assert.deepEqual(await paths("Device.Box.Port.*.Status"), [
    "Device.Box.Port.1.Status",
    "Device.Box.Port.2.Status",
  ]);
  assert.deepEqual(await paths("Device.Box.Port.*."), [
    "Device.Box.Port.1.Enable",
    "Device.Box.Port.1.Status",
    "Device.Box.Port.2.Enable",
    "Device.Box.Port.2.Status",
  ]);
  assert.deepEqual(await paths("Device.Box.Port.2."), [
    "Device.Box.Port.2.Enable",
    "Device.Box.Port.2.Status",
  ]);
  assert.deepEqual(await paths("Device.UpTime"), ["Device.UpTime"]);
  assert.deepEqual(await paths("Device.Box.Port.9.Status"), []);
  assert.deepEqual(await paths("Device.Nope.*.X"), []);
  assert.deepEqual(await paths("Device..Bad"), []);
  assert.deepEqual(await paths("*.Name"), []);
});

Deno.test("buildInformList() reads forced and matching InformParameter values, no duplicates", async () => {
  const { model, ref } = fixture([
    ["true", "Device.Box.Port.*.Status", "2 PERIODIC"],
    ["true", "Device.UpTime", ""],
    ["true", "Device.Code", "2 PERIODIC"],
    ["true", "Device.Name", "1 BOOT"],
    ["false", "Device.Box.Port.1.Enable", ""],
  ]);
  const list = await buildInformList(model, {
    eventCodes: ["2 PERIODIC"],
    forcedRefs: [await ref("Device.Version"), await ref("Device.Code")],
    changed: [],
  });
  assert.deepEqual(list.parameterList.map((p) => `${p.name}=${p.value}`), [
    "Device.Version=1.0",
    "Device.Code=A",
    "Device.Box.Port.1.Status=Up",
    "Device.Box.Port.2.Status=Down",
    "Device.UpTime=10",
  ]);
  assert.equal(list.parameterList[4].type, "xsd:unsignedInt");
  assert.equal(list.valueChange, false);
});

Deno.test("buildInformList() carries queued changes and matches entries against 4 VALUE CHANGE added", async () => {
  const { model, ref } = fixture([
    ["true", "Device.UpTime", ""],
    ["true", "Device.Box.Port.1.Enable", "4 VALUE CHANGE"],
  ]);
  const list = await buildInformList(model, {
    eventCodes: [],
    forcedRefs: [await ref("Device.Version")],
    changed: [changed("Device.Name", "router"), changed("Device.Version", "0.9", 2)],
  });
  assert.deepEqual(list.parameterList.map((p) => `${p.name}=${p.value}`), [
    "Device.Version=1.0",
    "Device.Name=router",
  ]);
  assert.equal(list.valueChange, true);
  assert.equal(list.delivered.length, 2);
});
