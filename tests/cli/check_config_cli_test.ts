// `cwmp-agent check-config` through the real CLI (`deno run -A main.ts`): every start-up
// rejection is one line naming file, line and key, and the agent's start stops with the
// same line.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/**
 * Writes the config made by `make(dir)` and checks that check-config and the agent's start
 * both fail with `expected(path, dir)`, alone on its line.
 */
async function rejects(
  make: (dir: string) => string | Promise<string>,
  expected: (path: string, dir: string) => string,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-check-" });
  try {
    const path = join(dir, "cwmp.toml");
    await Deno.writeTextFile(path, await make(dir));
    const line = expected(path, dir);
    const check = await cli(["check-config", "--config", path]);
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.equal(check.stderr.trim(), line);
    const start = await cli(["--config", path]);
    assert.equal(start.code, 1, start.stdout + start.stderr);
    // Alone, or as the message of a log line (`… [ERROR] <line>`).
    const lines = start.stderr.split("\n");
    const said = lines.some((l) => l === line || l.endsWith(`] ${line}`));
    assert.ok(said, `agent start printed:\n${start.stderr}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A config that passes, with `acs` and `agent` keys added; line 1 is `[acs]`. */
function config(dir: string, acs = "", agent = "", cr = 'bind = "127.0.0.1"\n'): string {
  return '[acs]\nurl = "http://127.0.0.1:9/"\n' + acs +
    `[agent]\nstate_dir = ${JSON.stringify(join(dir, "state"))}\n` + agent +
    "[connection_request]\nport = 0\n" + cr;
}

Deno.test("check-config and the agent's start refuse an empty ACS URL without DHCP discovery", async () => {
  await rejects(
    (dir) => config(dir).replace('url = "http://127.0.0.1:9/"', 'url = ""'),
    (path) => `${path}:2: acs.url: is needed (empty, and acs.dhcp_discovery is false)`,
  );
  await rejects(
    (dir) => config(dir).replace('[acs]\nurl = "http://127.0.0.1:9/"\n', ""),
    (path) => `${path}: acs.url: is needed (empty, and acs.dhcp_discovery is false)`,
  );
});

Deno.test("check-config and the agent's start refuse a missing CA file, a directory and a FIFO", async () => {
  await rejects(
    (dir) => config(dir, `ca_file = ${JSON.stringify(join(dir, "none.pem"))}\n`),
    (path, dir) => `${path}:3: acs.ca_file: cannot read "${join(dir, "none.pem")}" (NotFound)`,
  );
  await rejects(
    (dir) => config(dir, `ca_file = ${JSON.stringify(dir)}\n`),
    (path, dir) =>
      `${path}:3: acs.ca_file: "${dir}" is a directory (a directory of CAs goes in acs.ca_dir)`,
  );
  // Refused before it is opened: opening a FIFO waits for a writer.
  await rejects(
    async (dir) => {
      const fifo = join(dir, "ca.fifo");
      assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
      return config(dir, `ca_file = ${JSON.stringify(fifo)}\n`);
    },
    (path, dir) => `${path}:3: acs.ca_file: "${join(dir, "ca.fifo")}" is not a regular file`,
  );
});

Deno.test("check-config and the agent's start refuse a missing MQTT or XMPP CA file", async () => {
  for (const section of ["mqtt", "xmpp"]) {
    await rejects(
      (dir) => config(dir) + `[${section}]\nca_file = ${JSON.stringify(join(dir, "none.pem"))}\n`,
      (path, dir) =>
        `${path}:9: ${section}.ca_file: cannot read "${join(dir, "none.pem")}" (NotFound)`,
    );
  }
});

Deno.test("check-config and the agent's start refuse a missing or invalid mapping file", async () => {
  await rejects(
    (dir) => config(dir, "", `mapping_file = ${JSON.stringify(join(dir, "map.toml"))}\n`),
    (path, dir) =>
      `${path}:5: agent.mapping_file: cannot read "${join(dir, "map.toml")}" (NotFound)`,
  );
  await rejects(
    async (dir) => {
      await Deno.writeTextFile(
        join(dir, "map.toml"),
        '[[object]]\npath = "Device.Time."\nparameters = ["NoSuchParameter"]\nget = ["/bin/true"]\n',
      );
      return config(dir, "", `mapping_file = ${JSON.stringify(join(dir, "map.toml"))}\n`);
    },
    (_, dir) =>
      `${join(dir, "map.toml")}:3: object[1].parameters: "NoSuchParameter" is not a parameter` +
      ` of "Device.Time." in Device:2.17 schema`,
  );
});

Deno.test("check-config and the agent's start refuse a state dir that cannot be created or written", async () => {
  await rejects(
    async (dir) => {
      await Deno.writeTextFile(join(dir, "file"), "");
      return config(dir).replace(join(dir, "state"), join(dir, "file", "state"));
    },
    (path, dir) =>
      `${path}:4: agent.state_dir: cannot create "${join(dir, "file", "state")}": "${
        join(dir, "file")
      }" is not a directory`,
  );
  await rejects(
    (dir) => config(dir).replace(join(dir, "state"), "/proc/cwmp-agent-state"),
    (path) =>
      `${path}:4: agent.state_dir: cannot create "/proc/cwmp-agent-state": cannot write in` +
      ` "/proc" (NotFound)`,
  );
});

Deno.test("check-config and the agent's start refuse a bind address that is malformed or not this host's", async () => {
  await rejects(
    (dir) => config(dir, "", "", 'bind = "300.1.1.1"\n'),
    (path) =>
      `${path}:7: connection_request.bind: "300.1.1.1" is not an IP address (e.g. "0.0.0.0" or "::")`,
  );
  await rejects(
    (dir) => config(dir, "", "", 'bind = "192.0.2.77"\n'),
    (path) => `${path}:7: connection_request.bind: "192.0.2.77" is not an address of this host`,
  );
});

Deno.test("check-config prints the redacted config under its TOML key names", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-check-" });
  try {
    const path = join(dir, "cwmp.toml");
    await Deno.writeTextFile(path, config(dir, 'password = "acs-secret"\n'));
    const out = await cli(["check-config", "--config", path]);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(out.stdout.startsWith(`${path}: OK\n`));
    const shown = JSON.parse(out.stdout.slice(out.stdout.indexOf("\n") + 1));
    assert.equal(shown.connection_request.rate_limit_requests, 60);
    assert.equal(shown.acs.periodic_inform_interval, 1800);
    assert.equal(shown.acs.password, "********");
    assert.equal(shown.agent.state_dir, join(dir, "state"));
    assert.ok(!/"[a-z]+[A-Z]\w*":/.test(out.stdout), "no camelCase key");
    assert.ok(!out.stdout.includes("acs-secret"));
    // Nothing is left behind by the checks.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["cwmp.toml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
