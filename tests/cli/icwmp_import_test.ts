import assert from "node:assert/strict";
import { join } from "node:path";
import { importIcwmp, parseUci } from "../../src/cli/icwmp_import.ts";
import { parseArgs, runCheckConfig } from "../../src/cli/mod.ts";
import { readConfigFile } from "../../src/config/mod.ts";

/** A current icwmp /etc/config/cwmp as an operator leaves it (option names from icwmp's UCI docs). */
const ICWMP_CONFIG = `# /etc/config/cwmp
package cwmp

config acs 'acs'
	option url 'https://acs.operator.example:7548/cwmp'
	option userid 'A0B1C2-HGW-0012345'
	option passwd 'acs pass #1'
	option periodic_inform_enable '1'
	option periodic_inform_interval '3600'
	option periodic_inform_time '1700000000'
	option ParameterKey ''
	option dhcp_discovery 'disable'
	# compression possible configs: GZIP, Deflate, Disabled
	option compression 'GZIP'
	option retry_min_wait_interval '10'
	option retry_interval_multiplier '2500'
	option ssl_capath '/etc/ssl/certs'
	option insecure_enable '0'
	option ipv6_enable '0'
	option ip_version '4'
	option get_rpc_methods '1'

config cpe 'cpe'
	option enable '1'
	option interface 'wan'
	option default_wan_interface 'wan'
	option manufacturer 'Example Networks'
	option manufacturer_oui 'a0b1c2'
	option product_class 'HGW'
	option serial_number 'HGW-0012345'
	option model_name 'HGW-1000'
	option log_to_console 'disable'
	option log_to_file 'disable'
	option log_severity 'WARNING'
	option log_file_name '/var/log/icwmpd.log'
	option log_max_size '102400'
	option userid "cr-user"
	option passwd "cr \\"secret\\""
	option port '7547'
	option path '/cr'
	option provisioning_code 'ISP.BASIC'
	option amd_version '5'
	option instance_mode 'InstanceNumber'
	option session_timeout '60'
	option notification '1'
	option periodic_notify_enable '1'
	option periodic_notify_interval '10'
	option datamodel 'tr181'
	option exec_download '0'
	option incoming_rule 'IP_Port'
	option fw_upgrade_keep_settings '1'

config lwn 'lwn'
	option enable '1'
	option hostname 'lwn.operator.example'
	option port '7547'
`;

/** The OpenWrt defaults the import adds; mentioned once so the tests below stay short. */
const ADDED = ["log.console"];

