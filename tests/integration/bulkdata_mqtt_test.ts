/**
 * Bulk Data over MQTT end to end (TR-181 `Device.BulkData.Profile.{i}.MQTT.` over
 * `Device.MQTT.Client.{i}`): the fake ACS creates an MQTT client and a profile with
 * Protocol "MQTT" on the real agent, Debian's mosquitto (TLS listener, test CA, password
 * file) takes the reports and `mosquitto_sub` checks what arrives: topic, QoS, retain and
 * the JSON report. Then a wrong password (Status Error_Misconfigured, reports retained and
 * delivered once it is fixed) and a restart of the agent (clients and profiles kept).
 */

import assert from "node:assert/strict";
import type { CpeRequest, ParameterValueStruct } from "../../src/soap/mod.ts";
import { needs } from "../_helpers/needs.ts";
import {
  disposeMosquitto,
  type Mosquitto,
  startMosquitto,
  subscribe,
} from "../_helpers/mosquitto.ts";
import { withRig } from "./_rig.ts";
import { addOf, crSession, gpvOf, kindAt } from "./_wire.ts";

const P = "Device.BulkData.Profile.";
const C = "Device.MQTT.Client.";
const USERS = { cpe: "cpe-mqtt-pw-51", collector: "collector-pw" };

function spv(values: Record<string, string>, key = "k"): CpeRequest {
  const parameterList: ParameterValueStruct[] = Object.entries(values).map(([name, value]) => ({
    name,
    value,
    type: /^(true|false)$/.test(value)
      ? "xsd:boolean"
      : /Interval|Port|QoS|RetryTime|Multiplier|KeepAlive/.test(name)
      ? "xsd:unsignedInt"
      : "xsd:string",
  }));
  return { kind: "SetParameterValues", parameterList, parameterKey: key };
}

const add = (objectName: string): CpeRequest => ({
  kind: "AddObject",
  objectName,
  parameterKey: "",
});
const gpv = (...parameterNames: string[]): CpeRequest => ({
  kind: "GetParameterValues",
  parameterNames,
});

function config(broker: Mosquitto): string {
  return `[bulkdata]\nmin_reporting_interval = 2\n[mqtt]\nca_file = "${broker.caFile}"\n`;
}

