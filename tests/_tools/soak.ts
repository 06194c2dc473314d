/**
 * `deno task soak`: the long campaigns behind the durability and hostile-input tests,
 * run on demand against the real agent process and a test ACS on loopback.
 *
 * 1. Kill campaign (`SOAK_KILLS` rounds, default 300): each round starts the agent on the
 *    same state directory, reads back what earlier rounds were acknowledged, sends one piece
 *    of acknowledged work (an SPV spanning settings.json and values.json, AddObject,
 *    DeleteObject, ScheduleInform or Reboot) and SIGKILLs the agent 0–25 ms later. Checked
 *    after every restart: the agent starts; no acknowledged SPV, row, deletion, ScheduleInform
 *    or Reboot is lost; an SPV is never half applied; instance numbers are never reused; an
 *    acknowledged Reboot is carried out once and reported with `M Reboot`; no temp files
 *    pile up.
 * 2. Fuzz campaign (`SOAK_FUZZ` messages, default 5,000): ACS requests (our encodings and
 *    the GenieACS captures) mutated at the byte level (flips, cuts, repeats, hostile
 *    fragments, invalid UTF-8) are sent as the ACS's answers in real sessions. Checked: the
 *    agent never dies, its RSS stays bounded, and a valid GPV still works at the end.
 *
 * `SOAK_SEED` makes a run repeatable. Ends with one line per campaign and exit 1 on a
 * violation.
 *
 * @module
 */

import {
  type AddObjectResponse,
  type CpeRequest,
  type CwmpMessage,
  type CwmpNamespace,
  encodeEnvelope,
  type Fault,
  type GetParameterNamesResponse,
  type GetParameterValuesResponse,
  type TransferComplete,
} from "../../src/soap/mod.ts";
import { type AcsReply, startFakeAcs } from "../_helpers/fake_acs.ts";
import { type AgentProcess, spawnAgent, writeAgentConfig } from "../_helpers/agent_process.ts";
import { crPortOf, curlConnectionRequest } from "../integration/_rig.ts";
import { until } from "../_helpers/until.ts";

const MS = "Device.ManagementServer.";
const IP = `${MS}InformParameter.`;
/** What the SPVs set in settings.json (with an InformParameter Alias in values.json). */
const NAMES = ["Device.DeviceInfo.ProvisioningCode"];

