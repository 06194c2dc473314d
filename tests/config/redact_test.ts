import assert from "node:assert/strict";
import { loadConfig, redactConfig, REDACTED } from "../../src/config/mod.ts";

Deno.test("redactConfig() hides passwords and URL credentials", () => {
  const cfg = loadConfig(
    `[acs]\nurl = "https://u:pw@acs.example/"\npassword = "s3cret"\n` +
      `[connection_request]\npassword_env = "P"\n[xmpp]\ndomain = "x.net"\npassword = "xmpp-s3cret"\n`,
    { file: "cwmp.toml", env: { P: "cr-s3cret" } },
  );
  const shown = redactConfig(cfg);
  assert.equal(shown.acs.password, REDACTED);
  assert.equal(shown.connectionRequest.password, REDACTED);
  assert.equal(shown.xmpp.password, REDACTED);
  assert.equal(shown.acs.url, "https://u:********@acs.example/");
  const text = JSON.stringify(shown);
  assert.ok(!text.includes("s3cret"));
  assert.ok(!text.includes(":pw@"));
  assert.equal(cfg.acs.password, "s3cret");
});

Deno.test("redactConfig() leaves empty passwords empty", () => {
  const shown = redactConfig(loadConfig("", { file: "cwmp.toml" }));
  assert.equal(shown.acs.password, "");
  assert.equal(shown.connectionRequest.password, "");
});
