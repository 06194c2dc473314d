/**
 * The test entry point behind `deno task test`: makes sure the Debian tools the
 * integration tests drive are present (xmllint, curl), runs `deno test` with a
 * JUnit report, and ends with one line `N passed, N failed` read from that
 * report. Extra arguments are passed to `deno test` (e.g. a file filter).
 *
 * The file servers of the FTP/TFTP client tests (vsftpd, tftpd-hpa) are installed
 * the same way when missing, but are optional: when they cannot be installed the
 * run goes on and those tests skip, naming why.
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
};

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Installs the optional packages that are missing, if root with apt-get; never fails. */
async function ensureOptional(): Promise<void> {
  const missing = Object.entries(OPTIONAL).filter(([path]) => !exists(path)).map(([, p]) => p);
  if (missing.length === 0) return;
  if (Deno.uid?.() !== 0 || !(await has("apt-get"))) {
    console.error(`Optional test servers missing (their tests skip): ${missing.join(" ")}`);
    return;
  }
  console.error(`Installing test servers: ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  let success = false;
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]) {
    const out = await new Deno.Command("apt-get", { args, env, stdout: "null", stderr: "null" })
      .output();
    success = out.success;
  }
  if (!success) {
    console.error(`Cannot install ${missing.join(" ")} with apt-get: their tests skip`);
  }
}

async function ensureTools(): Promise<void> {
  const missing: string[] = [];
  for (const [cmd, pkg] of Object.entries(TOOLS)) {
    if (!(await has(cmd))) missing.push(pkg);
  }
  if (missing.length === 0) return;
  const root = Deno.uid?.() === 0;
  if (!root || !(await has("apt-get"))) {
    console.error(
      `Missing test tools: install the Debian packages ${missing.join(" ")} (apt-get install)`,
    );
    Deno.exit(2);
  }
  console.error(`Installing test tools: ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]) {
    const { success } = await new Deno.Command("apt-get", { args, env, stdout: "null" }).output();
    if (!success && args[0] === "install") {
      console.error(`Cannot install ${missing.join(" ")} with apt-get`);
      Deno.exit(2);
    }
  }
}

/** Counts test cases and failures in a JUnit XML report. */
export function summarizeJunit(xml: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  const re = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) continue;
    else passed++;
  }
  return { passed, failed };
}

if (import.meta.main) {
  await ensureTools();
  await ensureOptional();
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
    env: { DENO_JOBS: "2" },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  let summary = { passed: 0, failed: 0 };
  try {
    summary = summarizeJunit(await Deno.readTextFile(REPORT));
  } catch {
    console.error(`No test report at ${REPORT}`);
  }
  if (!status.success && summary.failed === 0) summary.failed = 1;
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  Deno.exit(status.success ? 0 : 1);
}
