import assert from "node:assert/strict";
import {
  decodeOption125,
  decodeOption17,
  decodeOption43,
  hexToBytes,
  MAX_OPTION_BYTES,
} from "../../../src/services/dhcp/options.ts";

const enc = new TextEncoder();
const hexOf = (text: string) =>
  Array.from(enc.encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
/** One `code len value` sub-option with a 1-byte length. */
const sub8 = (code: number, value: string | Uint8Array) => {
  const bytes = typeof value === "string" ? enc.encode(value) : value;
  return Uint8Array.from([code, bytes.length, ...bytes]);
};
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** An option 125 vendor block of `enterprise`. */
const block = (enterprise: number, data: Uint8Array) =>
  Uint8Array.from([
    enterprise >>> 24,
    (enterprise >>> 16) & 255,
    (enterprise >>> 8) & 255,
    enterprise & 255,
    data.length,
    ...data,
  ]);
/** One DHCPv6 sub-option (2-byte code and length). */
const sub16 = (code: number, value: string) => {
  const bytes = enc.encode(value);
  return Uint8Array.from([code >> 8, code & 255, bytes.length >> 8, bytes.length & 255, ...bytes]);
};
const v6 = (enterprise: number, ...subs: Uint8Array[]) =>
  cat(
    Uint8Array.from([
      enterprise >>> 24,
      (enterprise >>> 16) & 255,
      (enterprise >>> 8) & 255,
      enterprise & 255,
    ]),
    ...subs,
  );

// ------------------------------------------------------------------ option 43

Deno.test("decodeOption43() reads the four TR-069 sub-options", () => {
  const bytes = cat(
    sub8(1, "https://acs.example.net:7547/cwmp"),
    sub8(2, "LAN.1"),
    sub8(3, "10"),
    sub8(4, "2500"),
  );
  assert.deepEqual(decodeOption43(bytes), {
    url: "https://acs.example.net:7547/cwmp",
    provisioningCode: "LAN.1",
    cwmpRetryMinimumWaitInterval: 10,
    cwmpRetryIntervalMultiplier: 2500,
  });
});

Deno.test("decodeOption43() reads the hex udhcpc prints (the OpenWrt hook's test lease)", () => {
  assert.deepEqual(
    decodeOption43(hexToBytes("0118687474703a2f2f6163732e6578616d706c653a373534372f")),
    { url: "http://acs.example:7547/" },
  );
});

Deno.test("decodeOption43() skips pads, stops at the end code and ignores unknown codes", () => {
  const bytes = cat(
    Uint8Array.from([0, 0]),
    sub8(9, "other vendor"),
    sub8(1, "http://a/"),
    Uint8Array.from([255, 1, 2, 3]),
  );
  assert.deepEqual(decodeOption43(bytes), { url: "http://a/" });
  assert.deepEqual(decodeOption43(new Uint8Array()), {});
});

Deno.test("decodeOption43() joins a repeated sub-option (a URL over 255 bytes, RFC 3396)", () => {
  const long = `http://acs.example/${"x".repeat(300)}`;
  const bytes = enc.encode(long);
  assert.deepEqual(
    decodeOption43(cat(sub8(1, bytes.subarray(0, 200)), sub8(1, bytes.subarray(200)))),
    { url: long },
  );
});

Deno.test("decodeOption43() takes an option that is a bare URL as the URL", () => {
  assert.deepEqual(decodeOption43(hexToBytes(hexOf("http://acs.example/"))), {
    url: "http://acs.example/",
  });
});

Deno.test("decodeOption43() drops a trailing NUL a C server left", () => {
  assert.deepEqual(decodeOption43(sub8(2, "ABC\0")), { provisioningCode: "ABC" });
});

const BAD_43: [string, Uint8Array, RegExp | string][] = [
  [
    "a truncated value",
    Uint8Array.from([1, 20, 0x68, 0x74]),
    "Cannot decode DHCP option 43: sub-option 1 claims 20 bytes, 2 left",
  ],
  [
    "a missing length byte",
    Uint8Array.from([2]),
    "Cannot decode DHCP option 43: sub-option 2 has no length byte",
  ],
  [
    "a URL that is not UTF-8",
    Uint8Array.from([1, 4, 0xff, 0xfe, 0x80, 0x41]),
    "Cannot decode DHCP option 43 sub-option 1 (URL): not UTF-8",
  ],
  [
    "a URL of another scheme",
    sub8(1, "ftp://acs/"),
    'Cannot decode DHCP option 43 sub-option 1 (URL): "ftp://acs/" is not an http or https URL',
  ],
  [
    "a URL that is not one",
    sub8(1, "acs.example"),
    'Cannot decode DHCP option 43 sub-option 1 (URL): "acs.example" is not a URL',
  ],
  [
    "control characters",
    sub8(2, "a\nb"),
    'Cannot decode DHCP option 43 sub-option 2 (ProvisioningCode): control characters in "a\nb"',
  ],
  [
    "a ProvisioningCode over 64 characters",
    sub8(2, "p".repeat(65)),
    "Cannot decode DHCP option 43 sub-option 2 (ProvisioningCode): longer than 64 characters",
  ],
  [
    "a wait interval of 0",
    sub8(3, "0"),
    "Cannot decode DHCP option 43 sub-option 3 (CWMPRetryMinimumWaitInterval): 0 is outside 1–65535",
  ],
  [
    "a multiplier below 1000",
    sub8(4, "999"),
    "Cannot decode DHCP option 43 sub-option 4 (CWMPRetryIntervalMultiplier): 999 is outside 1000–65535",
  ],
  [
    "a binary number",
    sub8(3, Uint8Array.from([0x00, 0x0a])),
    /sub-option 3 \(CWMPRetryMinimumWaitInterval\): control characters/,
  ],
  [
    "a signed number",
    sub8(3, "-5"),
    'Cannot decode DHCP option 43 sub-option 3 (CWMPRetryMinimumWaitInterval): "-5" is not a decimal number',
  ],
];
for (const [name, bytes, message] of BAD_43) {
  Deno.test(`decodeOption43() refuses ${name}`, () => {
    assert.throws(
      () => decodeOption43(bytes),
      (error: Error) => {
        if (typeof message === "string") assert.equal(error.message, message);
        else assert.match(error.message, message);
        return error instanceof SyntaxError || error instanceof RangeError;
      },
    );
  });
}

Deno.test("decodeOption43() refuses a huge option before looking at it", () => {
  assert.throws(
    () => decodeOption43(new Uint8Array(MAX_OPTION_BYTES + 1)),
    new RangeError("Cannot decode DHCP option 43: 4097 bytes, at most 4096"),
  );
});

// -------------------------------------------------------- option 43, Vega

Deno.test("decodeOption43() reads the Sangoma Vega guide's example (seed 002) in the vega format", () => {
  // Verbatim from the guide: code 01, length "44" (decimal digits), 44 bytes of URL.
  const guide = "01 44 68 74 74 70 3a 2f 2f 61 78 74 72 61 63 74 2d 74 72 69 61 6c 2e 61 78 69 " +
    "72 6f 73 2e 63 6f 6d 3a 37 35 34 38 2f 73 61 6e 67 6f 6d 61";
  assert.deepEqual(decodeOption43(hexToBytes(guide), "vega"), {
    url: "http://axtract-trial.axiros.com:7548/sangoma",
  });
  // The same bytes read as TR-069 sub-options claim 0x44 = 68 bytes: a clear error.
  assert.throws(
    () => decodeOption43(hexToBytes(guide)),
    new SyntaxError("Cannot decode DHCP option 43: sub-option 1 claims 68 bytes, 44 left"),
  );
});

Deno.test("decodeOption43() vega format: codes 2–4 are ProvisioningCode, PeriodicInformEnable and PeriodicInformInterval", () => {
  const bcd = (code: number, value: string) => {
    const bytes = enc.encode(value);
    const n = bytes.length;
    return Uint8Array.from([code, ((n / 10) | 0) * 16 + (n % 10), ...bytes]);
  };
  assert.deepEqual(
    decodeOption43(cat(bcd(2, "vega-lab"), bcd(3, "1"), bcd(4, "3600")), "vega"),
    { provisioningCode: "vega-lab", periodicInformEnable: true, periodicInformInterval: 3600 },
  );
  assert.throws(
    () => decodeOption43(bcd(3, "yes"), "vega"),
    new SyntaxError(
      'Cannot decode DHCP option 43 sub-option 3 (PeriodicInformEnable): "yes" is not 0, 1, true or false',
    ),
  );
});

Deno.test("decodeOption43() vega format refuses a length byte that is not two decimal digits", () => {
  assert.throws(
    () => decodeOption43(Uint8Array.from([1, 0x2c, ...enc.encode("http://a/")]), "vega"),
    new SyntaxError(
      "Cannot decode DHCP option 43 (Vega format): sub-option 1 length byte 0x2c is not two decimal digits",
    ),
  );
});

// ----------------------------------------------------------------- option 125

Deno.test("decodeOption125() reads sub-options 11–14 and the gateway identity 4–6 of enterprise 3561", () => {
  const data = cat(
    sub8(11, "http://acs.example/"),
    sub8(12, "code"),
    sub8(13, "30"),
    sub8(14, "1500"),
    sub8(4, "00d09e"),
    sub8(5, "GW-0001"),
    sub8(6, "HomeGateway"),
  );
  assert.deepEqual(decodeOption125(block(3561, data)), {
    acs: {
      url: "http://acs.example/",
      provisioningCode: "code",
      cwmpRetryMinimumWaitInterval: 30,
      cwmpRetryIntervalMultiplier: 1500,
    },
    gateway: { manufacturerOui: "00D09E", serialNumber: "GW-0001", productClass: "HomeGateway" },
  });
});

Deno.test("decodeOption125() skips other enterprises and joins two blocks of 3561", () => {
  const bytes = cat(
    block(4491, sub8(11, "\u0001\u0002 not ours")),
    block(3561, sub8(11, "http://acs.")),
    block(3561, sub8(11, "example/")),
  );
  assert.deepEqual(decodeOption125(bytes), { acs: { url: "http://acs.example/" } });
  assert.deepEqual(decodeOption125(block(9, sub8(11, "x"))), { acs: {} });
  // Sub-options 1–3 are what a LAN device sends its gateway: not read here.
  assert.deepEqual(decodeOption125(block(3561, sub8(1, "00D09E"))), { acs: {} });
});

Deno.test("decodeOption125() gives empty strings for the gateway values it was not sent", () => {
  assert.deepEqual(decodeOption125(block(3561, sub8(5, "SN1"))).gateway, {
    manufacturerOui: "",
    serialNumber: "SN1",
    productClass: "",
  });
});

const BAD_125: [string, Uint8Array, string][] = [
  [
    "a truncated vendor block",
    Uint8Array.from([0, 0, 0x0d]),
    "Cannot decode DHCP option 125: truncated vendor block at byte 0 (3 bytes left, 5 needed)",
  ],
  [
    "a data length past the end",
    Uint8Array.from([0, 0, 0x0d, 0xe9, 10, 11, 1]),
    "Cannot decode DHCP option 125: enterprise 3561 claims 10 bytes, 2 left",
  ],
  [
    "a sub-option past the end of its block",
    block(3561, Uint8Array.from([11, 9, 0x68])),
    "Cannot decode DHCP option 125 (enterprise 3561): sub-option 11 claims 9 bytes, 1 left",
  ],
  [
    "an OUI that is not 6 hex digits",
    block(3561, sub8(4, "00D09")),
    'Cannot decode DHCP option 125 (enterprise 3561) sub-option 4 (ManufacturerOUI): "00D09" is not 6 hex digits',
  ],
  [
    "a SerialNumber over 64 characters",
    block(3561, sub8(5, "s".repeat(65))),
    "Cannot decode DHCP option 125 (enterprise 3561) sub-option 5 (SerialNumber): longer than 64 characters",
  ],
  [
    "a ProductClass that is not UTF-8",
    block(3561, sub8(6, Uint8Array.from([0xc3, 0x28]))),
    "Cannot decode DHCP option 125 (enterprise 3561) sub-option 6 (ProductClass): not UTF-8",
  ],
];
for (const [name, bytes, message] of BAD_125) {
  Deno.test(`decodeOption125() refuses ${name}`, () => {
    assert.throws(() => decodeOption125(bytes), (error: Error) => {
      assert.equal(error.message, message);
      return error instanceof SyntaxError || error instanceof RangeError;
    });
  });
}

// ------------------------------------------------------------------ option 17

Deno.test("decodeOption17() reads sub-options 1–4 with 2-byte codes and lengths", () => {
  const bytes = v6(
    3561,
    sub16(1, "http://[2001:db8::1]:7547/"),
    sub16(2, "v6"),
    sub16(3, "7"),
    sub16(4, "3000"),
  );
  assert.deepEqual(decodeOption17(bytes), {
    url: "http://[2001:db8::1]:7547/",
    provisioningCode: "v6",
    cwmpRetryMinimumWaitInterval: 7,
    cwmpRetryIntervalMultiplier: 3000,
  });
});

Deno.test("decodeOption17() gives nothing for another enterprise's option", () => {
  assert.deepEqual(decodeOption17(v6(311, sub16(1, "http://not.ours/"))), {});
});

const BAD_17: [string, Uint8Array, string][] = [
  [
    "fewer than 4 bytes",
    Uint8Array.from([0, 0, 0x0d]),
    "Cannot decode DHCPv6 option 17: 3 bytes, the enterprise number needs 4",
  ],
  [
    "a truncated sub-option header",
    v6(3561, Uint8Array.from([0, 1, 0])),
    "Cannot decode DHCPv6 option 17: truncated sub-option header at byte 4",
  ],
  [
    "a length past the end",
    v6(3561, Uint8Array.from([0, 1, 0xff, 0xff, 0x68])),
    "Cannot decode DHCPv6 option 17: sub-option 1 claims 65535 bytes, 1 left",
  ],
  [
    "a URL that is not UTF-8",
    v6(3561, Uint8Array.from([0, 1, 0, 2, 0xed, 0xa0])),
    "Cannot decode DHCPv6 option 17 sub-option 1 (URL): not UTF-8",
  ],
];
for (const [name, bytes, message] of BAD_17) {
  Deno.test(`decodeOption17() refuses ${name}`, () => {
    assert.throws(() => decodeOption17(bytes), (error: Error) => {
      assert.equal(error.message, message);
      return error instanceof SyntaxError;
    });
  });
}

// ------------------------------------------------------------------- hex

Deno.test("hexToBytes() accepts udhcpc's lower case and colon-separated bytes", () => {
  assert.deepEqual([...hexToBytes("0A0b")], [10, 11]);
  assert.deepEqual([...hexToBytes("0a:0b")], [10, 11]);
  assert.deepEqual([...hexToBytes("")], []);
});

Deno.test("hexToBytes() refuses odd digits, other characters and huge input", () => {
  assert.throws(
    () => hexToBytes("abc", "DHCP option 43"),
    new SyntaxError(
      'Cannot decode DHCP option 43: "abc" is not hex bytes',
    ),
  );
  assert.throws(() => hexToBytes("zz"), SyntaxError);
  assert.throws(
    () => hexToBytes("00".repeat(MAX_OPTION_BYTES + 1), "DHCP option 125"),
    new RangeError("Cannot decode DHCP option 125: longer than 4096 bytes"),
  );
});

Deno.test("decoders never throw anything but SyntaxError or RangeError on random bytes", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 3000; i++) {
    const bytes = Uint8Array.from(
      { length: Math.floor(random() * 80) },
      () => Math.floor(random() * 256),
    );
    if (i % 3 === 0 && bytes.length > 4) bytes.set([0, 0, 0x0d, 0xe9]);
    for (
      const decode of [
        () => decodeOption43(bytes),
        () => decodeOption43(bytes, "vega"),
        () => decodeOption125(bytes),
        () => decodeOption17(bytes),
      ]
    ) {
      try {
        decode();
      } catch (error) {
        assert.ok(error instanceof SyntaxError || error instanceof RangeError, String(error));
      }
    }
  }
});
