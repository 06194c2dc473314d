import assert from "node:assert/strict";
import { runtimeModuleUrl } from "../../../src/services/udp/runtime_module.ts";
import { UDP_ECHO_HANDLER_MODULE } from "../../../src/services/udp_echo/handler.ts";
import { twampReflectorSpec } from "../../../src/services/twamp/reflector.ts";

Deno.test("runtimeModuleUrl() resolves beside a source file, else the sibling bundle", () => {
  const source = "file:///repo/src/services/udp/ffi_path.ts";
  assert.equal(
    runtimeModuleUrl("./ffi_worker.ts", source, "ffi_worker.js"),
    "file:///repo/src/services/udp/ffi_worker.ts",
  );
  assert.equal(
    runtimeModuleUrl("./ffi_worker.ts", "file:///opt/cwmp-agent/app/agent.js", "ffi_worker.js"),
    "file:///opt/cwmp-agent/app/ffi_worker.js",
  );
});

Deno.test("the handler modules name their own source files when run from source", () => {
  assert.equal(
    UDP_ECHO_HANDLER_MODULE,
    new URL("../../../src/services/udp_echo/handler.ts", import.meta.url).href,
  );
  assert.equal(
    twampReflectorSpec().module,
    new URL("../../../src/services/twamp/reflector.ts", import.meta.url).href,
  );
});
