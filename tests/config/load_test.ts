import assert from "node:assert/strict";
import { ConfigError, defaultConfig, loadConfig } from "../../src/config/mod.ts";

const file = "cwmp.toml";

/** The message loadConfig() throws for `text`. */
function errorOf(text: string, options: Parameters<typeof loadConfig>[1] = { file }): string {
  try {
    loadConfig(text, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
    return err.message;
  }
  assert.fail("loadConfig() did not throw");
}

Deno.test("loadConfig() returns the defaults for an empty file", () => {
  assert.deepEqual(loadConfig("", { file }), defaultConfig());
});

Deno.test("loadConfig() maps snake_case keys onto camelCase fields", () => {
  const cfg = loadConfig(
    `
[acs]
url = "https://acs.example.net:7547/cwmp"
periodic_inform_interval = 300
retry_interval_multiplier = 1500
http_disable_100continue = true
compression = "GZIP"
[cpe]
amd_version = 3
instance_mode = "InstanceAlias"
[device]
manufacturer_oui = "00D09E"
[connection_request]
port = 30005
rate_limit_requests = 0
[agent]
reboot_command = ["/sbin/reboot", "-f"]
[log]
severity = "debug"
`,
    { file },
  );
  assert.equal(cfg.acs.url, "https://acs.example.net:7547/cwmp");
  assert.equal(cfg.acs.periodicInformInterval, 300);
  assert.equal(cfg.acs.retryIntervalMultiplier, 1500);
  assert.equal(cfg.acs.httpDisable100continue, true);
  assert.equal(cfg.acs.compression, "GZIP");
  assert.equal(cfg.cpe.amdVersion, 3);
  assert.equal(cfg.cpe.cwmpVersion, "1.2");
  assert.equal(cfg.cpe.instanceMode, "InstanceAlias");
  assert.equal(cfg.device.manufacturerOui, "00D09E");
  assert.equal(cfg.connectionRequest.port, 30005);
  assert.equal(cfg.connectionRequest.rateLimitRequests, 0);
  assert.deepEqual(cfg.agent.rebootCommand, ["/sbin/reboot", "-f"]);
  assert.equal(cfg.log.severity, "DEBUG");
  assert.equal(cfg.acs.timeout, 30);
});

Deno.test("loadConfig() returns a frozen config", () => {
  const cfg = loadConfig("[acs]\nurl = 'http://a/'\n", { file });
  assert.ok(Object.isFrozen(cfg));
  assert.ok(Object.isFrozen(cfg.acs));
  assert.ok(Object.isFrozen(cfg.agent.rebootCommand));
});

Deno.test("loadConfig() reads periodic_inform_time as date-time, epoch seconds or string", () => {
  const at = (value: string) =>
    loadConfig(`[acs]\nperiodic_inform_time = ${value}\n`, { file }).acs.periodicInformTime;
  assert.equal(at("2024-03-01T02:00:00+01:00"), "2024-03-01T01:00:00Z");
  assert.equal(at("1700000000"), "2023-11-14T22:13:20Z");
  assert.equal(at("0"), "0001-01-01T00:00:00Z");
  assert.equal(at('"2024-03-01T00:00:00Z"'), "2024-03-01T00:00:00Z");
});

Deno.test("loadConfig() reads secrets from password_file and password_env", () => {
  const reads: string[] = [];
  const cfg = loadConfig(
    `[acs]\npassword_file = "secrets/acs"\n[connection_request]\npassword_env = "CR_PASS"\n`,
    {
      file: "/etc/cwmp-agent/cwmp.toml",
      env: { CR_PASS: "cr-secret" },
      readFile: (path) => {
        reads.push(path);
        return "acs-secret\n";
      },
    },
  );
  assert.deepEqual(reads, ["/etc/cwmp-agent/secrets/acs"]);
  assert.equal(cfg.acs.password, "acs-secret");
  assert.equal(cfg.connectionRequest.password, "cr-secret");
});

Deno.test("loadConfig() reads acs.allow_basic_over_http, false by default", () => {
  assert.equal(loadConfig("[acs]\n", { file }).acs.allowBasicOverHttp, false);
  const on = loadConfig("[acs]\nallow_basic_over_http = true\n", { file });
  assert.equal(on.acs.allowBasicOverHttp, true);
  const off = loadConfig("[acs]\nallow_basic_over_http = false\n", { file });
  assert.equal(off.acs.allowBasicOverHttp, false);
});

Deno.test("loadConfig() error messages name the file, line and key", () => {
  const cases: [string, string][] = [
    [
      '[acs]\nurl = "http://a/"\n\nperiodic_inform_interval = "abc"\n',
      'cwmp.toml:4: acs.periodic_inform_interval: expected an integer ≥ 1, got "abc"',
    ],
    [
      "[acs]\nretry_interval_multiplier = 999\n",
      "cwmp.toml:2: acs.retry_interval_multiplier: expected an integer from 1000 to 65535, got 999",
    ],
    [
      "[acs]\nretry_min_wait_interval = 0\n",
      "cwmp.toml:2: acs.retry_min_wait_interval: expected an integer from 1 to 65535, got 0",
    ],
    [
      "[connection_request]\nport = 70000\n",
      "cwmp.toml:2: connection_request.port: expected an integer from 0 to 65535, got 70000",
    ],
    [
      "[acs]\ntimeout = 10\n",
      "cwmp.toml:2: acs.timeout: expected an integer from 30 to 3600, got 10",
    ],
    [
      '[acs]\nurl = "ftp://acs/"\n',
      'cwmp.toml:2: acs.url: expected an http:// or https:// URL, got "ftp://acs/"',
    ],
    [
      '[device]\nmanufacturer_oui = "00d09e"\n',
      'cwmp.toml:2: device.manufacturer_oui: expected 6 upper-case hex digits, got "00d09e"',
    ],
    [
      '[log]\nseverity = "TRACE"\n',
      'cwmp.toml:2: log.severity: expected one of "EMERG", "ALERT", "CRITIC", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", got "TRACE"',
    ],
    [
      '[acs]\ncompression = "gzip"\n',
      'cwmp.toml:2: acs.compression: expected one of "Disabled", "GZIP", got "gzip"',
    ],
    [
      '[cpe]\ndatamodel = "tr069"\n',
      'cwmp.toml:2: cpe.datamodel: expected one of "tr181", "tr098", got "tr069"',
    ],
    [
      '[cpe]\ninstance_mode = "Alias"\n',
      'cwmp.toml:2: cpe.instance_mode: expected one of "InstanceNumber", "InstanceAlias", got "Alias"',
    ],
    ["[cpe]\nnotification = 1\n", "cwmp.toml:2: cpe.notification: expected true or false, got 1"],
    [
      '[acs]\nallow_basic_over_http = "true"\n',
      'cwmp.toml:2: acs.allow_basic_over_http: expected true or false, got "true"',
    ],
    [
      "[acs]\n\nallow_basic_over_http = 1\n",
      "cwmp.toml:3: acs.allow_basic_over_http: expected true or false, got 1",
    ],
    [
      '[connection_request]\npath = "cr"\n',
      'cwmp.toml:2: connection_request.path: expected a path starting with "/", got "cr"',
    ],
    [
      '[agent]\nreboot_command = "reboot"\n',
      'cwmp.toml:2: agent.reboot_command: expected an array of non-empty strings, got "reboot"',
    ],
    [
      "[acs]\nperiodic_inform_time = 2024-01-01T00:00:00\n",
      "cwmp.toml:2: acs.periodic_inform_time: expected a date-time with a time zone (or epoch seconds), got 2024-01-01T00:00:00.000",
    ],
    ["[acs]\nverbose = true\n", "cwmp.toml:2: acs.verbose: unknown key"],
    [
      "# c\n[cpe]\nport = 7547\n",
      "cwmp.toml:3: cpe.port: unknown key (icwmp's cpe.port is connection_request.port here)",
    ],
    ["[acs]\n[turn]\nenable = true\n", "cwmp.toml:2: turn: unknown section"],
    [
      "[stun]\nminimum_keepalive_period = 60\nmaximum_keepalive_period = 30\n",
      "cwmp.toml:3: stun.maximum_keepalive_period: must be -1 or at least minimum_keepalive_period (60)",
    ],
    [
      'url = "http://a/"\n',
      "cwmp.toml:1: url: unknown key (keys belong in a section such as [acs])",
    ],
    ["acs = 5\n", "cwmp.toml:1: acs: expected a table, got 5"],
    ["[acs.tls]\nca = 1\n", "cwmp.toml:1: acs.tls: unknown key"],
    [
      '[acs]\nurl = "http://a/\n',
      "cwmp.toml:2: invalid TOML: control characters are not allowed in strings (column 17)",
    ],
    ['[acs]\nclient_key = "k.pem"\n', 'cwmp.toml:2: acs.client_key: needs "client_cert" as well'],
  ];
  for (const [text, message] of cases) assert.equal(errorOf(text), message);
});

Deno.test("loadConfig() rejects two sources for one secret", () => {
  assert.equal(
    errorOf('[acs]\npassword = "a"\npassword_env = "B"\n', { file, env: { B: "b" } }),
    'cwmp.toml:3: acs.password_env: give only one of "password", "password_file", "password_env" (already set by "password")',
  );
});

Deno.test("loadConfig() reports a missing secret file or variable", () => {
  assert.equal(
    errorOf('[connection_request]\npassword_env = "NOPE"\n', { file, env: {} }),
    'cwmp.toml:2: connection_request.password_env: environment variable "NOPE" is not set',
  );
  assert.equal(
    errorOf('[acs]\npassword_file = "/no/such"\n', {
      file,
      readFile: () => {
        throw new Deno.errors.NotFound("gone");
      },
    }),
    'cwmp.toml:2: acs.password_file: cannot read "/no/such": NotFound',
  );
});

Deno.test("loadConfig() error fields carry file, line and key", () => {
  try {
    loadConfig("[acs]\nurl = 5\n", { file: "x.toml" });
    assert.fail("no error");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.file, "x.toml");
    assert.equal(err.line, 2);
    assert.equal(err.key, "acs.url");
    assert.ok(!err.message.includes("\n"));
  }
});
