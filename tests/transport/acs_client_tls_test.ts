import assert from "node:assert/strict";
import tls from "node:tls";
import { createAcsSession } from "../../src/transport/mod.ts";
import { GenieDigestGate, startStub } from "./_acs_stub.ts";

interface Pki {
  dir: string;
  caFile: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate. */
async function makePki(): Promise<Pki> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-tls-" });
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=Test ACS CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  for (const [name, cn] of [["server", "localhost"], ["client", "cpe-0001"]]) {
    await openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    ]);
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
    ]);
  }
  const read = (f: string) => Deno.readTextFile(`${dir}/${f}`);
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    ca: await read("ca.pem"),
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
  };
}

const pki = await makePki();
globalThis.addEventListener("unload", () => Deno.removeSync(pki.dir, { recursive: true }));

Deno.test("createAcsSession() verifies the ACS with caFile and sends Basic pre-emptively over TLS", async () => {
  const stub = startStub(() => new Response("ok"), { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({
    url: stub.url,
    username: "cpe",
    password: "pw",
    caFile: pki.caFile,
  });
  try {
    assert.equal((await session.post("<x/>")).body, "ok");
    assert.equal((await session.post(null)).status, 200);
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.headers.get("authorization")), [
    "Basic Y3BlOnB3",
    "Basic Y3BlOnB3",
  ]);
  assert.equal(stub.seen[0].remotePort, stub.seen[1].remotePort);
});

Deno.test("createAcsSession() fails with reason tls for an untrusted ACS certificate", async () => {
  const stub = startStub(() => new Response("ok"), { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({ url: stub.url });
  const missing = createAcsSession({ url: stub.url, caFile: `${pki.dir}/nope.pem` });
  try {
    await assert.rejects(session.post("<x/>"), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "tls", e.message);
      assert.match(e.message, /^TLS handshake with "localhost:\d+" failed: /);
      return true;
    });
    await assert.rejects(missing.post("<x/>"), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "tls");
      assert.match(e.message, /^Cannot read CA file ".*nope\.pem"$/);
      return true;
    });
  } finally {
    session.close();
    missing.close();
    await stub.close();
  }
  assert.equal(stub.seen.length, 0);
});

