import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/config_error.ts";
import { loadMapping, readMappingFile } from "../../src/config/mapping.ts";

function errorOf(text: string): string {
  try {
    loadMapping(text, { file: "map.toml" });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

const SSID = [
  "[[object]]",
  'path = "Device.WiFi.SSID.{i}."',
  'parameters = ["SSID"]',
  'instances = ["list"]',
  'get = ["get"]',
].join("\n");

Deno.test("loadMapping() reads objects, commands, limits and env", () => {
  const mapping = loadMapping(
    [
      "timeout_ms = 2000",
      "[env]",
      'UCI_CONFIG_DIR = "/etc/config"',
      SSID,
      'set = { argv = ["set", "-v"], timeout_ms = 9000, max_output_bytes = 10 }',
      'add = ["add"]',
      "max_output_bytes = 4096",
      "[[object]]",
      'path = "Device.Time."',
      'parameters = ["NTPServer1"]',
      'get = ["sh", "-c", "echo"]',
    ].join("\n"),
    { file: "map.toml" },
  );
  assert.equal(mapping.file, "map.toml");
  assert.deepEqual(mapping.env, { UCI_CONFIG_DIR: "/etc/config" });
  assert.deepEqual(mapping.objects, [
    {
      path: "Device.WiFi.SSID.{i}.",
      parameters: ["SSID"],
      get: { argv: ["get"], timeoutMs: 2000, maxOutputBytes: 4096 },
      set: { argv: ["set", "-v"], timeoutMs: 9000, maxOutputBytes: 10 },
      instances: { argv: ["list"], timeoutMs: 2000, maxOutputBytes: 4096 },
      add: { argv: ["add"], timeoutMs: 2000, maxOutputBytes: 4096 },
    },
    {
      path: "Device.Time.",
      parameters: ["NTPServer1"],
      get: { argv: ["sh", "-c", "echo"], timeoutMs: 2000, maxOutputBytes: 1048576 },
    },
  ]);
});

Deno.test("loadMapping() accepts an empty file", () => {
  assert.deepEqual(loadMapping("", { file: "map.toml" }), {
    file: "map.toml",
    env: {},
    objects: [],
  });
});

Deno.test("loadMapping() errors name file, line and key", () => {
  const cases: [string, string][] = [
    ["retries = 3", "map.toml:1: retries: unknown key"],
    ["timeout_ms = 0", "map.toml:1: timeout_ms: expected an integer from 1 to 600000, got 0"],
    [
      '[env]\nCWMP_OPERATION = "x"',
      "map.toml:2: env.CWMP_OPERATION: CWMP_* variables are set by the agent",
    ],
    ["[env]\nA = 1", "map.toml:2: env.A: expected a string, got 1"],
    ["object = 3", "map.toml:1: object: expected [[object]] tables, got 3"],
    ['x = "', "map.toml:1: invalid TOML: "],
    [
      '[[object]]\npath = "Device.Nope."',
      'map.toml:2: object[1].path: no object "Device.Nope." in Device:2.17 schema',
    ],
    [
      "[[object]]\nparameters = []",
      'map.toml:1: object[1].path: expected an object path such as "Device.Time.", got nothing',
    ],
    [
      `${SSID}\n[[object]]\npath = "Device.WiFi.SSID.{i}."\ndelete = ["d"]`,
      "map.toml:8: object[2].delete: needs the instances command in the same [[object]]",
    ],
    [
      `${SSID}\ncolour = "red"`,
      "map.toml:6: object[1].colour: unknown key",
    ],
    [
      '[[object]]\npath = "Device.Time."\nget = ["g"]\nparameters = ["Enable", "Bogus"]',
      'map.toml:4: object[1].parameters: "Bogus" is not a parameter of "Device.Time." in Device:2.17 schema',
    ],
    [
      '[[object]]\npath = "Device.Time."\nget = ["g"]\nparameters = ["Enable", "Enable"]',
      'map.toml:4: object[1].parameters: "Enable" is listed twice',
    ],
    [
      '[[object]]\npath = "Device.WiFi."\nget = ["g"]\nparameters = ["SSIDNumberOfEntries"]',
      'map.toml:4: object[1].parameters: "SSIDNumberOfEntries" counts the rows of a table; the agent derives it',
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Enable"]',
      "map.toml:1: object[1].get: required when parameters are mapped",
    ],
    [
      '[[object]]\npath = "Device.Time."\nget = ["g"]',
      "map.toml:1: object[1].parameters: the get command needs parameters to answer",
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Status"]\nget = ["g"]\nset = ["s"]',
      "map.toml:5: object[1].set: none of the parameters is writable in Device:2.17 schema",
    ],
    [
      '[[object]]\npath = "Device.WiFi.SSID.{i}."\nparameters = ["SSID"]\nget = ["g"]',
      'map.toml:1: object[1].instances: required for the table "Device.WiFi.SSID.{i}."',
    ],
    [
      '[[object]]\npath = "Device.Time."\ninstances = ["l"]',
      'map.toml:3: object[1].instances: "Device.Time." is not a table',
    ],
    [
      '[[object]]\npath = "Device.Hosts.Host.{i}."\ninstances = ["l"]\nadd = ["a"]',
      'map.toml:4: object[1].add: Device:2.17 schema does not allow AddObject on "Device.Hosts.Host.{i}."',
    ],
    [
      `${SSID}\nget = []`,
      "map.toml:6: invalid TOML: trying to redefine an already defined table or value (column 1)",
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Enable"]\nget = []',
      "map.toml:4: object[1].get: expected an argv array of strings or a table with argv, got an array",
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Enable"]\nget = { argv = ["g"], retries = 2 }',
      "map.toml:4: object[1].get.retries: unknown key",
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Enable"]\nget = { argv = ["g"], timeout_ms = "5s" }',
      'map.toml:4: object[1].get.timeout_ms: expected an integer from 1 to 600000, got "5s"',
    ],
    [
      '[[object]]\npath = "Device.Time."\nparameters = ["Enable"]\nget = [""]',
      "map.toml:4: object[1].get: the program name is empty",
    ],
    [
      `${SSID}\n\n[[object]]\npath = "Device.WiFi.SSID.{i}."\nparameters = ["Enable", "SSID"]\nget = ["g2"]`,
      'map.toml:9: object[2].parameters: "SSID" is already mapped by object[1]',
    ],
    [
      `${SSID}\n\n[[object]]\npath = "Device.WiFi.SSID.{i}."\nparameters = ["Enable"]\nget = ["g2"]\ninstances = ["l2"]`,
      'map.toml:11: object[2].instances: object[1] already lists the rows of "Device.WiFi.SSID.{i}."',
    ],
    [
      '[[object]]\npath = "Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}."\ninstances = ["l"]',
      'map.toml:2: object[1].path: no [[object]] lists the rows of the enclosing table "Device.WiFi.AccessPoint.{i}."',
    ],
  ];
  for (const [text, message] of cases) {
    const got = errorOf(text);
    if (message.endsWith("invalid TOML: ")) assert.ok(got.startsWith(message), got);
    else assert.equal(got, message);
  }
});

Deno.test("loadMapping() finds the line of the nth [[object]]'s key", () => {
  const text = [
    "# comment",
    SSID, // lines 2-6
    "",
    "[[object]]", // 8
    'get = ["sh", "-c", \'\'\'',
    "[[object]] inside a string",
    "''']",
    'parameters = ["Nope"]', // 12
    'path = "Device.Time."',
  ].join("\n");
  assert.equal(
    errorOf(text),
    'map.toml:12: object[2].parameters: "Nope" is not a parameter of "Device.Time." in Device:2.17 schema',
  );
});

Deno.test("loadMapping() accepts nested tables whose enclosing table is listed", () => {
  const mapping = loadMapping(
    [
      '[[object]]\npath = "Device.WiFi.AccessPoint.{i}."\ninstances = ["aps"]',
      '[[object]]\npath = "Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}."',
      'instances = ["stations"]\nparameters = ["MACAddress"]\nget = ["g"]',
    ].join("\n"),
    { file: "map.toml" },
  );
  assert.equal(mapping.objects.length, 2);
  assert.deepEqual(mapping.objects[0].parameters, []);
});

Deno.test("readMappingFile() loads config/openwrt-mapping.toml", async () => {
  const path = new URL("../../config/openwrt-mapping.toml", import.meta.url).pathname;
  const mapping = await readMappingFile(path);
  assert.deepEqual(mapping.objects.map((o) => o.path), [
    "Device.DeviceInfo.",
    "Device.Time.",
    "Device.WiFi.SSID.{i}.",
    "Device.Hosts.Host.{i}.",
  ]);
  const ssid = mapping.objects[2];
  assert.deepEqual(ssid.parameters, ["Enable", "SSID"]);
  assert.equal(ssid.set?.timeoutMs, 30000);
  assert.equal(ssid.get?.argv[0], "sh");
  assert.match(ssid.set!.argv[2], /uci commit wireless/);
});

Deno.test("readMappingFile() reports an unreadable file in one line", async () => {
  await assert.rejects(
    () => readMappingFile("/nonexistent/map.toml"),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, "/nonexistent/map.toml: cannot read the file (NotFound)");
      return true;
    },
  );
});
