import assert from "node:assert/strict";
import { ftpTarget, shown, tftpTarget } from "../../src/transfer/url_target.ts";

Deno.test("ftpTarget() decodes each segment and keeps the path relative to the login directory", () => {
  assert.deepEqual(ftpTarget("ftp://files.example/fw/v2%2E1/image%20a.bin"), {
    host: "files.example",
    port: 21,
    path: "fw/v2.1/image a.bin",
    username: "",
    password: "",
  });
});

Deno.test("ftpTarget() makes a leading %2F an absolute path (RFC 1738)", () => {
  assert.equal(ftpTarget("ftp://h/%2Fsrv/ftp/f.bin").path, "/srv/ftp/f.bin");
});

Deno.test("ftpTarget() drops ;type=", () => {
  assert.equal(ftpTarget("ftp://h/f.bin;type=i").path, "f.bin");
  assert.equal(ftpTarget("ftp://h/f.bin;type=A").path, "f.bin");
});

Deno.test("ftpTarget() reads userinfo, port and IPv6 literals", () => {
  assert.deepEqual(ftpTarget("ftp://us%65r:p%3Ass@[::1]:2121/a"), {
    host: "::1",
    port: 2121,
    path: "a",
    username: "user",
    password: "p:ss",
  });
});

Deno.test("ftpTarget() refuses what could inject commands or names no file", () => {
  for (
    const [url, message] of [
      ["ftp://h/a%0D%0ADELE%20b", 'URL holds CR, LF or NUL: "ftp://h/a%0D%0ADELE%20b"'],
      ["ftp://h/a%00", 'URL holds CR, LF or NUL: "ftp://h/a%00"'],
      ["ftp://h/dir/", 'FTP URL names no file: "ftp://h/dir/"'],
      ["ftp://h", 'FTP URL names no file: "ftp://h"'],
      ["ftp://h/%E0%A4%A", 'Invalid percent-encoding in URL: "ftp://h/%E0%A4%A"'],
      ["ftp://h/a?b", 'URL has a query or fragment: "ftp://h/a?b"'],
      ["http://h/a", 'URL scheme is not "ftp": "http://h/a"'],
      ["ftp://u:secret@/a", 'Invalid URL: "ftp:///a"'],
      ["not a url", 'Invalid URL: "not a url"'],
    ]
  ) {
    assert.throws(() => ftpTarget(url), { name: "TypeError", message }, url);
  }
});

Deno.test("tftpTarget() takes the path without its leading slash (RFC 3617, as curl)", () => {
  assert.deepEqual(tftpTarget("tftp://10.0.0.1/vega/firmware%201.bin;mode=octet"), {
    host: "10.0.0.1",
    port: 69,
    path: "vega/firmware 1.bin",
    username: "",
    password: "",
  });
  assert.equal(tftpTarget("tftp://h:6969/%2Ftftpboot/x").path, "/tftpboot/x");
  assert.equal(tftpTarget("tftp://h:6969/x").port, 6969);
});

Deno.test("tftpTarget() refuses a URL that names no file", () => {
  assert.throws(() => tftpTarget("tftp://h/"), {
    name: "TypeError",
    message: 'TFTP URL names no file: "tftp://h/"',
  });
  assert.throws(() => tftpTarget("tftp://h/a%0Ab"), {
    name: "TypeError",
    message: 'URL holds CR, LF or NUL: "tftp://h/a%0Ab"',
  });
});

Deno.test("shown() drops the userinfo of a URL", () => {
  assert.equal(shown("ftp://admin:secret@h/f"), "ftp://h/f");
  assert.equal(shown("ftp://h/f@x"), "ftp://h/f@x");
});
