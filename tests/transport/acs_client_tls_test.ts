import assert from "node:assert/strict";
import tls from "node:tls";
import { createAcsSession } from "../../src/transport/mod.ts";
import { startStub } from "./_acs_stub.ts";

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
