import assert from "node:assert/strict";
import { decodeLease } from "../../../src/services/dhcp/lease.ts";
import { opt125, sub } from "../../_helpers/dhcp_options.ts";

const URL_43 = sub(1, "http://acs.example:7547/");

Deno.test("decodeLease(): option 125 wins over 43, and an option that cannot be decoded leaves the others", () => {
  const lease = {
    interface: "wan",
    device: "",
    opt43: URL_43 + sub(2, "FROM43"),
    opt125: opt125(sub(11, "http://acs125.example/") + sub(4, "00D09E")),
    opt17: "",
  };
  const decoded = decodeLease(lease, "tr069");
  assert.deepEqual(decoded.acs, { url: "http://acs125.example/", provisioningCode: "FROM43" });
  assert.deepEqual(decoded.gateway, {
    manufacturerOui: "00D09E",
    serialNumber: "",
    productClass: "",
  });
  assert.deepEqual(decoded.errors, []);
  const broken = decodeLease({ ...lease, opt43: "0150" }, "tr069");
  assert.deepEqual(broken.errors, [
    "Cannot decode DHCP option 43: sub-option 1 claims 80 bytes, 0 left",
  ]);
  assert.equal(broken.acs.url, "http://acs125.example/");
});
