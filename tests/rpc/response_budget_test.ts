import assert from "node:assert/strict";
import { AttributeStore } from "../../src/datamodel/attributes.ts";
import type { ParameterRef } from "../../src/datamodel/provider.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";
import { createDispatcher } from "../../src/rpc/dispatch.ts";
import { ResourcesExceededError } from "../../src/rpc/errors.ts";
import { getParameterAttributes } from "../../src/rpc/get_parameter_attributes.ts";
import { getParameterNames } from "../../src/rpc/get_parameter_names.ts";
import { getParameterValues } from "../../src/rpc/get_parameter_values.ts";
import {
  DEFAULT_RESPONSE_LIMITS,
  ENVELOPE_RESERVE_BYTES,
  ResponseBudget,
  type ResponseLimits,
} from "../../src/rpc/response_budget.ts";
import { setParameterAttributes } from "../../src/rpc/set_parameter_attributes.ts";
import { nameBytes } from "../../src/rpc/_select_parameters.ts";
import { encodeEnvelope } from "../../src/soap/encode.ts";
import { parameterValueStructBytes, textBytes } from "../../src/soap/encoded_size.ts";
import type { CwmpMessage, Fault, GetParameterValuesResponse } from "../../src/soap/messages.ts";

const NAMES = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
const ROWS = 1000;

/** 10,000 parameters (1,000 rows of 10) behind a provider that counts its calls. */
function bigTree() {
  const entries: SchemaEntry[] = [
    { kind: "object", path: "Device.", access: "readOnly", minEntries: 1, maxEntries: 1 },
    {
      kind: "object",
      path: "Device.Host.{i}.",
      access: "readOnly",
      minEntries: 0,
      maxEntries: "unbounded",
    },
    ...NAMES.map((n): SchemaEntry => ({
      kind: "parameter",
      path: `Device.Host.{i}.${n}`,
      type: "string",
      access: "readOnly",
    })),
  ];
  const values: Record<string, string> = {};
  for (let row = 1; row <= ROWS; row++) {
    for (const n of NAMES) values[`Device.Host.${row}.${n}`] = `value of ${row}.${n} & more`;
  }
  const memory = new MemoryProvider(values);
  const calls = { get: 0, read: 0, instances: 0 };
  const provider = {
    get(refs: readonly ParameterRef[]) {
      calls.get++;
      calls.read += refs.length;
      return memory.get(refs);
    },
    instances(table: string) {
      calls.instances++;
      return memory.instances(table);
    },
  };
  const model = new ParameterTree({
    schema: new Schema(entries),
    bindings: [{ object: "Device.Host.{i}.", parameters: NAMES, provider }],
  });
  model.beginSession();
  return { model, calls };
}

const gpv = (parameterNames: string[]) => ({
  kind: "GetParameterValues" as const,
  parameterNames,
});

const encodedBytes = (message: CwmpMessage) =>
  new TextEncoder().encode(
    encodeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-0", header: { id: "x" }, message }),
  ).length;

async function rejects9004(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ResourcesExceededError, String(error));
    assert.equal(error.faultCode, 9004);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("getParameterValues() answers a whole-tree GPV of 10,000 parameters within the defaults", async () => {
  const { model, calls } = bigTree();
  const response = await getParameterValues(model, gpv(["Device."]));
  assert.equal(response.parameterList.length, ROWS * NAMES.length);
  assert.deepEqual(calls, { get: 1, read: ROWS * NAMES.length, instances: 1 });
  assert.ok(encodedBytes(response) < DEFAULT_RESPONSE_LIMITS.maxBytes / 4);
});

Deno.test("getParameterValues() faults 9004 one byte past the budget and not at it", async () => {
  const { model } = bigTree();
  const all = await getParameterValues(model, gpv([""]));
  const items = all.parameterList.reduce((n, p) => n + parameterValueStructBytes(p), 0);
  const limits = (maxBytes: number): ResponseLimits => ({ maxBytes, maxParameters: 1e6 });
  const fits = await getParameterValues(model, gpv([""]), {
    limits: limits(items + ENVELOPE_RESERVE_BYTES),
  });
  assert.deepEqual(fits, all);
  // The whole envelope, header and tags included, stays under the limit.
  assert.ok(encodedBytes(fits) <= items + ENVELOPE_RESERVE_BYTES);
  const maxBytes = items + ENVELOPE_RESERVE_BYTES - 1;
  await rejects9004(
    getParameterValues(model, gpv([""]), { limits: limits(maxBytes) }),
    `Response would exceed ${maxBytes} bytes`,
  );
});

Deno.test("getParameterValues() faults 9004 past maxParameters before reading anything", async () => {
  const { model, calls } = bigTree();
  await rejects9004(
    getParameterValues(model, gpv(["Device.Host.1.", "Device."]), {
      limits: { maxBytes: 1e9, maxParameters: 5000 },
    }),
    "Request selects more than 5000 parameters",
  );
  assert.equal(calls.get, 0);
});

Deno.test("getParameterValues() of 10,000 empty names stops at the budget: one walk, no read", async () => {
  const { model, calls } = bigTree();
  const started = performance.now();
  await rejects9004(
    getParameterValues(model, gpv(Array(10_000).fill(""))),
    `Request selects more than ${DEFAULT_RESPONSE_LIMITS.maxParameters} parameters`,
  );
  assert.ok(performance.now() - started < 2000);
  assert.deepEqual(calls, { get: 0, read: 0, instances: 1 });
});

