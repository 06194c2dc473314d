import assert from "node:assert/strict";
import {
  type FtpReply,
  FtpReplyParser,
  MAX_REPLY_BYTES,
  parseEpsvReply,
  parsePasvReply,
  parseSizeReply,
  replyText,
} from "../../src/transfer/ftp_reply.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `text` cut into pieces of `size` bytes; returns every reply. */
function parseInPieces(text: string, size: number): FtpReply[] {
  const parser = new FtpReplyParser();
  const all = bytes(text);
  const out: FtpReply[] = [];
  for (let at = 0; at < all.length; at += size) {
    out.push(...parser.push(all.subarray(at, at + size)));
  }
  assert.equal(parser.pending, false);
  return out;
}

Deno.test("FtpReplyParser reads single-line replies", () => {
  assert.deepEqual(
    parseInPieces("220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n", 1e6),
    [
      { code: 220, lines: ["(vsFTPd 3.0.3)"] },
      { code: 331, lines: ["Please specify the password."] },
    ],
  );
});

Deno.test("FtpReplyParser reads RFC 959 §4.2 multi-line replies whose inner lines start with digits", () => {
  const text = "123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n" +
    "123-not the end\r\n1234 nor this\r\n123 The last line\r\n";
  const expected = [{
    code: 123,
    lines: [
      "First line",
      "Second line",
      "  234 A line beginning with numbers",
      "123-not the end",
      "1234 nor this",
      "The last line",
    ],
  }];
  for (const size of [1, 2, 3, 5, 7, 64, 1e6]) {
    assert.deepEqual(parseInPieces(text, size), expected);
  }
});

Deno.test("FtpReplyParser accepts lone LF, trailing CRs and a bare code line", () => {
  assert.deepEqual(parseInPieces("226 Done\n211-Features:\r\r\n EPSV\n211\r\n200\r\n", 4), [
    { code: 226, lines: ["Done"] },
    { code: 211, lines: ["Features:", " EPSV", ""] },
    { code: 200, lines: [""] },
  ]);
});

Deno.test("FtpReplyParser keeps a partial line until its end arrives", () => {
  const parser = new FtpReplyParser();
  assert.deepEqual(parser.push(bytes("150 Opening BIN")), []);
  assert.equal(parser.pending, true);
  assert.deepEqual(parser.push(bytes("ARY mode\r\n226 Tr")), [
    { code: 150, lines: ["Opening BINARY mode"] },
  ]);
  assert.deepEqual(parser.push(bytes("ansfer complete.\r\n")), [
    { code: 226, lines: ["Transfer complete."] },
  ]);
});

Deno.test("FtpReplyParser reads UTF-8 text (RFC 2640)", () => {
  assert.deepEqual(parseInPieces('257 "/données" créé\r\n', 1), [
    { code: 257, lines: ['"/données" créé'] },
  ]);
});

Deno.test("FtpReplyParser refuses a line that is not a reply", () => {
  for (
    const [text, message] of [
      ["HTTP/1.1 400 Bad Request\r\n", 'Cannot parse FTP reply: "HTTP/1.1 400 Bad Request"'],
      ["22 short\r\n", 'Cannot parse FTP reply: "22 short"'],
      ["620 out of range\r\n", 'Cannot parse FTP reply: "620 out of range"'],
      ["220x\r\n", 'Cannot parse FTP reply: "220x"'],
      [`${"x".repeat(60)}\r\n`, `Cannot parse FTP reply: "${"x".repeat(40)}..."`],
    ]
  ) {
    assert.throws(() => new FtpReplyParser().push(bytes(text)), { name: "SyntaxError", message });
  }
});

Deno.test("FtpReplyParser bounds a line and a multi-line reply to MAX_REPLY_BYTES", () => {
  const message = `FTP reply longer than ${MAX_REPLY_BYTES} bytes`;
  const endless = new FtpReplyParser();
  endless.push(bytes("220 "));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) endless.push(new Uint8Array(1024).fill(0x41));
  }, { name: "RangeError", message });

  const many = new FtpReplyParser();
  many.push(bytes("211-start\r\n"));
  assert.throws(() => {
    for (let i = 0; i < 10_000; i++) many.push(bytes(" a line of the reply that never ends\r\n"));
  }, { name: "RangeError", message });
});

Deno.test("replyText() joins the lines and caps the text at 200 characters", () => {
  assert.equal(
    replyText({ code: 211, lines: ["Features:", " EPSV", "", "End"] }),
    "Features: EPSV End",
  );
  assert.equal(replyText({ code: 550, lines: ["y".repeat(300)] }), `${"y".repeat(197)}...`);
});

Deno.test("parseEpsvReply() reads the port between any delimiters (RFC 2428 §3)", () => {
  assert.equal(
    parseEpsvReply({ code: 229, lines: ["Entering Extended Passive Mode (|||40026|)"] }),
    40026,
  );
  assert.equal(parseEpsvReply({ code: 229, lines: ["EPSV ok (!!!6446!)"] }), 6446);
  for (const text of ["(|||0|)", "(|||65536|)", "(||40026|)", "(|||40026!)", "no port"]) {
    assert.throws(
      () => parseEpsvReply({ code: 229, lines: [text] }),
      { name: "SyntaxError", message: `Cannot read the port of EPSV reply: "${text}"` },
    );
  }
});

Deno.test("parsePasvReply() reads h1,h2,h3,h4,p1,p2 with or without parentheses", () => {
  assert.deepEqual(
    parsePasvReply({ code: 227, lines: ["Entering Passive Mode (127,0,0,1,156,64)."] }),
    { host: "127.0.0.1", port: 40000 },
  );
  assert.deepEqual(
    parsePasvReply({ code: 227, lines: ["=192,168,1,2,4,1"] }),
    { host: "192.168.1.2", port: 1025 },
  );
  for (const text of ["(127,0,0,1,0,0)", "(256,0,0,1,4,1)", "(127,0,0,1,4)"]) {
    assert.throws(
      () => parsePasvReply({ code: 227, lines: [text] }),
      { name: "SyntaxError", message: `Cannot read the address of PASV reply: "${text}"` },
    );
  }
});

Deno.test("parseSizeReply() reads a decimal size (RFC 3659 §4)", () => {
  assert.equal(parseSizeReply({ code: 213, lines: ["5000000"] }), 5_000_000);
  assert.equal(parseSizeReply({ code: 213, lines: ["0"] }), 0);
  for (const text of ["-1", "12 bytes", "", "99999999999999999"]) {
    assert.throws(
      () => parseSizeReply({ code: 213, lines: [text] }),
      { name: "SyntaxError", message: `Cannot read the size of SIZE reply: "${text}"` },
    );
  }
});
