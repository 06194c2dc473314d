import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger } from "../../src/log/mod.ts";

const clock = () => new Date(2019, 11, 24, 10, 21, 18);

function capture(severity: Parameters<typeof createLogger>[0]["severity"]) {
  const lines: string[] = [];
  const log = createLogger({
    severity,
    console: true,
    now: clock,
    writeConsole: (line) => lines.push(line),
  });
  return { log, lines };
}

Deno.test("createLogger() writes icwmp-format lines", () => {
  const { log, lines } = capture("DEBUG");
  log.info("Start session");
  log.crit("Disk full");
  log.debug("Detail");
  assert.deepEqual(lines, [
    "24-12-2019, 10:21:18 [INFO] Start session\n",
    "24-12-2019, 10:21:18 [CRITIC] Disk full\n",
    "24-12-2019, 10:21:18 [DEBUG] Detail\n",
  ]);
});

Deno.test("createLogger() drops messages below the severity without building them", () => {
  const { log, lines } = capture("WARNING");
  let built = 0;
  log.info(() => {
    built++;
    return "info";
  });
  log.notice("notice");
  log.warning(() => {
    built++;
    return "warned";
  });
  log.emerg("down");
  assert.equal(built, 1);
  assert.deepEqual(lines.map((l) => l.slice(21)), ["[WARNING] warned\n", "[EMERG] down\n"]);
  assert.equal(log.enabled("ERROR"), true);
  assert.equal(log.enabled("INFO"), false);
});

Deno.test("createLogger() defaults to INFO", () => {
  const { log, lines } = capture(undefined);
  log.debug("no");
  log.info("yes");
  assert.equal(lines.length, 1);
  assert.equal(log.severity, "INFO");
});

Deno.test("createLogger() appends an error's stack", () => {
  const { log, lines } = capture("INFO");
  log.error("Session failed", new TypeError("bad envelope"));
  assert.match(
    lines[0],
    /^24-12-2019, 10:21:18 \[ERROR\] Session failed: TypeError: bad envelope\n/,
  );
  assert.match(lines[0], /\n\s+at /);
});

Deno.test("createLogger() writes nothing to the console when console is false", () => {
  const lines: string[] = [];
  const file: string[] = [];
  const log = createLogger({
    severity: "INFO",
    console: false,
    now: clock,
    writeConsole: (line) => lines.push(line),
    writeFile: (line) => file.push(line),
  });
  log.info("x");
  assert.deepEqual(lines, []);
  assert.deepEqual(file, ["24-12-2019, 10:21:18 [INFO] x\n"]);
});

Deno.test("createLogger() appends to the file and rotates it to <file>.1", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "cwmp.log");
    const log = createLogger({
      severity: "INFO",
      console: false,
      file: { path, maxSize: 100 },
      now: clock,
    });
    const line = (n: number) => `24-12-2019, 10:21:18 [INFO] message ${n}\n`; // 40 bytes
    log.info("message 1");
    log.info("message 2");
    assert.equal(Deno.readTextFileSync(path), line(1) + line(2));
    log.info("message 3"); // 120 bytes would exceed 100: rotate first
    assert.equal(Deno.readTextFileSync(`${path}.1`), line(1) + line(2));
    assert.equal(Deno.readTextFileSync(path), line(3));
    log.info("message 4");
    log.info("message 5");
    assert.equal(Deno.readTextFileSync(`${path}.1`), line(3) + line(4));
    assert.equal(Deno.readTextFileSync(path), line(5));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() counts an existing file's size", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "cwmp.log");
    Deno.writeTextFileSync(path, "x".repeat(90));
    const log = createLogger({ console: false, file: { path, maxSize: 100 }, now: clock });
    log.info("rotates");
    assert.equal(Deno.readTextFileSync(`${path}.1`), "x".repeat(90));
    assert.equal(Deno.readTextFileSync(path), "24-12-2019, 10:21:18 [INFO] rotates\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() reports a broken file sink once on the console", () => {
  const lines: string[] = [];
  const log = createLogger({
    console: false,
    file: { path: "/nonexistent-dir/x/cwmp.log", maxSize: 100 },
    now: clock,
    writeConsole: (line) => lines.push(line),
  });
  log.info("a");
  log.info("b");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\[log\] Cannot write the log file: /);
});