Deno.test("getParameterValues() answers repeated and overlapping names faithfully, reading each parameter once", async () => {
  const { model, calls } = bigTree();
  const one = "Device.Host.7.C";
  const response = await getParameterValues(
    model,
    gpv([one, "Device.Host.7.", ...Array(1000).fill(one)]),
  );
  const list = response.parameterList;
  assert.equal(list.length, 1 + NAMES.length + 1000);
  assert.deepEqual(list.slice(0, 4).map((p) => p.name), [
    one,
    ...NAMES.slice(0, 3).map((n) => `Device.Host.7.${n}`),
  ]);
  assert.ok(list.every((p) => p.name !== one || p.value === "value of 7.C & more"));
  assert.equal(list.at(-1), list[0]); // Repeats share one item.
  assert.deepEqual(calls, { get: 1, read: NAMES.length, instances: 1 });
});

Deno.test("getParameterAttributes() of 1,000 empty names faults 9004 within the defaults", async () => {
  const { model } = bigTree();
  const request = { kind: "GetParameterAttributes" as const, parameterNames: Array(1000).fill("") };
  await rejects9004(
    getParameterAttributes(model, new AttributeStore(), request),
    `Response would exceed ${DEFAULT_RESPONSE_LIMITS.maxBytes} bytes`,
  );
  const whole = await getParameterAttributes(model, new AttributeStore(), {
    ...request,
    parameterNames: [""],
  });
  assert.equal(whole.parameterList.length, ROWS * NAMES.length);
});

Deno.test("getParameterNames() faults 9004 when the walk finds more than maxParameters items", async () => {
  const { model } = bigTree();
  const request = { kind: "GetParameterNames" as const, parameterPath: "", nextLevel: false };
  const whole = await getParameterNames(model, request);
  assert.equal(whole.parameterList.length, 1 + 1 + ROWS * (1 + NAMES.length));
  await rejects9004(
    getParameterNames(model, request, { limits: { maxBytes: 1e9, maxParameters: 100 } }),
    "Request selects more than 100 parameters",
  );
  await rejects9004(
    getParameterNames(model, request, { limits: { maxBytes: 100_000, maxParameters: 1e6 } }),
    "Response would exceed 100000 bytes",
  );
});

Deno.test("setParameterAttributes() faults 9004 and changes nothing when its paths select too much", async () => {
  const { model } = bigTree();
  const store = new AttributeStore();
  const entry = {
    name: "",
    notificationChange: true,
    notification: 1,
    accessListChange: false,
    accessList: [],
  };
  await rejects9004(
    setParameterAttributes(model, store, {
      kind: "SetParameterAttributes",
      parameterList: Array(10_000).fill(entry),
    }),
    `Request selects more than ${DEFAULT_RESPONSE_LIMITS.maxParameters} parameters`,
  );
  assert.deepEqual(store.paths(), []);
});

Deno.test("createDispatcher() answers a request past its limits with fault 9004", async () => {
  const { model } = bigTree();
  const dispatcher = createDispatcher({ model, limits: { maxBytes: 65536, maxParameters: 1e6 } });
  const fault = await dispatcher.dispatch(gpv(["Device."])) as Fault;
  assert.equal(fault.kind, "Fault");
  assert.equal(fault.faultCode, 9004);
  assert.equal(fault.faultcode, "Server");
  assert.equal(fault.faultString, "Response would exceed 65536 bytes");
  const ok = await dispatcher.dispatch(gpv(["Device.Host.1."])) as GetParameterValuesResponse;
  assert.equal(ok.parameterList.length, NAMES.length);
});

Deno.test("ENVELOPE_RESERVE_BYTES covers the envelope around a long list", () => {
  const item = { name: "N", value: "", type: "xsd:string" };
  const parameterList = Array(99_999).fill(item);
  const xml = encodeEnvelope({
    namespace: "urn:dslforum-org:cwmp-1-2",
    header: { id: "i".repeat(1024), holdRequests: false },
    message: { kind: "GetParameterValuesResponse", parameterList },
  });
  const around = xml.length - parameterList.length * parameterValueStructBytes(item);
  assert.ok(around < ENVELOPE_RESERVE_BYTES, `${around} bytes around the list`);
});

Deno.test("ResponseBudget.charge() counts items and bytes and throws past either limit", () => {
  const budget = new ResponseBudget({ maxBytes: ENVELOPE_RESERVE_BYTES + 100, maxParameters: 3 });
  budget.charge(60, 2);
  assert.equal(budget.itemsLeft, 1);
  assert.throws(() => budget.charge(41, 0), ResourcesExceededError);
  assert.throws(() => new ResponseBudget({ maxBytes: 1e6, maxParameters: 3 }).charge(0, 4), {
    message: "Request selects more than 3 parameters",
  });
});

Deno.test("nameBytes() counts a path as is and measures a name shown with aliases", () => {
  assert.equal(nameBytes({ path: "Device.Hosts.Host.12.IPAddress" }), 30);
  const name = "Device.Hosts.Host.[tv & <box>].IPAddress";
  assert.equal(nameBytes({ path: "Device.Hosts.Host.12.IPAddress", name }), textBytes(name));
  assert.equal(textBytes(name), name.length + 4 + 3 + 3);
});