// ------------------------------------------------------------------ randomness
let seed = Number(Deno.env.get("SOAK_SEED") ?? Date.now() % 2 ** 31);
const SEED = seed;
function random(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssKiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------- kill campaign

interface Ledger {
  /** Highest SPV generation acknowledged (its response reached the ACS). */
  spvAcked: number;
  /** Highest generation read back so far. */
  spvSeen: number;
  /** Rows whose AddObjectResponse was seen and no acknowledged DeleteObject since. */
  rows: Set<number>;
  /** Rows whose DeleteObjectResponse was seen. */
  deleted: Set<number>;
  /** Every instance number ever handed out. */
  numbers: number[];
  /** ScheduleInform CommandKeys acknowledged. */
  scheduled: Set<string>;
  /** Reboot CommandKeys acknowledged, and those reported with M Reboot. */
  reboots: string[];
  rebootsReported: string[];
  /** Download CommandKeys acknowledged (DownloadResponse seen). */
  downloads: Set<string>;
  /** TransferCompletes the ACS received, by CommandKey, with their FaultCodes. */
  reports: Map<string, number[]>;
}

async function killCampaign(rounds: number): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-soak-" });
  const stateDir = `${dir}/state`;
  const marker = `${dir}/reboots`;
  const violations: string[] = [];
  const history: string[] = [];
  const fail = (text: string) => {
    violations.push(text);
    console.error(`VIOLATION: ${text}`);
    if (violations.length === 1) console.error(`Last rounds:\n${history.slice(-20).join("\n")}`);
  };
  const ledger: Ledger = {
    spvAcked: 0,
    spvSeen: 0,
    rows: new Set(),
    deleted: new Set(),
    numbers: [],
    scheduled: new Set(),
    reboots: [],
    rebootsReported: [],
    downloads: new Set(),
    reports: new Map(),
  };
  let inFlight: CpeRequest | undefined;
  const maybeDeleted = new Set<number>();
  let killSoon: (() => void) | undefined;
  let checked = false;

  const hook = (m: CwmpMessage) => {
    if (m.kind !== "Empty") history.push(`  ${describe(m)}`);
    switch (m.kind) {
      case "GetParameterValuesResponse": {
        const v = Object.fromEntries(
          (m as GetParameterValuesResponse).parameterList.map((p) => [p.name, p.value]),
        );
        if (!(NAMES[0] in v)) break; // a GPV of the work mix, not the check
        const gens = NAMES.map((n) => Number((v[n] ?? "g0").replace(/^g/, "") || 0));
        if (!gens.every((g) => g === gens[0])) fail(`SPV half applied: ${JSON.stringify(v)}`);
        const gen = gens[0];
        if (gen < Math.max(ledger.spvAcked, ledger.spvSeen)) {
          fail(`SPV lost: read g${gen}, acknowledged g${ledger.spvAcked}`);
        }
        // The same SPV set a row's Alias (values.json): it must be there, and no Alias
        // may be newer than the settings.json half.
        const row = spvRow.get(gen);
        const alias = row === undefined ? undefined : v[`${IP}${row}.Alias`];
        if (alias !== undefined && alias !== `g${gen}`) {
          fail(`SPV g${gen} half applied: row ${row} has Alias "${alias}"`);
        }
        for (const [name, value] of Object.entries(v)) {
          const aliasGen = name.endsWith(".Alias") ? value.match(/^g(\d+)$/) : null;
          if (aliasGen && Number(aliasGen[1]) > gen) {
            fail(`SPV half applied: ${name} is "${value}", settings at g${gen}`);
          }
        }
        ledger.spvSeen = gen;
        break;
      }
      case "GetParameterNamesResponse": {
        const present = new Set(
          (m as GetParameterNamesResponse).parameterList.flatMap((p) => {
            const match = p.name.match(/InformParameter\.(\d+)\.$/);
            return match ? [Number(match[1])] : [];
          }),
        );
        for (const n of ledger.rows) {
          // A DeleteObject whose response the kill cut off may or may not have happened.
          if (!present.has(n) && !maybeDeleted.has(n)) fail(`acknowledged row ${n} lost`);
        }
        for (const n of maybeDeleted) {
          ledger.rows.delete(n);
          if (!present.has(n)) ledger.deleted.add(n);
        }
        maybeDeleted.clear();
        for (const n of ledger.deleted) if (present.has(n)) fail(`deleted row ${n} is back`);
        // Rows added but not acknowledged (killed in between) may exist: adopt them.
        for (const n of present) {
          if (!ledger.deleted.has(n)) ledger.rows.add(n);
          if (!ledger.numbers.includes(n)) ledger.numbers.push(n);
        }
        checked = true;
        killSoon?.();
        break;
      }
      case "SetParameterValuesResponse":
        if (inFlight?.kind === "SetParameterValues") {
          ledger.spvAcked = Number(inFlight.parameterKey.slice(1));
        }
        break;
      case "AddObjectResponse": {
        const n = (m as AddObjectResponse).instanceNumber;
        if (ledger.numbers.includes(n)) fail(`instance ${n} reused`);
        ledger.numbers.push(n);
        ledger.rows.add(n);
        break;
      }
      case "DeleteObjectResponse":
        if (inFlight?.kind === "DeleteObject") {
          const n = Number(inFlight.objectName.match(/\.(\d+)\.$/)![1]);
          ledger.rows.delete(n);
          ledger.deleted.add(n);
          maybeDeleted.delete(n);
        }
        break;
      case "ScheduleInformResponse":
        if (inFlight?.kind === "ScheduleInform") ledger.scheduled.add(inFlight.commandKey);
        break;
      case "RebootResponse":
        if (inFlight?.kind === "Reboot") ledger.reboots.push(inFlight.commandKey);
        break;
      case "DownloadResponse":
        if (inFlight?.kind === "Download") ledger.downloads.add(inFlight.commandKey);
        break;
      case "TransferComplete": {
        const tc = m as TransferComplete;
        ledger.reports.set(tc.commandKey, [
          ...(ledger.reports.get(tc.commandKey) ?? []),
          tc.faultStruct.faultCode,
        ]);
        break;
      }
    }
    return undefined;
  };

  const acs = startFakeAcs({ hook });
  // A file server for the Downloads of the mix (a small firmware, applied by `true`).
  const files = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(new Uint8Array(64 * 1024).fill(7)),
  );
  fileUrl = `http://127.0.0.1:${files.addr.port}/fw.bin`;
  let started = 0;
  const start = async (): Promise<AgentProcess> => {
    const config = await writeAgentConfig(dir, {
      acsUrl: acs.url,
      stateDir,
      rebootCommand: ["sh", "-c", `echo x >> '${marker}'`],
      severity: "INFO",
      extra: `[transfer]\nfirmware_command = ["true"]\nfirmware_reboot = false`,
    });
    started++;
    return spawnAgent(config);
  };
  const readInformEvents = (from: number) => {
    for (const s of acs.sessions.slice(from)) {
      const inform = s.inform.message;
      if (inform.kind !== "Inform") continue;
      for (const e of inform.event) {
        if (e.eventCode === "M Reboot") ledger.rebootsReported.push(e.commandKey);
      }
    }
  };

  let maxTemps = 0;
  try {
    for (let round = 1; round <= rounds; round++) {
      const work: CpeRequest = chooseWork(round, ledger);
      history.push(`round ${round}: ${JSON.stringify(work)}`);
      inFlight = undefined;
      checked = false;
      acs.enqueue(
        { kind: "GetParameterValues", parameterNames: [...NAMES, IP] },
        { kind: "GetParameterNames", parameterPath: IP, nextLevel: true },
        work,
      );
      const sessionsBefore = acs.sessions.length;
      // Armed before the start: the session may reach the GPN before the start returns.
      const delay = Math.floor(random() * 26);
      let killed: Promise<unknown> | undefined;
      let agent: AgentProcess | undefined;
      killSoon = () => {
        inFlight = work;
        if (work.kind === "DeleteObject") {
          maybeDeleted.add(Number(work.objectName.match(/\.(\d+)\.$/)![1]));
        }
        killed = sleep(delay).then(() => agent?.kill("SIGKILL"));
      };
      agent = await start();
      // A start that carries out an acknowledged Reboot halts: the device goes down.
      const first = await Promise.race([
        agent.waitForLine(/Rebooting the device/, 20_000).then(() => "reboot"),
        until(() => acs.sessions.length > sessionsBefore, "an Inform").then(() => "inform"),
      ]).catch((e) => `error: ${(e as Error).message}`);
      if (first === "reboot") {
        // The command ran; the agent waits for the system to go down, which SIGTERM plays.
        const halted = agent;
        await halted.waitForLine(/waiting for the system to go down/, 15_000)
          .then(() => halted.kill("SIGTERM"), () => halted.kill("SIGKILL"));
        agent = await start();
        await until(() => acs.sessions.length > sessionsBefore, "an Inform after the reboot")
          .catch((e) => fail(`round ${round}: ${(e as Error).message}`));
      } else if (first !== "inform") {
        fail(`round ${round}: agent did not start: ${first}\n${agent.lines.join("\n")}`);
      }
      await until(() => checked, `round ${round}: the checks`).catch((e) =>
        fail((e as Error).message)
      );
      await sleep(40);
      await (killed ?? agent.kill("SIGKILL"));
      killSoon = undefined;
      readInformEvents(sessionsBefore);
      const temps = [...Deno.readDirSync(stateDir)].filter((e) => /\.tmp-/.test(e.name)).length;
      maxTemps = Math.max(maxTemps, temps);
      if (round % 25 === 0) console.error(`kill campaign: ${round}/${rounds} rounds`);
    }
    // Final start: every acknowledged reboot was carried out and reported.
    const agent = await start();
    const before = acs.sessions.length;
    const line = await Promise.race([
      agent.waitForLine(/Rebooting the device/, 20_000).then(() => "reboot"),
      until(() => acs.sessions.length > before, "an Inform").then(() => "inform"),
    ]);
    if (line === "reboot") {
      await agent.waitForLine(/waiting for the system to go down/, 15_000)
        .then(() => agent.kill("SIGTERM"), () => agent.kill("SIGKILL"));
      const again = await start();
      await until(() => acs.sessions.length > before, "the last Inform");
      await again.kill("SIGTERM");
    } else {
      // Transfers still queued run and are reported by this agent.
      await until(
        () => [...ledger.downloads].every((k) => ledger.reports.has(k)),
        "every acknowledged Download reported",
        30_000,
      ).catch((e) => fail((e as Error).message));
      await agent.kill("SIGTERM");
    }
    readInformEvents(before);
    let duplicates = 0;
    for (const key of ledger.downloads) {
      const codes = ledger.reports.get(key) ?? [];
      if (codes.length === 0) fail(`acknowledged Download "${key}" never reported`);
      if (codes.some((c) => c !== 0)) fail(`Download "${key}" reported ${codes.join(", ")}`);
      if (codes.length > 1) duplicates++;
    }
    const done = (await Deno.readTextFile(marker).catch(() => "")).split("\n").filter(Boolean);
    for (const key of ledger.reboots) {
      if (!ledger.rebootsReported.includes(key)) fail(`acknowledged Reboot "${key}" not reported`);
    }
    if (done.length < ledger.reboots.length) {
      fail(`${ledger.reboots.length} Reboots acknowledged, ${done.length} carried out`);
    }
    const snapshot = JSON.parse(await Deno.readTextFile(`${stateDir}/session.json`));
    const pending = new Set(
      snapshot.scheduledInforms.map((s: { commandKey: string }) => s.commandKey),
    );
    for (const key of ledger.scheduled) {
      if (!pending.has(key)) fail(`acknowledged ScheduleInform "${key}" lost`);
    }
    console.log(
      `kill campaign: ${rounds} rounds, ${started} starts, SPV g${ledger.spvAcked} acknowledged, ` +
        `${ledger.numbers.length} instance numbers (none reused), ${ledger.deleted.size} deletions, ` +
        `${ledger.scheduled.size} ScheduleInforms, ${ledger.reboots.length} Reboots ` +
        `(${done.length} carried out), ${ledger.downloads.size} Downloads (all reported, ` +
        `${duplicates} twice: killed between the ACS's TransferCompleteResponse and its record), ` +
        `at most ${maxTemps} temp files after a round, ` +
        `${violations.length} violations`,
    );
  } finally {
    await acs.close();
    await files.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
  return violations;
}

