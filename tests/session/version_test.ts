import assert from "node:assert/strict";
import { namespaceForVersion, supportedVersionsHeader } from "../../src/session/version.ts";

Deno.test("namespaceForVersion() maps 1.0/1.1 to their own namespace and 1.2–1.4 to cwmp-1-2", () => {
  assert.equal(namespaceForVersion("1.0"), "urn:dslforum-org:cwmp-1-0");
  assert.equal(namespaceForVersion("1.1"), "urn:dslforum-org:cwmp-1-1");
  assert.equal(namespaceForVersion("1.3"), "urn:dslforum-org:cwmp-1-2");
  assert.equal(namespaceForVersion("1.4"), "urn:dslforum-org:cwmp-1-2");
});

Deno.test("supportedVersionsHeader() lists all versions for 1.4 only", () => {
  assert.equal(supportedVersionsHeader("1.4"), "1.0,1.1,1.2,1.3,1.4");
  assert.equal(supportedVersionsHeader("1.2"), undefined);
});
