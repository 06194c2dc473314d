import assert from "node:assert/strict";
import { formatLocalResponse, jsonString, localRequest } from "../../src/agent/local_request.ts";
import { parseControlRequest } from "../../src/agent/control_server.ts";

Deno.test("localRequest() maps each local operation onto its CWMP request", () => {
  assert.deepEqual(localRequest("get", ["Device.Time."]), {
    kind: "GetParameterValues",
    parameterNames: ["Device.Time."],
  });
  assert.deepEqual(localRequest("names", ["Device.", "true"]), {
    kind: "GetParameterNames",
    parameterPath: "Device.",
    nextLevel: true,
  });
  assert.deepEqual(localRequest("set", ["A.b", "1", "A.c", "x y"]), {
    kind: "SetParameterValues",
    parameterList: [{ name: "A.b", value: "1", type: "" }, { name: "A.c", value: "x y", type: "" }],
    parameterKey: "",
  });
  assert.deepEqual(localRequest("add", ["Device.X.Y."]), {
    kind: "AddObject",
    objectName: "Device.X.Y.",
    parameterKey: "",
  });
  assert.deepEqual(localRequest("del", ["Device.X.Y.3."]), {
    kind: "DeleteObject",
    objectName: "Device.X.Y.3.",
    parameterKey: "",
  });
  assert.deepEqual(localRequest("attrs", ["Device.A", "2", "Subscriber"]), {
    kind: "SetParameterAttributes",
    parameterList: [{
      name: "Device.A",
      notificationChange: true,
      notification: 2,
      accessListChange: true,
      accessList: ["Subscriber"],
    }],
  });
  assert.deepEqual(localRequest("attrs", ["Device.A"]), {
    kind: "GetParameterAttributes",
    parameterNames: ["Device.A"],
  });
});

Deno.test("localRequest() rejects wrong argument counts with a usage line", () => {
  assert.throws(() => localRequest("set", ["A.b"]), /^TypeError: Usage: cwmp-agent set PATH VALUE/);
  assert.throws(() => localRequest("names", ["A.", "maybe"]), /Usage: cwmp-agent names/);
  assert.throws(() => localRequest("get", []), /Usage: cwmp-agent get PATH/);
});

Deno.test("formatLocalResponse() prints icwmp-style JSON lines and faults", () => {
  assert.deepEqual(
    formatLocalResponse({
      kind: "GetParameterValuesResponse",
      parameterList: [{ name: "Device.Time.Enable", value: "1", type: "xsd:boolean" }],
    }),
    {
      lines: ['{"parameter":"Device.Time.Enable","value":"1","type":"xsd:boolean"}'],
      ok: true,
    },
  );
  const fault = formatLocalResponse({
    kind: "Fault",
    faultcode: "Client",
    faultstring: "CWMP fault",
    faultCode: 9003,
    faultString: "Invalid arguments",
    setParameterValuesFault: [{ parameterName: "A.b", faultCode: 9008, faultString: "RO" }],
  });
  assert.equal(fault.ok, false);
  assert.deepEqual(fault.lines.map((l) => JSON.parse(l)), [
    { fault: 9003, message: "Invalid arguments" },
    { parameter: "A.b", fault: 9008, message: "RO" },
  ]);
});

Deno.test("parseControlRequest() accepts only {op, args[]} JSON", () => {
  assert.deepEqual(parseControlRequest('{"op":"get","args":["Device."]}'), {
    op: "get",
    args: ["Device."],
  });
  assert.throws(() => parseControlRequest('{"op":"get","args":[1]}'), TypeError);
  assert.throws(() => parseControlRequest("[]"), TypeError);
  assert.throws(() => parseControlRequest("{"), SyntaxError);
});

Deno.test("formatLocalResponse() writes a GPV line as JSON.stringify writes the object", () => {
  const texts = [
    "",
    "plain",
    'a "quoted" value',
    "back\\slash",
    "tab\there\nnewline\u0000nul\u001f",
    "é ü 中文",
    "\u{1F600} pair",
    "lone \uD83D high",
    "lone \uDE00 low",
    "\u007f\u2028\u2029",
  ];
  const parameterList = texts.map((value, i) => ({
    name: `Device.X.${i}.${value}`,
    value,
    type: i % 2 ? "xsd:string" : `xsd:${value}`,
  }));
  const { lines, ok } = formatLocalResponse({ kind: "GetParameterValuesResponse", parameterList });
  assert.equal(ok, true);
  assert.deepEqual(
    lines,
    parameterList.map((p) => JSON.stringify({ parameter: p.name, value: p.value, type: p.type })),
  );
  for (const text of texts) assert.equal(jsonString(text), JSON.stringify(text));
});