function describe(m: CwmpMessage): string {
  if (m.kind === "Fault") return `Fault ${(m as Fault).faultCode} ${(m as Fault).faultString}`;
  if (m.kind === "GetParameterNamesResponse") {
    return `GPN: ${(m as GetParameterNamesResponse).parameterList.map((p) => p.name).join(" ")}`;
  }
  if (m.kind === "AddObjectResponse") {
    return `AddObject → ${(m as AddObjectResponse).instanceNumber}`;
  }
  return m.kind;
}

/** The soak's file server. */
let fileUrl = "";

/** SPV generation → the row whose Alias it also set. */
const spvRow = new Map<number, number>();
let scheduleCount = 0;
function chooseWork(round: number, ledger: Ledger): CpeRequest {
  const rows = [...ledger.rows];
  const r = random();
  if (r < 0.4) {
    const row = rows.length > 0 ? pick(rows) : undefined;
    if (row !== undefined) spvRow.set(round, row);
    return {
      kind: "SetParameterValues",
      parameterList: [
        { name: NAMES[0], value: `g${round}`, type: "xsd:string" },
        ...(row !== undefined
          ? [{ name: `${IP}${row}.Alias`, value: `g${round}`, type: "xsd:string" }]
          : []),
      ],
      parameterKey: `g${round}`,
    };
  }
  if (r < 0.6 && rows.length < 40) {
    return { kind: "AddObject", objectName: IP, parameterKey: `g${ledger.spvSeen}` };
  }
  if (r < 0.75 && rows.length > 0) {
    return { kind: "DeleteObject", objectName: `${IP}${pick(rows)}.`, parameterKey: "" };
  }
  if (r < 0.85 && ledger.scheduled.size < 30 && scheduleCount < 30) {
    scheduleCount++;
    return { kind: "ScheduleInform", delaySeconds: 10 ** 7, commandKey: `s${round}` };
  }
  if (r < 0.9) return { kind: "Reboot", commandKey: `rb${round}` };
  if (r < 0.96) {
    return {
      kind: "Download",
      commandKey: `dl${round}`,
      fileType: "1 Firmware Upgrade Image",
      url: fileUrl,
      username: "",
      password: "",
      fileSize: 0,
      targetFileName: "",
      delaySeconds: 0,
      successURL: "",
      failureURL: "",
    };
  }
  return { kind: "GetParameterValues", parameterNames: [`${MS}URL`] };
}

