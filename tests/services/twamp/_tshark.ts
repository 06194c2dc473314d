// Shared by the tshark tests: whether Debian's tshark can capture on `lo` here.

/** Why tshark cannot capture on `lo` here, or undefined when it can. */
export function tsharkMissing(): string | undefined {
  try {
    const { success } = new Deno.Command("tshark", { args: ["-v"], stdout: "null" }).outputSync();
    if (!success) return "tshark -v failed";
  } catch {
    return "tshark not installed (apt-get install tshark)";
  }
  if (Deno.uid() === 0) return undefined;
  // Not root: capturing needs dumpcap's capabilities (wireshark group). Probe for 1 s.
  const probe = new Deno.Command("tshark", {
    args: ["-i", "lo", "-f", "udp port 9", "-a", "duration:1", "-q"],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  return probe.success ? undefined : "tshark cannot capture on lo (no capture permission)";
}
