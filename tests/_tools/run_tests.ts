/**
 * The test entry point behind `deno task test`: installs the Debian packages whose
 * programs the tests drive when they are missing (xmllint, curl, ip, ping, traceroute,
 * tshark, and the FTP/TFTP test servers), runs `deno test` with a JUnit report, and ends
 * with one line `N passed, N failed` read from that report, after a line `N skipped`.
 * Extra arguments are passed to `deno test` (e.g. a file filter).
 *
 * Never all or nothing: a package that cannot be installed (no root, apt locked,
 * offline) is named with apt's reason, every test that does not need it runs, and those
 * that do skip with that reason (`tests/_helpers/needs.ts` reads it from the
 * `CWMP_TEST_UNAVAILABLE` environment variable this runner sets).
 *
 * @module
 */

const REPORT = ".reports/junit.xml";

/** Debian packages that provide the external programs the tests use. */
const TOOLS: Record<string, string> = {
  xmllint: "libxml2-utils",
  curl: "curl",
  ip: "iproute2",
  ping: "iputils-ping",
  traceroute: "traceroute",
  tshark: "tshark",
};

async function has(cmd: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${cmd}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Optional Debian packages, by the program they install (tests skip without them). */
const OPTIONAL: Record<string, string> = {
  "/usr/sbin/vsftpd": "vsftpd",
  "/usr/sbin/in.tftpd": "tftpd-hpa",
  // The STUN server of the UDP connection-request tests (tests/integration/stun_test.ts).
  "/usr/bin/turnserver": "coturn",
  // The XMPP server of the XMPP connection-request tests (tests/integration/xmpp_cr_test.ts).
  "/usr/bin/prosody": "prosody",
  // The MQTT broker and subscriber of the Bulk Data MQTT tests (tests/services/mqtt/).
  "/usr/sbin/mosquitto": "mosquitto",
  "/usr/bin/mosquitto_sub": "mosquitto-clients",
  "/usr/bin/mosquitto_passwd": "mosquitto",
  // The DHCP server of tests/integration/dhcp_netns_test.ts (busybox udhcpc is the client).
  "/usr/sbin/dnsmasq": "dnsmasq-base",
  // The release tarball test (tests/build/musl_root_test.ts).
  "/usr/bin/qemu-aarch64-static": "qemu-user-static",
  "/bin/busybox": "busybox-static",
  "/lib/ld-musl-x86_64.so.1": "musl",
};

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** apt's reason in one short line: its `E:` lines (else its last line), at most 240 chars. */
export function aptReason(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const errors = lines.filter((l) => l.startsWith("E:"));
  const text = (errors.length > 0 ? errors : lines.slice(-1)).join(" ") || "no output";
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
}

async function apt(args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success ? undefined : aptReason(new TextDecoder().decode(out.stderr));
  } catch (error) {
    return `apt-get not runnable (${(error as Error).name})`;
  }
}

/**
 * Installs the missing packages (all at once, else one by one) and returns, per program
 * still missing, why: apt's reason, or that the package did not install it.
 */
async function ensurePackages(): Promise<Record<string, string>> {
  const wanted: [program: string, pkg: string][] = [];
  for (const [cmd, pkg] of Object.entries(TOOLS)) if (!(await has(cmd))) wanted.push([cmd, pkg]);
  for (const [path, pkg] of Object.entries(OPTIONAL)) if (!exists(path)) wanted.push([path, pkg]);
  if (wanted.length === 0) return {};
  const packages = [...new Set(wanted.map(([, pkg]) => pkg))];
  const failed: Record<string, string> = {};
  if (!(await has("apt-get"))) {
    for (const pkg of packages) failed[pkg] = "apt-get not found";
  } else {
    console.error(`Installing test packages: ${packages.join(" ")}`);
    const update = await apt(["update", "-qq"]);
    const all = await apt(["install", "-y", "-qq", ...packages]);
    if (all !== undefined) {
      for (const pkg of packages) {
        const one = packages.length === 1 ? all : await apt(["install", "-y", "-qq", pkg]);
        if (one !== undefined) failed[pkg] = update === undefined ? one : `${one} (${update})`;
      }
    }
  }
  const unavailable: Record<string, string> = {};
  for (const [program, pkg] of wanted) {
    const present = program.startsWith("/") ? exists(program) : await has(program);
    if (present) continue;
    const why = failed[pkg] === undefined
      ? `${pkg} installed, but no ${program} on PATH`
      : `${pkg} not installed: ${failed[pkg]}`;
    unavailable[program] = why;
    console.error(`The tests that need ${program} skip: ${why}`);
  }
  return unavailable;
}

/** Counts test cases and failures in a JUnit XML report. */
export function summarizeJunit(
  xml: string,
): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const re = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}

if (import.meta.main) {
  const unavailable = await ensurePackages();
  await Deno.mkdir(".reports", { recursive: true });
  await Deno.remove(REPORT).catch(() => {});
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--allow-all",
      "--parallel",
      "--doc",
      `--junit-path=${REPORT}`,
      ...Deno.args,
    ],
    // DENO_NO_UPDATE_CHECK: no DNS query or HTTPS request to dl.deno.land from any test's
    // runtime (tests talk to loopback only).
    env: {
      DENO_JOBS: "2",
      DENO_NO_UPDATE_CHECK: "1",
      CWMP_TEST_UNAVAILABLE: JSON.stringify(unavailable),
    },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  let summary = { passed: 0, failed: 0, skipped: 0 };
  try {
    summary = summarizeJunit(await Deno.readTextFile(REPORT));
  } catch {
    console.error(`No test report at ${REPORT}`);
  }
  if (!status.success && summary.failed === 0) summary.failed = 1;
  for (const [program, why] of Object.entries(unavailable)) {
    console.log(`unavailable: ${program} (${why})`);
  }
  // CI parses the last line; the skipped count goes on the line before it.
  console.log(`${summary.skipped} skipped`);
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  Deno.exit(status.success ? 0 : 1);
}
