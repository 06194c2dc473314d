// Real file servers for the transfer tests and the bench, run on 127.0.0.1 from a
// temp dir: vsftpd (Debian `vsftpd`) and tftpd-hpa (Debian `tftpd-hpa`). Each
// `*Missing()` says why a server cannot run here (the tests then skip with that reason).

import { createHash } from "node:crypto";

const VSFTPD = "/usr/sbin/vsftpd";
const TFTPD = "/usr/sbin/in.tftpd";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** uid and gid of a local account, from /etc/passwd. */
function account(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const f = line.split(":");
      if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch { /* no /etc/passwd */ }
  return undefined;
}

/** Why vsftpd cannot run here, or undefined. */
export function vsftpdMissing(): string | undefined {
  if (!exists(VSFTPD)) return "vsftpd not installed (apt-get install vsftpd)";
  if (Deno.uid() !== 0) return "vsftpd needs root (chroot of the anonymous user)";
  if (account("ftp") === undefined) return 'vsftpd needs the "ftp" account (its package adds it)';
  return undefined;
}

/** Why tftpd-hpa cannot run here, or undefined. */
export function tftpdMissing(): string | undefined {
  if (!exists(TFTPD)) return "in.tftpd not installed (apt-get install tftpd-hpa)";
  if (Deno.uid() !== 0) return "in.tftpd needs root (it drops to nobody)";
  return undefined;
}

function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

function freeUdpPort(): number {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

/** A running server and its files. */
export interface FileServer {
  port: number;
  /** Where the served files are (a file `x` here is `ftp://…/x`, `tftp://…/x`). */
  root: string;
  /** Files uploaded by the anonymous FTP user go under `${root}/up` (FTP only). */
  stop(): Promise<void>;
}

async function stopChild(child: Deno.ChildProcess, dir: string): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

async function waitFor(
  child: Deno.ChildProcess,
  ready: () => Promise<boolean>,
  name: string,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  const until = Date.now() + 5000;
  while (Date.now() < until && !exited) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  throw new Error(`${name} did not start: ${text.trim() || "no output"}`);
}

/**
 * vsftpd in the foreground on 127.0.0.1: anonymous login (any password) rooted at a temp
 * dir, uploads allowed into `up/` (owned by the ftp account), local accounts enabled
 * through PAM (so a wrong password is a 530 after PASS).
 */
export async function startVsftpd(): Promise<FileServer> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-vsftpd-" });
  await Deno.chmod(dir, 0o755);
  const root = `${dir}/anon`;
  await Deno.mkdir(`${root}/up`, { recursive: true });
  await Deno.chmod(root, 0o755);
  const ftp = account("ftp")!;
  await Deno.chown(`${root}/up`, ftp.uid, ftp.gid);
  await Deno.mkdir(`${dir}/empty`);
  const port = freeTcpPort();
  const pasv = freeTcpPort();
  const config = [
    "listen=YES",
    "listen_ipv6=NO",
    "listen_address=127.0.0.1",
    `listen_port=${port}`,
    "background=NO",
    "anonymous_enable=YES",
    `anon_root=${root}`,
    "local_enable=YES",
    "write_enable=YES",
    "anon_upload_enable=YES",
    "anon_other_write_enable=YES",
    "anon_umask=022",
    `secure_chroot_dir=${dir}/empty`,
    "pasv_enable=YES",
    `pasv_min_port=${pasv}`,
    `pasv_max_port=${Math.min(pasv + 50, 65535)}`,
    // Containers: no per-session namespaces, no seccomp filter (vsftpd 3.0.3 lacks
    // syscalls of newer kernels/libc).
    "seccomp_sandbox=NO",
    "isolate_network=NO",
    "isolate=NO",
    "xferlog_enable=NO",
    "syslog_enable=NO",
    "pam_service_name=vsftpd",
    "delay_failed_login=0",
    "max_per_ip=0",
    "max_clients=0",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/vsftpd.conf`, `${config}\n`);
  const child = new Deno.Command(VSFTPD, {
    args: [`${dir}/vsftpd.conf`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await waitFor(child, async () => {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return true;
    } catch {
      return false;
    }
  }, "vsftpd");
  return { port, root, stop: () => stopChild(child, dir) };
}

/**
 * tftpd-hpa in the foreground on 127.0.0.1 (`in.tftpd -L`), chrooted to a temp dir
 * (`-s`), uploads may create files (`-c`), dropped to `nobody`.
 */
export async function startTftpd(): Promise<FileServer> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-tftpd-" });
  await Deno.chmod(dir, 0o777);
  const port = freeUdpPort();
  const child = new Deno.Command(TFTPD, {
    args: ["-L", "-a", `127.0.0.1:${port}`, "-s", dir, "-c", "-u", "nobody"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const probe = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  // RRQ of a missing file: any answer (an ERROR) means the server is up.
  const rrq = new Uint8Array([
    0,
    1,
    ...new TextEncoder().encode("-probe-"),
    0,
    0x6f,
    0x63,
    0x74,
    0x65,
    0x74,
    0,
  ]);
  let answered = false;
  const answer = probe.receive().then(() => answered = true, () => {});
  try {
    await waitFor(child, async () => {
      await probe.send(rrq, { transport: "udp", hostname: "127.0.0.1", port });
      await new Promise((r) => setTimeout(r, 25));
      return answered;
    }, "in.tftpd");
  } finally {
    probe.close();
    await answer;
  }
  return { port, root: dir, stop: () => stopChild(child, dir) };
}

/** Writes `size` pseudo-random bytes (seeded, fast) to `path`; returns their SHA-256 hex. */
export async function writeRandomFile(path: string, size: number, seed = 1): Promise<string> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(1 << 20);
  const words = new Uint32Array(chunk.buffer);
  let x = (seed * 2654435761) >>> 0 || 1;
  let left = size;
  try {
    while (left > 0) {
      for (let i = 0; i < words.length; i++) { // xorshift32
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      const n = Math.min(left, chunk.length);
      let at = 0;
      while (at < n) at += await file.write(chunk.subarray(at, n));
      left -= n;
    }
  } finally {
    file.close();
  }
  return await sha256File(path);
}

/** SHA-256 of a file, hex (streamed: memory stays flat). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  const buffer = new Uint8Array(1 << 20);
  try {
    while (true) {
      const n = await file.read(buffer);
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}
