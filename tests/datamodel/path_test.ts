import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import { isInstanceNumber, parsePath, patternOf } from "../../src/datamodel/path.ts";

Deno.test("parsePath() splits a parameter name", () => {
  assert.deepEqual(parsePath("Device.DeviceInfo.UpTime"), {
    text: "Device.DeviceInfo.UpTime",
    segments: ["Device", "DeviceInfo", "UpTime"],
    partial: false,
  });
});

Deno.test("parsePath() marks partial paths and keeps instance numbers", () => {
  const path = parsePath("Device.IP.Interface.12.");
  assert.deepEqual(path.segments, ["Device", "IP", "Interface", "12"]);
  assert.equal(path.partial, true);
});

Deno.test("parsePath() reads the empty string as the root", () => {
  assert.deepEqual(parsePath(""), { text: "", segments: [], partial: true });
});

Deno.test("parsePath() accepts vendor names with underscores and hyphens", () => {
  assert.deepEqual(parsePath("Device.X_ACME-COM_Foo.Bar").segments, [
    "Device",
    "X_ACME-COM_Foo",
    "Bar",
  ]);
});

Deno.test("parsePath() rejects malformed names with the exact message", () => {
  const cases: [string, string][] = [
    ["Device..UpTime", 'Invalid parameter name: "Device..UpTime" (bad segment "")'],
    [".", 'Invalid parameter name: "." (bad segment "")'],
    ["1.Device", 'Invalid parameter name: "1.Device" (bad segment "1")'],
    [
      "Device.IP.Interface.01.",
      'Invalid parameter name: "Device.IP.Interface.01." (bad segment "01")',
    ],
    [
      "Device.IP.Interface.0.",
      'Invalid parameter name: "Device.IP.Interface.0." (bad segment "0")',
    ],
    ["Device.Up Time", 'Invalid parameter name: "Device.Up Time" (bad segment "Up Time")'],
    [
      "Device.IP.Interface.1",
      'Invalid parameter name: "Device.IP.Interface.1" (an object path must end in ".")',
    ],
    [
      "Device.IP.Interface.[lan].",
      'Alias-based addressing is not supported: "Device.IP.Interface.[lan]."',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePath(text), (e) => {
      assert.ok(e instanceof ParameterNameError);
      assert.equal(e.faultCode, 9005);
      assert.equal(e.message, message);
      return true;
    });
  }
});

Deno.test("parsePath() rejects names longer than 256 characters", () => {
  assert.throws(() => parsePath(`Device.${"A".repeat(250)}`), ParameterNameError);
  assert.doesNotThrow(() => parsePath(`Device.${"A".repeat(249)}`));
});

Deno.test("isInstanceNumber() accepts 1 to 4294967295 only", () => {
  assert.equal(isInstanceNumber("1"), true);
  assert.equal(isInstanceNumber("4294967295"), true);
  assert.equal(isInstanceNumber("4294967296"), false);
  assert.equal(isInstanceNumber("0"), false);
  assert.equal(isInstanceNumber("x1"), false);
});

Deno.test("patternOf() replaces instance numbers with {i}", () => {
  assert.equal(
    patternOf("Device.IP.Interface.3.IPv4Address.1.IPAddress"),
    "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress",
  );
  assert.equal(patternOf("Device.IP.Interface.3."), "Device.IP.Interface.{i}.");
});
