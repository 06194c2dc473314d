/**
 * A root that holds only busybox-static and musl, with a musl release tarball of build.ts
 * unpacked in /opt: where a router would run the agent. Commands run in it through chroot
 * in fresh mount and PID namespaces (the network is shared, so a test ACS on 127.0.0.1 is
 * reachable), with procd's bare environment (no HOME); aarch64 binaries run under
 * qemu-user through binfmt. Shared by tests/build/musl_root_test.ts and
 * bench/aarch64_bench.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readElf } from "../../src/build/elf.ts";

const REPO = new URL("../../", import.meta.url).pathname;
/** busybox-static on the host (copied into the root). */
export const BUSYBOX = "/bin/busybox";
/** musl's loader, which is its libc (copied into the root). */
export const MUSL = "/lib/ld-musl-x86_64.so.1";
/** Debian's qemu-user-static for aarch64. */
export const QEMU = "/usr/bin/qemu-aarch64-static";
const BINFMT = "/proc/sys/fs/binfmt_misc";

/** `${path} missing (Debian package ${pkg})`, or undefined when it exists. */
export function fileMissing(path: string, pkg: string): string | undefined {
  try {
    Deno.statSync(path);
    return undefined;
  } catch {
    return `${path} missing (Debian package ${pkg})`;
  }
}

async function sh(script: string): Promise<boolean> {
  const out = await new Deno.Command("sh", { args: ["-c", script], stdout: "null", stderr: "null" })
    .output();
  return out.success;
}

/** Why no busybox + musl root can be made here, or undefined. */
export async function rootUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    return "needs an x86_64 Linux host";
  }
  if (Deno.uid() !== 0) return "needs root (chroot, unshare)";
  if (!(await sh("command -v unshare && command -v chroot"))) return "unshare or chroot missing";
  const missing = fileMissing(BUSYBOX, "busybox-static") ?? fileMissing(MUSL, "musl");
  if (missing) return missing;
  if (readElf(await Deno.readFile(BUSYBOX)).interpreter !== undefined) {
    return `${BUSYBOX} is not static (Debian package busybox-static)`;
  }
  return undefined;
}

/**
 * Why aarch64 binaries cannot run inside a chroot here, or undefined: registers Debian's
 * qemu-aarch64 binfmt entry (flag F: the interpreter is opened now, so the root needs no
 * qemu) when none is there.
 */
export async function qemuUnavailable(): Promise<string | undefined> {
  const missing = fileMissing(QEMU, "qemu-user-static");
  if (missing) return missing;
  const entry = `${BINFMT}/qemu-aarch64`;
  if (fileMissing(entry, "") !== undefined) {
    const conf = "/usr/lib/binfmt.d/qemu-aarch64.conf";
    const registered = await sh(
      `{ [ -e ${BINFMT}/register ] || mount -t binfmt_misc binfmt_misc ${BINFMT}; } && ` +
        `cat ${conf} > ${BINFMT}/register`,
    );
    if (!registered) return `cannot register qemu-aarch64 with binfmt_misc from ${conf}`;
  }
  const text = await Deno.readTextFile(entry).catch(() => "");
  if (!text.startsWith("enabled")) return `${entry} is disabled`;
  if (!/^flags: \w*F/m.test(text)) return `${entry} lacks flag F (its qemu is not in the root)`;
  return undefined;
}

/** Runs `cmd` to its end; its stdout and stderr. Fails (assert) on a non-zero exit. */
export async function run(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")} failed:\n${text}`);
  return text;
}

/** Builds the musl tarball of `arch` into `out`; returns its path. */
export async function buildMuslTarball(arch: string, out: string): Promise<string> {
  await run(Deno.execPath(), [
    "run",
    "--allow-all",
    `${REPO}/build.ts`,
    ...["--target", arch, "--artifact", "musl", "--no-xz", "--out", out],
  ]);
  const name = [...Deno.readDirSync(out)].map((e) => e.name).find((n) => n.endsWith(".tar.gz"));
  assert.ok(name, `no tarball in ${out}`);
  return `${out}/${name}`;
}

/** A root with busybox-static (all applets), musl, a minimal /etc and the tarball in /opt. */
export async function makeRoot(root: string, tarball: string): Promise<void> {
  for (const dir of ["bin", "lib", "etc", "tmp", "proc", "opt", "var/lib", "root"]) {
    await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  }
  await Deno.copyFile(BUSYBOX, `${root}/bin/busybox`);
  await Deno.chmod(`${root}/bin/busybox`, 0o755);
  await run("chroot", [root, "/bin/busybox", "--install", "-s", "/bin"]);
  await Deno.copyFile(MUSL, `${root}${MUSL}`); // musl's loader is its libc
  await Deno.chmod(`${root}${MUSL}`, 0o755);
  await Deno.writeTextFile(`${root}/etc/passwd`, "root:x:0:0:root:/root:/bin/sh\n");
  await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\n");
  await Deno.writeTextFile(`${root}/etc/hosts`, "127.0.0.1 localhost\n");
  await Deno.writeTextFile(`${root}/etc/resolv.conf`, "");
  await Deno.chmod(`${root}/tmp`, 0o1777);
  await run("tar", ["-xzf", tarball, "-C", `${root}/opt`]);
}

/** Argument list of `unshare` running `command` in `root`, in fresh mount and PID namespaces. */
export function inRoot(root: string, ...command: string[]): string[] {
  return ["--mount", "--pid", "--fork", "--kill-child", `--mount-proc=${root}/proc`, "chroot", root]
    .concat(command);
}

/** procd's environment: no HOME. */
export const BARE_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };

/**
 * Resident set (kB) of the processes whose root is `root`. Under qemu-user that is the
 * qemu process's: the guest's memory plus the emulator's own (translated code, its heap).
 */
export function rssKb(root: string): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.realPathSync(`/proc/${entry.name}/root`) !== root) continue;
      const status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
      total += Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
    } catch { /* gone meanwhile */ }
  }
  return total;
}
