import assert from "node:assert/strict";
import { InvalidTypeError, InvalidValueError } from "../../src/datamodel/errors.ts";
import type { NumberRange, ParameterSchema } from "../../src/datamodel/schema.ts";
import { SLICE_SCHEMA } from "../../src/datamodel/schema_slice.ts";
import { validateValue } from "../../src/datamodel/validate.ts";

function slice(name: string): ParameterSchema {
  const entry = SLICE_SCHEMA.find((e) => e.path.endsWith(`.${name}`));
  assert.ok(entry?.kind === "parameter", name);
  return entry;
}

function param(fields: Partial<ParameterSchema>): ParameterSchema {
  return {
    kind: "parameter",
    path: "Device.Test.P",
    type: "string",
    access: "readWrite",
    ...fields,
  };
}

function rejects(schema: ParameterSchema, value: string, message: string, type = "") {
  assert.throws(() => validateValue(schema, value, type), (e) => {
    assert.ok(e instanceof InvalidValueError);
    assert.equal(e.faultCode, 9007);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("validateValue() normalises booleans 0/1/true/false", () => {
  const enable = slice("PeriodicInformEnable");
  assert.equal(validateValue(enable, "1", "xsd:boolean"), "true");
  assert.equal(validateValue(enable, "0"), "false");
  assert.equal(validateValue(enable, "true"), "true");
  assert.equal(validateValue(enable, " false "), "false");
  rejects(
    enable,
    "yes",
    'Invalid value for "Device.ManagementServer.PeriodicInformEnable": "yes" is not a boolean',
  );
});

Deno.test("validateValue() checks unsignedInt syntax and the schema range", () => {
  const interval = slice("PeriodicInformInterval");
  assert.equal(validateValue(interval, "0300", "xsd:unsignedInt"), "300");
  const path = "Device.ManagementServer.PeriodicInformInterval";
  rejects(interval, "0", `Invalid value for "${path}": "0" is outside [1, ∞]`);
  rejects(interval, "-5", `Invalid value for "${path}": "-5" is out of unsignedInt range`);
  rejects(
    interval,
    "4294967296",
    `Invalid value for "${path}": "4294967296" is out of unsignedInt range`,
  );
  rejects(interval, "1.5", `Invalid value for "${path}": "1.5" is not an integer`);
  rejects(interval, "", `Invalid value for "${path}": "" is not an integer`);
});

Deno.test("validateValue() checks closed ranges", () => {
  const multiplier = slice("CWMPRetryIntervalMultiplier");
  assert.equal(validateValue(multiplier, "1000"), "1000");
  assert.equal(validateValue(multiplier, "65535"), "65535");
  assert.throws(() => validateValue(multiplier, "999"), InvalidValueError);
  assert.throws(() => validateValue(multiplier, "65536"), InvalidValueError);
});

Deno.test("validateValue() checks int, long and unsignedLong bounds", () => {
  assert.equal(validateValue(param({ type: "int" }), "-2147483648"), "-2147483648");
  assert.throws(() => validateValue(param({ type: "int" }), "2147483648"), InvalidValueError);
  assert.equal(
    validateValue(param({ type: "long" }), "-9223372036854775808"),
    "-9223372036854775808",
  );
  assert.equal(
    validateValue(param({ type: "unsignedLong" }), "18446744073709551615"),
    "18446744073709551615",
  );
  assert.throws(
    () => validateValue(param({ type: "unsignedLong" }), "18446744073709551616"),
    InvalidValueError,
  );
  assert.equal(validateValue(param({ type: "int", ranges: [{ min: -1 }] }), "+7"), "7");
  assert.throws(
    () => validateValue(param({ type: "int", ranges: [{ min: 0, max: 10, step: 5 }] }), "7"),
    InvalidValueError,
  );
});

Deno.test("validateValue() agrees with exact BigInt arithmetic on integers of every length", () => {
  const bounds = {
    int: [-(2n ** 31n), 2n ** 31n - 1n],
    unsignedInt: [0n, 2n ** 32n - 1n],
    long: [-(2n ** 63n), 2n ** 63n - 1n],
    unsignedLong: [0n, 2n ** 64n - 1n],
  } as const;
  const ranges: (NumberRange[] | undefined)[] = [
    undefined,
    [{ min: 0, max: 65535 }],
    [{ min: -5, max: 100, step: 5 }],
    [{ min: 3, step: 7 }],
    [{ min: -(2 ** 63), step: 3 }],
    [{ min: 999999999999990, max: 1000000000000010, step: 4 }],
    [{ max: 9007199254740993 }],
  ];
  const texts = [
    "0",
    "7",
    "+7",
    "-7",
    "007",
    "-0",
    "65535",
    "65536",
    "100",
    "999999999",
    "1000000000",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967295",
    "4294967296",
    "999999999999994",
    "1000000000000002",
    "-999999999999995",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    " 42 ",
  ];
  for (const type of Object.keys(bounds) as (keyof typeof bounds)[]) {
    for (const r of ranges) {
      for (const text of texts) {
        const n = BigInt(text.trim());
        const fits = n >= bounds[type][0] && n <= bounds[type][1] &&
          (r === undefined || r.some((x) =>
            (x.min === undefined || n >= BigInt(x.min)) &&
            (x.max === undefined || n <= BigInt(x.max)) &&
            (x.step === undefined || (n - BigInt(x.min ?? 0)) % BigInt(x.step) === 0n)
          ));
        const schema = param({ type, ranges: r });
        const what = `${type} ${JSON.stringify(r)} ${text}`;
        if (fits) assert.equal(validateValue(schema, text), n.toString(), what);
        else assert.throws(() => validateValue(schema, text), InvalidValueError, what);
      }
    }
  }
});

Deno.test("validateValue() accepts TR-106 dateTimes including Unknown Time", () => {
  const time = slice("PeriodicInformTime");
  for (
    const ok of [
      "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
      "2024-02-29T12:00:00Z",
      "2024-06-01T12:00:00.123456+02:00",
      "2024-06-01T12:00:00-00:00",
      "0001-01-02T03:00:00",
    ]
  ) assert.equal(validateValue(time, ok, "xsd:dateTime"), ok);
  for (
    const bad of [
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01",
      "now",
      "2024-01-01T00:00:00+15:00",
    ]
  ) {
    rejects(
      time,
      bad,
      `Invalid value for "Device.ManagementServer.PeriodicInformTime": "${bad}" is not a TR-106 dateTime`,
    );
  }
});

Deno.test("validateValue() counts string length in characters", () => {
  const code = slice("ProvisioningCode");
  assert.equal(validateValue(code, "é".repeat(64)), "é".repeat(64));
  // A character outside the BMP (two UTF-16 units) counts once; a lone surrogate counts once.
  const astral = "\u{1F600}".repeat(64);
  assert.equal(validateValue(code, astral), astral);
  assert.throws(() => validateValue(code, astral + "x"), /longer than 64 characters/);
  const lone = "\uD83D".repeat(63) + "\u{1F600}";
  assert.equal(validateValue(code, lone), lone);
  assert.throws(() => validateValue(code, "\uDE00" + lone), /longer than 64 characters/);
  rejects(
    code,
    "x".repeat(65),
    `Invalid value for "Device.DeviceInfo.ProvisioningCode": "${
      "x".repeat(64)
    }…" is longer than 64 characters`,
  );
});

Deno.test("validateValue() checks enumerations and patterns", () => {
  const mode = slice("InstanceMode");
  assert.equal(validateValue(mode, "InstanceAlias"), "InstanceAlias");
  rejects(
    mode,
    "instancealias",
    'Invalid value for "Device.ManagementServer.InstanceMode": "instancealias" is not one of the enumerated values',
  );
  const oui = param({ minLength: 6, maxLength: 6, patterns: ["[0-9A-F]{6}"] });
  assert.equal(validateValue(oui, "00D09E"), "00D09E");
  rejects(
    oui,
    "00d09e",
    'Invalid value for "Device.Test.P": "00d09e" does not match the required pattern',
  );
});

Deno.test("validateValue() validates each item of a list", () => {
  const methods = param({ list: { maxItems: 2 }, enumerations: ["HTTP", "STUN", "XMPP"] });
  assert.equal(validateValue(methods, "HTTP, STUN"), "HTTP,STUN");
  assert.equal(validateValue(methods, ""), "");
  assert.throws(() => validateValue(methods, "HTTP,FTP"), InvalidValueError);
  rejects(
    methods,
    "HTTP,STUN,XMPP",
    'Invalid value for "Device.Test.P": "HTTP,STUN,XMPP" has more than 2 items',
  );
});

Deno.test("validateValue() checks base64, hexBinary and decimal", () => {
  assert.equal(validateValue(param({ type: "base64", maxLength: 3 }), "AQID"), "AQID");
  assert.throws(
    () => validateValue(param({ type: "base64", maxLength: 2 }), "AQID"),
    InvalidValueError,
  );
  assert.throws(() => validateValue(param({ type: "base64" }), "AQI"), InvalidValueError);
  assert.equal(validateValue(param({ type: "hexBinary" }), "00ff"), "00ff");
  assert.throws(() => validateValue(param({ type: "hexBinary" }), "0f0"), InvalidValueError);
  assert.equal(validateValue(param({ type: "decimal", ranges: [{ max: 1 }] }), "-0.5"), "-0.5");
  assert.throws(() => validateValue(param({ type: "decimal" }), "1e3"), InvalidValueError);
});

Deno.test("validateValue() rejects a declared xsi:type that does not fit with 9006", () => {
  const interval = slice("PeriodicInformInterval");
  assert.throws(() => validateValue(interval, "true", "xsd:boolean"), (e) => {
    assert.ok(e instanceof InvalidTypeError);
    assert.equal(e.faultCode, 9006);
    assert.equal(
      e.message,
      'Type "xsd:boolean" does not fit "Device.ManagementServer.PeriodicInformInterval" (unsignedInt)',
    );
    return true;
  });
  // Lenient: xsd:string, no type, and other integer types are accepted.
  assert.equal(validateValue(interval, "60", "xsd:string"), "60");
  assert.equal(validateValue(interval, "60", "xsd:int"), "60");
  assert.equal(validateValue(interval, "60", ""), "60");
  assert.throws(() => validateValue(slice("URL"), "http://x/", "xsd:dateTime"), InvalidTypeError);
});
