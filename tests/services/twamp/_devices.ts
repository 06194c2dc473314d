// A second network device for the SO_BINDTODEVICE tests: an existing one other than
// "lo", else a dummy interface made with `ip link add` (root / CAP_NET_ADMIN) and removed
// after the test.

const DUMMY = "cwmptest0";

function existingDevice(): string | undefined {
  try {
    for (const e of Deno.readDirSync("/sys/class/net")) {
      if (e.name !== "lo" && e.name.length <= 15) return e.name;
    }
  } catch {
    // not Linux, or no sysfs
  }
  return undefined;
}

function ip(...args: string[]): { ok: boolean; reason: string } {
  try {
    const out = new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).outputSync();
    return { ok: out.success, reason: new TextDecoder().decode(out.stderr).trim() };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** A device other than "lo" that exists here, if any. */
export const existing: string | undefined = existingDevice();

/** Whether `ip link add … type dummy` works here (probed only when no device exists). */
export const canCreateDummy: { ok: boolean; reason: string } = existing !== undefined
  ? { ok: false, reason: "not needed" }
  : (() => {
    const made = ip("link", "add", DUMMY, "type", "dummy");
    if (!made.ok) return { ok: false, reason: `no device besides lo and ${made.reason}` };
    ip("link", "del", DUMMY);
    return { ok: true, reason: "" };
  })();

/** Runs `fn` with a device other than "lo" (a dummy made for it when none exists). */
export async function withOtherDevice(fn: (device: string) => Promise<void>): Promise<void> {
  if (existing !== undefined) return await fn(existing);
  const made = ip("link", "add", DUMMY, "type", "dummy");
  if (!made.ok) throw new Error(`Cannot add dummy interface: ${made.reason}`);
  try {
    await fn(DUMMY);
  } finally {
    ip("link", "del", DUMMY);
  }
}