Deno.test("createAcsSession() skips certificate verification with insecure", async () => {
  const stub = startStub(() => new Response("ok"), { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({ url: stub.url, insecure: true });
  try {
    assert.equal((await session.post("<x/>")).body, "ok");
    assert.equal((await session.post(null)).body, "ok");
  } finally {
    session.close();
    await stub.close();
  }
  assert.equal(stub.seen[0].remotePort, stub.seen[1].remotePort);
});

/** A Basic-only ACS: 200 for `cpe:pw`, otherwise a Basic challenge. */
function basicOnly(req: { headers: Headers }): Response {
  return req.headers.get("authorization") === "Basic Y3BlOnB3"
    ? new Response("ok")
    : new Response("", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="acs"' } });
}

Deno.test("createAcsSession() with insecure never sends Basic, even to a Basic-only ACS", async () => {
  const stub = startStub(basicOnly, { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({
    url: stub.url,
    username: "cpe",
    password: "pw",
    insecure: true,
  });
  try {
    await assert.rejects(session.post("<x/>"), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "auth", e.message);
      assert.equal(
        e.message,
        "ACS offers only Basic authentication over an unverified TLS connection (acs.insecure = true): not sending the password",
      );
      return true;
    });
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.headers.get("authorization")), [null]);
});

Deno.test("createAcsSession() with insecure waits for the challenge and prefers Digest to Basic", async () => {
  const gate = new GenieDigestGate("cpe", "pw");
  const stub = startStub((req) => {
    const denied = gate.check(req);
    if (denied === undefined) return new Response("ok");
    // Basic listed first: the client must still pick Digest.
    const digest = denied.headers.get("www-authenticate");
    if (digest !== null) denied.headers.set("www-authenticate", `Basic realm="acs", ${digest}`);
    return denied;
  }, { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({
    url: stub.url,
    username: "cpe",
    password: "pw",
    insecure: true,
  });
  try {
    assert.equal((await session.post("<x/>")).body, "ok");
    assert.equal((await session.post(null)).body, "ok");
  } finally {
    session.close();
    await stub.close();
  }
  const sent = stub.seen.map((r) => r.headers.get("authorization"));
  assert.equal(sent.length, 3);
  assert.equal(sent[0], null);
  assert.match(sent[1]!, /^Digest username="cpe", realm="GenieACS", /);
  assert.match(sent[2]!, /^Digest .*nc=00000002/);
  assert.ok(sent.every((a) => !a?.startsWith("Basic")));
  assert.deepEqual(gate.ncs, ["00000001", "00000002"]);
});

Deno.test("createAcsSession() sends no pre-emptive credentials to another origin after a redirect", async () => {
  // Same server, two origins: https://localhost:port (the configured one) and
  // https://127.0.0.1:port; the certificate is valid for both names.
  const stub = startStub((req) => {
    if (req.headers.get("host")?.startsWith("localhost")) {
      return new Response(null, {
        status: 307,
        headers: { Location: `https://127.0.0.1:${stub.port}/moved` },
      });
    }
    return basicOnly(req);
  }, { cert: pki.serverCert, key: pki.serverKey });
  const session = createAcsSession({
    url: stub.url,
    username: "cpe",
    password: "pw",
    caCerts: [pki.ca],
  });
  try {
    assert.equal((await session.post("<x/>")).body, "ok");
    assert.equal(session.url, `https://127.0.0.1:${stub.port}/moved`);
    assert.equal((await session.post(null)).body, "ok");
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(
    stub.seen.map((r) => [r.headers.get("host"), r.headers.get("authorization")]),
    [
      [`localhost:${stub.port}`, "Basic Y3BlOnB3"], // verified, configured origin: pre-emptive
      [`127.0.0.1:${stub.port}`, null], // another origin: nothing until it challenges
      [`127.0.0.1:${stub.port}`, "Basic Y3BlOnB3"], // verified: Basic answers its challenge
      [`127.0.0.1:${stub.port}`, "Basic Y3BlOnB3"],
    ],
  );
});

Deno.test("createAcsSession() refuses a redirect from https to http when it has credentials", async () => {
  const plain = startStub(() => new Response("plain"));
  const stub = startStub(
    () => new Response(null, { status: 302, headers: { Location: `${plain.url}acs` } }),
    { cert: pki.serverCert, key: pki.serverKey },
  );
  const withCredentials = createAcsSession({
    url: stub.url,
    username: "cpe",
    password: "pw",
    caCerts: [pki.ca],
  });
  const anonymous = createAcsSession({ url: stub.url, caCerts: [pki.ca] });
  try {
    await assert.rejects(withCredentials.post("<x/>"), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "status", e.message);
      assert.equal(
        e.message,
        `ACS redirected from https to plain http "${plain.url}acs": not downgrading a session with credentials`,
      );
      return true;
    });
    assert.equal(plain.seen.length, 0);
    assert.equal((await anonymous.post("<x/>")).body, "plain");
  } finally {
    withCredentials.close();
    anonymous.close();
    await stub.close();
    await plain.close();
  }
  assert.deepEqual(plain.seen.map((r) => r.headers.get("authorization")), [null]);
});

// Deno.serve cannot ask for a client certificate, so this ACS is a node:tls server
// (requestCert) that answers every request with a fixed HTTP response.
Deno.test("createAcsSession() presents the client certificate when the ACS requires one", async () => {
  const peers: string[] = [];
  const server = tls.createServer({
    cert: pki.serverCert,
    key: pki.serverKey,
    ca: [pki.ca],
    requestCert: true,
    rejectUnauthorized: true,
  }, (socket) => {
    peers.push(String(socket.getPeerCertificate().subject?.CN));
    socket.on("data", () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nmtls"));
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const url = `https://localhost:${port}/acs`;
  const withCert = createAcsSession({
    url,
    caCerts: [pki.ca],
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
  });
  const without = createAcsSession({ url, caCerts: [pki.ca], timeoutMs: 5000 });
  try {
    assert.equal((await withCert.post("<x/>")).body, "mtls");
    await assert.rejects(without.post("<x/>"), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "tls", e.message);
      return true;
    });
  } finally {
    withCert.close();
    without.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.deepEqual(peers, ["cpe-0001"]);
});
