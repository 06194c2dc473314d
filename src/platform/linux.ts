/**
 * The Linux platform: clocks from the kernel, identity from DMI, os-release and
 * the network interfaces, system commands through Deno.Command.
 *
 * @module
 */

import type { CommandResult, Platform, PlatformIdentity } from "./platform.ts";
import { clearTimer, setTimer } from "./timers.ts";

async function readTrimmed(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch {
    return "";
  }
}

/** Parses an os-release style file (KEY="value" lines). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

/** The OUI (6 upper-case hex digits) of the first non-loopback MAC address. */
export function ouiFromInterfaces(ifaces: { mac: string; name: string }[]): string {
  for (const i of ifaces) {
    if (i.name === "lo" || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(i.mac)) continue;
    if (i.mac === "00:00:00:00:00:00") continue;
    return i.mac.split(":").slice(0, 3).join("").toUpperCase();
  }
  return "";
}

/** Creates the Linux platform. */
export function createLinuxPlatform(): Platform {
  return {
    now: () => Date.now(),
    uptimeSeconds() {
      try {
        return Math.floor(Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]));
      } catch {
        return Math.floor(performance.now() / 1000);
      }
    },
    random: () => Math.random(),
    async freeBytes(dir) {
      // POSIX `df -P -k`: the 4th field of the 2nd line is the space available, in KiB.
      try {
        const out = await new Deno.Command("df", {
          args: ["-P", "-k", dir],
          stdout: "piped",
          stderr: "null",
        }).output();
        if (!out.success) return undefined;
        const fields = new TextDecoder().decode(out.stdout).trim().split("\n")[1]?.split(/\s+/);
        const kib = Number(fields?.[3]);
        return Number.isFinite(kib) ? kib * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    bootId() {
      try {
        return Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim() || undefined;
      } catch {
        return undefined;
      }
    },
    async identity(): Promise<PlatformIdentity> {
      const osRelease = parseOsRelease(
        (await readTrimmed("/etc/openwrt_release")) || (await readTrimmed("/etc/os-release")),
      );
      let ifaces: { mac: string; name: string }[] = [];
      try {
        ifaces = Deno.networkInterfaces();
      } catch { /* no permission: leave empty */ }
      const serial = (await readTrimmed("/sys/class/dmi/id/product_serial")) ||
        (await readTrimmed("/etc/machine-id")).slice(0, 16);
      return {
        manufacturer: await readTrimmed("/sys/class/dmi/id/sys_vendor"),
        manufacturerOui: ouiFromInterfaces(ifaces),
        productClass: await readTrimmed("/sys/class/dmi/id/product_name"),
        serialNumber: serial,
        modelName: await readTrimmed("/sys/class/dmi/id/product_name"),
        hardwareVersion: await readTrimmed("/sys/class/dmi/id/product_version"),
        softwareVersion: osRelease.DISTRIB_REVISION ?? osRelease.VERSION_ID ?? "",
        description: osRelease.DISTRIB_DESCRIPTION ?? osRelease.PRETTY_NAME ?? "",
      };
    },
    async runCommand(argv, timeoutMs): Promise<CommandResult> {
      if (argv.length === 0) return { code: 127, stderr: "No command configured" };
      try {
        const child = new Deno.Command(argv[0], {
          args: argv.slice(1),
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const timer = setTimer(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, timeoutMs);
        const out = await child.output();
        clearTimer(timer);
        return { code: out.code, stderr: new TextDecoder().decode(out.stderr).slice(-500) };
      } catch (e) {
        return { code: 127, stderr: (e as Error).message };
      }
    },
    async localAddressFor(host, port) {
      try {
        const conn = await Deno.connect({ hostname: host, port, transport: "tcp" });
        const local = (conn.localAddr as Deno.NetAddr).hostname;
        conn.close();
        return local;
      } catch {
        return undefined;
      }
    },
  };
}
