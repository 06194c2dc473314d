/**
 * AddObject/DeleteObject on the wire (TR-069 A.3.2.6/A.3.2.7) on the persisted
 * `Device.ManagementServer.InformParameter.{i}.` table, and what its rows do to the
 * Inform ParameterList (TR-181: an entry applies to the events of its EventList; ""
 * means every event but `4 VALUE CHANGE`). Instance numbers are never reused, across a
 * SIGKILL too, and the rows survive it.
 */

import assert from "node:assert/strict";
import type { CpeRequest } from "../../src/soap/mod.ts";
import { eventsOf, informValues, withRig } from "./_rig.ts";
import { addOf, crSession, gpnOf, gpvOf, kindAt } from "./_wire.ts";

const TABLE = "Device.ManagementServer.InformParameter.";
const COUNT = "Device.ManagementServer.InformParameterNumberOfEntries";
const KEY = "Device.ManagementServer.ParameterKey";
const UPTIME = "Device.DeviceInfo.UpTime";

function gpv(...parameterNames: string[]): CpeRequest {
  return { kind: "GetParameterValues", parameterNames };
}

function fillRow(row: number, eventList: string, parameterKey: string): CpeRequest {
  return {
    kind: "SetParameterValues",
    parameterList: [
      { name: `${TABLE}${row}.ParameterName`, value: UPTIME, type: "xsd:string" },
      { name: `${TABLE}${row}.Enable`, value: "true", type: "xsd:boolean" },
      { name: `${TABLE}${row}.EventList`, value: eventList, type: "xsd:string" },
    ],
    parameterKey,
  };
}

Deno.test("InformParameter rows: AddObject/DeleteObject on the wire, EventList filter, numbers never reused", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    assert.equal(informValues(acs.sessions[0])[UPTIME], undefined);

    const add = await crSession(
      acs,
      agent,
      { kind: "AddObject", objectName: TABLE, parameterKey: "k-add-1" },
      gpv(KEY, COUNT),
      fillRow(1, "6 CONNECTION REQUEST", "k-spv-1"),
      gpv(COUNT, `${TABLE}1.`),
    );
    assert.deepEqual(addOf(add, 0), { kind: "AddObjectResponse", instanceNumber: 1, status: 0 });
    assert.deepEqual(gpvOf(add, 1), { [KEY]: "k-add-1", [COUNT]: "1" });
    kindAt(add, 2, "SetParameterValuesResponse");
    const row = gpvOf(add, 3);
    assert.equal(row[COUNT], "1");
    assert.equal(row[`${TABLE}1.ParameterName`], UPTIME);
    assert.equal(row[`${TABLE}1.Enable`], "true");
    assert.equal(row[`${TABLE}1.EventList`], "6 CONNECTION REQUEST");

    // The next connection-request session carries UpTime, a scheduled one does not.
    const cr = await crSession(acs, agent, {
      kind: "ScheduleInform",
      delaySeconds: 1,
      commandKey: "later",
    });
    assert.deepEqual(eventsOf(cr), ["6 CONNECTION REQUEST|"]);
    assert.match(informValues(cr)[UPTIME], /^\d+$/);
    assert.equal(informValues(cr)[KEY], "k-spv-1");
    kindAt(cr, 0, "ScheduleInformResponse");
    await acs.waitForSessions(acs.sessions.length + 1, 10_000);
    const scheduled = acs.sessions.at(-1)!;
    assert.deepEqual(eventsOf(scheduled), ["3 SCHEDULED|", "M ScheduleInform|later"]);
    assert.equal(informValues(scheduled)[UPTIME], undefined);

    const del = await crSession(
      acs,
      agent,
      { kind: "DeleteObject", objectName: `${TABLE}1.`, parameterKey: "k-del-1" },
      gpv(KEY, COUNT),
      { kind: "AddObject", objectName: TABLE, parameterKey: "k-add-2" },
      fillRow(2, "", "k-spv-2"),
      { kind: "GetParameterNames", parameterPath: TABLE, nextLevel: true },
    );
    assert.deepEqual(del.messages[0], { kind: "DeleteObjectResponse", status: 0 });
    assert.deepEqual(gpvOf(del, 1), { [KEY]: "k-del-1", [COUNT]: "0" });
    assert.equal(addOf(del, 2).instanceNumber, 2);
    kindAt(del, 3, "SetParameterValuesResponse");
    assert.deepEqual(gpnOf(del, 4), [`${TABLE}2.`]);

    // A crash right after: numbers and rows are on disk.
    assert.equal((await agent.kill("SIGKILL")).signal, "SIGKILL");
    const before = acs.sessions.length;
    acs.enqueue(
      gpv(COUNT, `${TABLE}2.ParameterName`, `${TABLE}2.EventList`),
      { kind: "AddObject", objectName: TABLE, parameterKey: "k-add-3" },
      { kind: "GetParameterNames", parameterPath: TABLE, nextLevel: true },
    );
    await start();
    await acs.waitForSessions(before + 1, 15_000);
    const boot = acs.sessions[before];
    assert.deepEqual(eventsOf(boot), ["1 BOOT|"]);
    // EventList "" applies to every event but 4 VALUE CHANGE, 1 BOOT included.
    assert.match(informValues(boot)[UPTIME], /^\d+$/);
    assert.deepEqual(gpvOf(boot, 0), {
      [COUNT]: "1",
      [`${TABLE}2.ParameterName`]: UPTIME,
      [`${TABLE}2.EventList`]: "",
    });
    assert.equal(addOf(boot, 1).instanceNumber, 3);
    assert.deepEqual(gpnOf(boot, 2), [`${TABLE}2.`, `${TABLE}3.`]);
    await validateAll();
  });
});