Deno.test(
  "Bulk Data over MQTT: the ACS sets up a TLS client and a profile; mosquitto receives the reports",
  needs(
    "/usr/sbin/mosquitto",
    "/usr/bin/mosquitto_sub",
    "/usr/bin/mosquitto_passwd",
    "openssl",
    "curl",
  ),
  async () => {
    const broker = await startMosquitto({ users: USERS });
    try {
      await withRig(async ({ acs, start, validateAll }) => {
        const agent = await start({ extra: config(broker) });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/Waiting the next session/);
        const topic = "bulk/SN0001";
        const sub = subscribe(broker, {
          topic,
          count: 2,
          user: "collector",
          password: USERS.collector,
        });
        await sub.ready;
        const s = await crSession(
          acs,
          agent,
          add(C),
          spv({
            [`${C}1.BrokerAddress`]: "localhost",
            [`${C}1.BrokerPort`]: String(broker.tlsPort),
            [`${C}1.TransportProtocol`]: "TLS",
            [`${C}1.ProtocolVersion`]: "5.0",
            [`${C}1.ClientID`]: "cpe-SN0001",
            [`${C}1.Username`]: "cpe",
            [`${C}1.Password`]: USERS.cpe,
            [`${C}1.ConnectRetryTime`]: "1",
            [`${C}1.ConnectRetryIntervalMultiplier`]: "1000",
            [`${C}1.Enable`]: "true",
          }),
          add(P),
          add(`${P}1.Parameter.`),
          spv({
            [`${P}1.Protocol`]: "MQTT",
            [`${P}1.EncodingType`]: "JSON",
            [`${P}1.ReportingInterval`]: "2",
            [`${P}1.MQTT.Reference`]: `${C}1`,
            [`${P}1.MQTT.PublishTopic`]: topic,
            [`${P}1.MQTT.PublishQoS`]: "1",
            [`${P}1.MQTT.PublishRetain`]: "true",
            [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.",
            [`${P}1.NumberOfRetainedFailedReports`]: "5",
            [`${P}1.Enable`]: "true",
          }),
          gpv("Device.BulkData.Protocols", "Device.MQTT.Capabilities.", `${C}1.Password`),
        );
        assert.equal(addOf(s, 0).instanceNumber, 1);
        kindAt(s, 1, "SetParameterValuesResponse");
        kindAt(s, 4, "SetParameterValuesResponse");
        const caps = gpvOf(s, 5);
        assert.deepEqual(caps["Device.BulkData.Protocols"].split(",").sort(), ["HTTP", "MQTT"]);
        assert.equal(caps["Device.MQTT.Capabilities.TransportProtocolSupported"], "TCP/IP,TLS");
        assert.equal(caps[`${C}1.Password`], "");

        const got = await sub.messages;
        assert.equal(got.length, 2, "two reports");
        for (const m of got) {
          assert.equal(m.topic, topic);
          assert.equal(m.qos, 1);
          const body = JSON.parse(new TextDecoder().decode(m.payload));
          assert.equal(body.Report.length, 1);
          assert.equal(body.Report[0].Device.DeviceInfo.SerialNumber, "SN0001");
          assert.equal(typeof body.Report[0].Device.DeviceInfo.UpTime, "number");
        }
        // Retained: a subscriber that comes later gets the last report.
        const late = subscribe(broker, {
          topic,
          count: 1,
          user: "collector",
          password: USERS.collector,
        });
        assert.equal((await late.messages)[0].retain, true);
        const status = await crSession(acs, agent, gpv(`${C}1.Status`, `${C}1.ProtocolVersion`));
        assert.equal(gpvOf(status, 0)[`${C}1.Status`], "Connected");
        assert.match(
          await broker.log(),
          /New client connected from 127\.0\.0\.1:\d+ as cpe-SN0001 .*u'cpe'/,
        );

        // A wrong password: the client says so in Status and the reports are retained…
        await crSession(acs, agent, spv({ [`${C}1.Password`]: "wrong-pw" }));
        const failedAt = agent.lines.length;
        await agent.waitForLine(
          /Bulk Data .*report not delivered \(MQTT client not connected \(Error_Misconfigured/,
          15_000,
          failedAt,
        );
        const g = await crSession(acs, agent, gpv(`${C}1.Status`));
        assert.equal(gpvOf(g, 0)[`${C}1.Status`], "Error_Misconfigured");
        // …and go out together once it is right again (first the broker's retained one).
        const fixed = subscribe(broker, {
          topic,
          count: 2,
          user: "collector",
          password: USERS.collector,
        });
        await fixed.ready;
        await crSession(acs, agent, spv({ [`${C}1.Password`]: USERS.cpe }));
        const [kept, next] = await fixed.messages;
        assert.equal(kept.retain, true);
        assert.equal(next.retain, false);
        const together = JSON.parse(new TextDecoder().decode(next.payload));
        assert.ok(together.Report.length >= 2, `${together.Report.length} reports in one`);

        // Clients and profiles survive a restart of the agent.
        await agent.kill("SIGKILL");
        const again = subscribe(broker, {
          topic,
          count: 2,
          user: "collector",
          password: USERS.collector,
        });
        await again.ready;
        const restarted = await start({ extra: config(broker) });
        const [, fresh] = await again.messages;
        assert.equal(fresh.retain, false);
        assert.ok(JSON.parse(new TextDecoder().decode(fresh.payload)).Report.length >= 1);
        assert.ok(!restarted.lines.join("\n").includes(USERS.cpe), "the password is never logged");
        assert.ok(!agent.lines.join("\n").includes(USERS.cpe), "the password is never logged");
        await validateAll();
      });
    } finally {
      await disposeMosquitto(broker);
    }
  },
); // deno-fmt-ignore
