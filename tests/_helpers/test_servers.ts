/**
 * Test helper: what the tests' real servers (mosquitto, prosody, the Bulk Data collector)
 * share: running a program, a free loopback port, a test CA with a `localhost` certificate
 * (openssl), waiting for a server's ports and stopping its process.
 *
 * @module
 */

/** Runs `cmd`; its output, or an Error with it. */
export async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${text}`);
  return text;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Makes a CA (`<prefix>ca.pem`) in `dir`; with `server`, a `localhost` certificate it signs. */
export async function makeTestCa(dir: string, prefix = "", server = true): Promise<string> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    `${prefix}ca.key`,
    "-out",
    `${prefix}ca.pem`,
    "-subj",
    `/CN=cwmp-agent test CA ${prefix}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ], dir); // deno-fmt-ignore
  if (server) {
    await run("openssl", [
      "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "localhost.key",
      "-out", "localhost.csr", "-subj", "/CN=localhost",
    ], dir); // deno-fmt-ignore
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    );
    await run("openssl", [
      "x509", "-req", "-in", "localhost.csr", "-CA", `${prefix}ca.pem`,
      "-CAkey", `${prefix}ca.key`, "-CAcreateserial", "-days", "2",
      "-out", "localhost.crt", "-extfile", "ext.cnf",
    ], dir); // deno-fmt-ignore
  }
  return await Deno.readTextFile(`${dir}/${prefix}ca.pem`);
}

/** Resolves once every port in `ports` takes connections; throws with `log()`'s tail after 10 s. */
export async function waitListening(
  name: string,
  ports: readonly number[],
  log: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conn.close();
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`${name} did not listen on ${port}: ${(await log()).slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** Stops `child`: SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: Deno.ChildProcess | undefined): Promise<void> {
  if (child === undefined) return;
  try {
    child.kill("SIGTERM");
  } catch { /* gone */ }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 5000);
  await child.status;
  clearTimeout(timer);
}