// ------------------------------------------------------------- fuzz campaign

const HOSTILE = [
  "<",
  ">",
  "&",
  "&amp",
  "&#0;",
  "&#xD800;",
  "]]>",
  "<!--",
  "-->",
  "<![CDATA[",
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>',
  "&a;",
  '<?xml version="1*0"?>',
  ' a="<"',
  ' 1x="y"',
  ' xmlns:q="urn:x" q:a="1" q:a="2"',
  "<u:x>",
  "</cwmp:ID>",
  "<string></string>".repeat(200),
  "<ParameterNames><string></string></ParameterNames>",
  "\u0000",
  "\uFFFE",
  "\u{1F600}",
  "<a>".repeat(300),
];
const BAD_BYTES = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80]];

function seeds(namespace: CwmpNamespace = "urn:dslforum-org:cwmp-1-2"): Uint8Array[] {
  const messages: CwmpMessage[] = [
    { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.", `${MS}URL`] },
    { kind: "GetParameterNames", parameterPath: "Device.", nextLevel: true },
    { kind: "GetParameterAttributes", parameterNames: [`${MS}`] },
    {
      kind: "SetParameterValues",
      parameterList: [
        { name: NAMES[0], value: "fuzz", type: "xsd:string" },
        { name: `${MS}PeriodicInformInterval`, value: "86400", type: "xsd:unsignedInt" },
      ],
      parameterKey: "fz",
    },
    {
      kind: "SetParameterAttributes",
      parameterList: [{
        name: NAMES[0],
        notificationChange: true,
        notification: 1,
        accessListChange: false,
        accessList: [],
      }],
    },
    { kind: "AddObject", objectName: IP, parameterKey: "" },
    { kind: "DeleteObject", objectName: `${IP}1.`, parameterKey: "" },
    { kind: "GetRPCMethods" },
    { kind: "ScheduleInform", delaySeconds: 10 ** 7, commandKey: "fz" },
  ];
  const out = messages.map((message) =>
    new TextEncoder().encode(encodeEnvelope({ namespace, header: { id: "fz" }, message }))
  );
  const captures = new URL("../testdata/genieacs/", import.meta.url).pathname;
  for (const entry of Deno.readDirSync(captures)) {
    if (/acs-cpe/.test(entry.name) && entry.name.endsWith(".xml")) {
      const text = Deno.readTextFileSync(captures + entry.name);
      if (!/Reboot|FactoryReset|Download|InformResponse/.test(text)) {
        out.push(new TextEncoder().encode(text));
      }
    }
  }
  return out;
}

function mutate(input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(random() * bytes.length);
    const kind = random();
    if (kind < 0.25) {
      bytes[at] = Math.floor(random() * 256);
    } else if (kind < 0.4) {
      const end = Math.min(bytes.length, at + Math.floor(random() * 64));
      bytes = concat(bytes.subarray(0, at), bytes.subarray(end));
    } else if (kind < 0.55) {
      const end = Math.min(bytes.length, at + Math.floor(random() * 200));
      const piece = bytes.subarray(at, end);
      const times = 1 + Math.floor(random() * 20);
      bytes = concat(bytes.subarray(0, end), ...Array(times).fill(piece), bytes.subarray(end));
    } else if (kind < 0.85) {
      const text = new TextEncoder().encode(pick(HOSTILE));
      bytes = concat(bytes.subarray(0, at), text, bytes.subarray(at));
    } else if (kind < 0.95) {
      bytes = concat(bytes.subarray(0, at), new Uint8Array(pick(BAD_BYTES)), bytes.subarray(at));
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes.length > 900_000 ? bytes.subarray(0, 900_000) : bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function wireOf(body: Uint8Array): AcsReply {
  const head = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset="utf-8"\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  return { wire: { data: concat(head, body), keepOpen: true } };
}

async function fuzzCampaign(total: number): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-fuzz-" });
  const violations: string[] = [];
  const corpus = seeds();
  const perSession = 100;
  let sent = 0;
  let inSession = 0;
  const answers = new Map<string, number>();
  let lastMessageAt = Date.now();
  const hook = (m: CwmpMessage): AcsReply | undefined => {
    lastMessageAt = Date.now();
    if (m.kind === "Fault") {
      const code = String((m as Fault).faultCode);
      answers.set(code, (answers.get(code) ?? 0) + 1);
    } else if (m.kind !== "Empty" && m.kind !== "Inform") {
      answers.set(m.kind, (answers.get(m.kind) ?? 0) + 1);
    }
    if (m.kind === "Inform") {
      inSession = 0;
      return undefined; // a normal InformResponse: the fuzzing is of ACS requests
    }
    if (sent >= total || inSession >= perSession) return undefined;
    sent++;
    inSession++;
    return wireOf(mutate(pick(corpus)));
  };
  const acs = startFakeAcs({ hook });
  let maxRss = 0;
  let idleRss = 0;
  try {
    const config = await writeAgentConfig(dir, {
      acsUrl: acs.url,
      stateDir: `${dir}/state`,
      periodicInterval: 1,
      severity: "INFO",
    });
    const agent = spawnAgent(config);
    const crPort = await crPortOf(agent);
    await until(() => acs.sessions.length > 0, "the first Inform");
    idleRss = rssKiB(agent.child.pid);
    let lastReport = 0;
    const deadline = Date.now() + Math.max(120_000, total * 40);
    while (sent < total && Date.now() < deadline) {
      await sleep(50);
      // A session per connection request once the last one ended (the periodic Inform
      // alone is too slow, and a fuzzed SPV may change its interval).
      // A fuzzed message may also end a session as failed (no 204): idle counts too.
      if (acs.sessions.at(-1)?.ended || Date.now() - lastMessageAt > 1_500) {
        lastMessageAt = Date.now();
        await curlConnectionRequest(crPort, "cr-user", "cr-pass").catch(() => 0);
        const count = acs.sessions.length;
        await until(() => acs.sessions.length > count, "a session after a CR", 5_000)
          .catch(() => {});
      }
      maxRss = Math.max(maxRss, rssKiB(agent.child.pid));
      const exited = await Promise.race([agent.child.status, sleep(0).then(() => undefined)]);
      if (exited) {
        violations.push(`agent died after ${sent} messages: ${JSON.stringify(exited)}`);
        console.error(agent.lines.slice(-30).join("\n"));
        break;
      }
      if (sent - lastReport >= 1000) {
        lastReport = sent;
        console.error(`fuzz campaign: ${sent}/${total} messages, RSS ${maxRss >> 10} MiB max`);
      }
    }
    if (sent < total && violations.length === 0) violations.push(`only ${sent} messages sent`);
    if (violations.length === 0) {
      // The agent still works: a valid GPV in the next session.
      await until(
        () => acs.sessions.at(-1)?.ended === true || Date.now() - lastMessageAt > 1_500,
        "the last fuzzed session to end",
      );
      acs.enqueue({ kind: "GetParameterValues", parameterNames: [`${MS}URL`] });
      await curlConnectionRequest(crPort, "cr-user", "cr-pass");
      await until(
        () =>
          (answers.get("GetParameterValuesResponse") ?? 0) > 0 &&
          acs.sessions.at(-1)!.messages.some((m) => m.kind === "GetParameterValuesResponse"),
        "a GPV answered after the campaign",
      ).catch((e) => violations.push((e as Error).message));
      maxRss = Math.max(maxRss, rssKiB(agent.child.pid));
      const limitMiB = Number(Deno.env.get("SOAK_MAX_RSS_MIB") ?? 256);
      if (maxRss >> 10 > limitMiB) violations.push(`RSS peaked at ${maxRss >> 10} MiB`);
    }
    await agent.kill("SIGTERM");
    const summary = [...answers].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    console.log(
      `fuzz campaign: ${sent} mutated messages in ${acs.sessions.length} sessions, ` +
        `RSS ${idleRss >> 10} MiB at start, ${maxRss >> 10} MiB peak; answers: ` +
        `${summary.join(", ")}; ${violations.length} violations`,
    );
  } finally {
    await acs.close();
    await Deno.remove(dir, { recursive: true });
  }
  return violations;
}

if (import.meta.main) {
  console.log(`soak: seed ${SEED}`);
  const kills = Number(Deno.env.get("SOAK_KILLS") ?? 300);
  const fuzz = Number(Deno.env.get("SOAK_FUZZ") ?? 5000);
  const violations = [
    ...(kills > 0 ? await killCampaign(kills) : []),
    ...(fuzz > 0 ? await fuzzCampaign(fuzz) : []),
  ];
  for (const v of violations) console.log(`VIOLATION: ${v}`);
  Deno.exit(violations.length === 0 ? 0 : 1);
}