Deno.test("importIcwmp() converts a current icwmp config that check-config accepts", async () => {
  const { toml: onRouter, warnings } = importIcwmp(ICWMP_CONFIG);
  assert.match(onRouter, /\nstate_dir = "\/etc\/cwmp-agent\/state" /);
  const dir = await Deno.makeTempDir();
  try {
    // check-config also checks the directories named: here, ones this test owns.
    const certs = join(dir, "certs");
    await Deno.mkdir(certs);
    const { toml } = importIcwmp(ICWMP_CONFIG.replace("/etc/ssl/certs", certs), {
      stateDir: join(dir, "state"),
    });
    const path = join(dir, "cwmp.toml");
    await Deno.writeTextFile(path, toml);
    const check = await runCheckConfig(path);
    assert.ok(check.ok, check.output);
    const config = await readConfigFile(path);
    assert.equal(config.acs.url, "https://acs.operator.example:7548/cwmp");
    assert.equal(config.acs.username, "A0B1C2-HGW-0012345");
    assert.equal(config.acs.password, "acs pass #1");
    assert.equal(config.acs.periodicInformInterval, 3600);
    assert.equal(config.acs.periodicInformTime, "2023-11-14T22:13:20Z");
    assert.equal(config.acs.compression, "GZIP");
    assert.equal(config.acs.retryMinWaitInterval, 10);
    assert.equal(config.acs.retryIntervalMultiplier, 2500);
    assert.equal(config.acs.caDir, certs);
    assert.equal(config.acs.dhcpDiscovery, false);
    assert.equal(config.cpe.interface, "wan");
    assert.equal(config.cpe.provisioningCode, "ISP.BASIC");
    assert.equal(config.cpe.notificationInterval, 10);
    assert.equal(config.device.manufacturerOui, "A0B1C2");
    assert.equal(config.device.serialNumber, "HGW-0012345");
    assert.equal(config.connectionRequest.username, "cr-user");
    assert.equal(config.connectionRequest.password, 'cr "secret"');
    assert.equal(config.connectionRequest.port, 7547);
    assert.equal(config.connectionRequest.path, "/cr");
    assert.deepEqual(
      [config.lwn.enable, config.lwn.hostname, config.lwn.port],
      [true, "lwn.operator.example", 7547],
    );
    assert.equal(config.log.severity, "WARNING");
    assert.equal(config.log.console, true);
    assert.equal(config.log.file, false);
    assert.equal(config.agent.stateDir, join(dir, "state"));
    assert.deepEqual(config.transfer.firmwareCommand, ["sysupgrade"]);
    assert.equal(config.transfer.firmwareReboot, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(warnings, [
    "/etc/config/cwmp:20: acs.ip_version: not imported (no cwmp-agent equivalent)",
    "/etc/config/cwmp:21: acs.get_rpc_methods: not imported (no cwmp-agent equivalent)",
    "/etc/config/cwmp:32: cpe.log_to_console: kept on (log.console = true): " +
    "procd passes the agent's stderr to logd",
    "/etc/config/cwmp:46: cpe.periodic_notify_enable: not imported (no cwmp-agent equivalent)",
    "/etc/config/cwmp:50: cpe.incoming_rule: not imported (no cwmp-agent equivalent)",
  ]);
  assert.ok(ADDED.every((key) => onRouter.includes(`\n${key.split(".")[1]} = `)));
});

Deno.test("importIcwmp() reads older icwmp's `config cwmp 'acs'` sections and skips xmpp", () => {
  const { toml, warnings } = importIcwmp(
    [
      "config cwmp 'acs'",
      "\toption url 'http://10.0.0.1:7547/'",
      "\toption periodic_inform_enable 'true'",
      "config cwmp 'cpe'",
      "\toption datamodel 'TR098'",
      "\toption amd_version '2'",
      "\tlist ubus_socket '/a'",
      "\tlist ubus_socket '/b'",
      "config cwmp 'xmpp'",
      "\toption enable '0'",
      "config xmpp_connection",
      "\toption password 'pass'",
    ].join("\n"),
    { file: "cwmp" },
  );
  assert.match(toml, /\nurl = "http:\/\/10\.0\.0\.1:7547\/" {2}# acs\.url\n/);
  assert.match(toml, /\nperiodic_inform_enable = true /);
  assert.match(toml, /\ndatamodel = "tr098" /);
  assert.match(toml, /\namd_version = 2 /);
  assert.match(toml, /\nubus_socket = "\/b" /);
  assert.deepEqual(warnings, [
    "cwmp:8: cpe.ubus_socket: is a list in the UCI file; its last value is used",
    'cwmp:9: section "xmpp" (type "cwmp"): not imported (no cwmp-agent equivalent)',
    'cwmp:11: section type "xmpp_connection": not imported (no cwmp-agent equivalent)',
  ]);
  assert.ok(!warnings.join("\n").includes("pass'"));
});

Deno.test("parseUci() reads UCI quoting, comments, package and list statements", () => {
  const sections = parseUci(
    [
      "package cwmp  # the package line is optional",
      "",
      "   # an indented comment",
      "config acs acs",
      "\toption url http://h/a\\ b",
      `\toption userid "d\\"q\\\\" # trailing comment`,
      "\toption passwd 'it''s'\"#x\"",
      "\toption x ''",
      "\toption l 'one'",
      "\tlist l two",
      "\toption url 'http://h/second'",
    ].join("\r\n"),
  );
  assert.equal(sections.length, 1);
  assert.deepEqual(
    sections[0].options.map((o) => [o.name, o.values, o.isList, o.line]),
    [
      ["userid", ['d"q\\'], false, 6],
      ["passwd", ["its#x"], false, 7],
      ["x", [""], false, 8],
      ["l", ["one", "two"], true, 10],
      ["url", ["http://h/second"], false, 11],
    ],
  );
  assert.deepEqual([sections[0].type, sections[0].name, sections[0].line], ["acs", "acs", 4]);
});

Deno.test("importIcwmp() rejects bad UCI with the file, line and problem, never the value", () => {
  const cases: [string, string][] = [
    ["config acs\n option passwd 'top secret", "f:2: unterminated ' quote"],
    ['config acs\n option passwd "top secret', 'f:2: unterminated " quote'],
    ["option url 'x'", 'f:1: "option" before any "config" section'],
    [
      "config acs\nopton url 'x'",
      'f:2: unknown statement "opton" ' +
      '(expected "config", "option", "list" or "package")',
    ],
    ["config acs\noption url", 'f:2: option "url" has no value'],
    ["config acs\noption passwd top secret", 'f:2: option "passwd" has more than one value'],
    ["config acs\noption 'a b' x", 'f:2: "option" needs a name of letters, digits and "_"'],
    ["config", 'f:1: "config" needs a section type'],
    ["config a b c", 'f:1: "config" takes a type and a name'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => importIcwmp(text, { file: "f" }), (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.message, message);
      assert.ok(!error.message.includes("secret"));
      return true;
    });
  }
});

Deno.test("importIcwmp() leaves out what the agent would refuse, with a warning", () => {
  const { toml, warnings } = importIcwmp(
    [
      "config acs 'acs'",
      "\toption url 'ftp://acs.example/'",
      "\toption retry_interval_multiplier '500'",
      "\toption periodic_inform_interval 'hourly'",
      "\toption insecure_enable 'maybe'",
      "\toption compression 'Deflate'",
      "config cpe 'cpe'",
      "\toption ssl_cert_path '/etc/cwmp/client.pem'",
      "\toption instance_mode 'instancealias'",
      "\toption enable '0'",
      "config lwn 'lwn'",
      "\toption enable '1'",
      "\toption hostname ''",
      "\toption port ''",
    ].join("\n"),
    { file: "c" },
  );
  assert.deepEqual(warnings, [
    'c:2: acs.url: not imported as acs.url: expected an http:// or https:// URL, got "ftp://acs.example/"',
    "c:3: acs.retry_interval_multiplier: not imported as acs.retry_interval_multiplier: " +
    "expected an integer from 1000 to 65535, got 500",
    'c:4: acs.periodic_inform_interval: "hourly" is not a whole number; the default applies',
    'c:5: acs.insecure_enable: "maybe" is not a boolean; the default applies',
    'c:6: acs.compression: "Deflate" is not supported (only GZIP or Disabled); compression is off',
    'c:8: cpe.ssl_cert_path: not imported as acs.client_cert: needs "client_key" as well',
    "c:9: cpe.instance_mode: not imported as cpe.instance_mode: " +
    'expected one of "InstanceNumber", "InstanceAlias", got "instancealias"',
    "c:10: cpe.enable: icwmp was disabled here; enable the cwmp-agent service only when the " +
    "agent should run",
  ]);
  assert.ok(!toml.includes("ftp://"));
  assert.ok(!toml.includes("retry_interval_multiplier"));
});

Deno.test("importIcwmp() never puts a password in a warning", () => {
  const secrets = ["$ecret-ACS", "Xy!9$(cr)", "lwnpw"];
  const { toml, warnings } = importIcwmp(
    [
      "config acs 'acs'",
      "\toption passwd 'second'",
      `\toption passwd '${secrets[0]}'`,
      "config cpe 'cpe'",
      `\toption passwd '${secrets[1]}'`,
      `\toption ssl_key_password '${secrets[2]}'`,
      "\toption ssl_key_path '/k.pem'",
    ].join("\n"),
  );
  const text = warnings.join("\n");
  for (const secret of [...secrets, "second"]) assert.ok(!text.includes(secret), text);
  assert.match(text, /acs\.passwd: contains "\$"/);
  assert.match(text, /cpe\.ssl_key_password: not imported/);
  assert.match(toml, /\npassword = "\$ecret-ACS" {2}# acs\.passwd\n/);
});

Deno.test("importIcwmp() flashes without keeping settings when icwmp did not keep them", () => {
  const { toml } = importIcwmp(
    "config cpe 'cpe'\n\toption fw_upgrade_keep_settings '0'\n" +
      "config acs 'acs'\n\toption url 'https://a.example/'\n",
  );
  assert.match(toml, /\nfirmware_command = \["sysupgrade", "-n"\] {2}# cpe\.fw_upgrade_keep/);
});

Deno.test("parseArgs() parses import-icwmp with /etc/config/cwmp as the default file", () => {
  assert.deepEqual(parseArgs(["import-icwmp", "old/cwmp"]), {
    kind: "importIcwmp",
    uciPath: "old/cwmp",
  });
  assert.deepEqual(parseArgs(["import-icwmp"]), {
    kind: "importIcwmp",
    uciPath: "/etc/config/cwmp",
  });
});

Deno.test("cwmp-agent import-icwmp prints TOML on stdout and warnings on stderr", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uci = join(dir, "cwmp");
    await Deno.writeTextFile(uci, ICWMP_CONFIG);
    const main = new URL("../../main.ts", import.meta.url).pathname;
    const run = async (file: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", main, "import-icwmp", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    };
    const good = await run(uci);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, importIcwmp(ICWMP_CONFIG, { file: uci }).toml);
    assert.match(good.stderr, /^warning: .*cwmp:20: acs\.ip_version: not imported/m);
    const missing = await run(join(dir, "nope"));
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, "");
    assert.equal(missing.stderr, `Cannot read "${join(dir, "nope")}": no such file\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
