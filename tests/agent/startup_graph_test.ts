/**
 * What the agent does not load at start. The release bundle has V8 parse and compile all of
 * its start-up chunk (no code cache on a router), and whatever is compiled stays in the heap:
 * code needed only when something is configured or requested is reached from the agent's
 * entry (`src/cli/run_agent.ts`) only through a dynamic `import()`.
 */

import assert from "node:assert/strict";
import { importGraph } from "../_helpers/static_graph.ts";

/** Modules loaded on demand, by what loads them. */
const ON_DEMAND: Record<string, readonly string[]> = {
  "an enabled XMPP connection row (agent/xmpp_cr.ts)": [
    "src/services/xmpp/client.ts",
    "src/services/xmpp/sasl.ts",
    "src/services/xmpp/stanza.ts",
  ],
  "an enabled MQTT client row (agent/mqtt.ts)": [
    "src/services/mqtt/client.ts",
    "src/services/mqtt/connection.ts",
    "src/services/mqtt/packet.ts",
  ],
  "the first Bulk Data profile that runs (agent/bulkdata.ts)": [
    "src/services/bulkdata/mod.ts",
    "src/services/bulkdata/collect.ts",
    "src/services/bulkdata/report.ts",
    "src/services/bulkdata/schedule.ts",
    "src/services/bulkdata/sender.ts",
    "src/services/bulkdata/http_transport.ts",
  ],
  "STUNEnable (agent/udp_cr.ts)": [
    "src/services/stun/client.ts",
    "src/services/stun/message.ts",
    "src/services/stun/udp_connection_request.ts",
  ],
  "the first lightweight notification (agent/lwn.ts)": [
    "src/services/lwn/mod.ts",
    "src/services/lwn/message.ts",
    "src/services/lwn/sender.ts",
    "src/services/lwn/trigger.ts",
  ],
  "the first DHCP lease (agent/dhcp.ts)": [
    "src/services/dhcp/mod.ts",
    "src/services/dhcp/options.ts",
    "src/services/dhcp/lease.ts",
  ],
  "a diagnostic's first run (services/diagnostics/manager.ts)": [
    "src/services/diagnostics/ping.ts",
    "src/services/diagnostics/traceroute.ts",
    "src/services/diagnostics/download.ts",
    "src/services/diagnostics/upload.ts",
    "src/services/diagnostics/_http_probe.ts",
    "src/services/diagnostics/udp_echo_client.ts",
    "src/services/diagnostics/server_selection.ts",
    "src/services/diagnostics/nslookup.ts",
    "src/services/diagnostics/dns_message.ts",
    "src/services/udp/tos_socket.ts",
  ],
  "an enabled UDP echo server or TWAMP reflector, TWAMP-Control (agent/measurement.ts)": [
    "src/services/udp/mod.ts",
    "src/services/udp/ffi_socket.ts",
    "src/services/udp_echo/handler.ts",
    "src/services/twamp/reflector.ts",
    "src/services/twamp/control_server.ts",
  ],
  "agent.mapping_file (agent.ts)": [
    "src/config/mapping.ts",
    "src/datamodel/providers/script/script_bindings.ts",
    "src/datamodel/providers/script/command_runner.ts",
  ],
  "a transfer (transfer/clients.ts)": [
    "src/transfer/http_client.ts",
    "src/transfer/ftp_client.ts",
    "src/transfer/tftp_client.ts",
  ],
  "a TR-098 agent (datamodel/device_model.ts)": ["src/datamodel/generated/tr098.ts"],
  "a local command (main.ts)": ["src/cli/commands.ts"],
};

Deno.test("run_agent.ts reaches what is needed only when configured through import() alone", async () => {
  const graph = await importGraph("src/cli/run_agent.ts");
  assert.ok(graph.static.has("src/agent.ts"), "the graph was read");
  for (const [when, modules] of Object.entries(ON_DEMAND)) {
    assert.deepEqual(modules.filter((m) => graph.static.has(m)), [], `loaded at start: ${when}`);
  }
});

Deno.test("each on-demand group is imported dynamically where it is needed", async () => {
  const graph = await importGraph("src/cli/run_agent.ts");
  for (
    const module of [
      "src/services/xmpp/client.ts",
      "src/services/mqtt/client.ts",
      "src/services/bulkdata/sender.ts",
      "src/services/stun/client.ts",
      "src/services/lwn/sender.ts",
      "src/services/dhcp/lease.ts",
      "src/services/diagnostics/ping.ts",
      "src/services/udp/mod.ts",
      "src/services/twamp/control_server.ts",
      "src/config/mapping.ts",
      "src/datamodel/generated/tr098.ts",
    ]
  ) assert.ok(graph.dynamic.has(module), `${module} is imported on demand`);
  const main = await importGraph("main.ts");
  assert.deepEqual([...main.static].sort(), ["main.ts", "src/cli/quick_args.ts"]);
  assert.ok(main.dynamic.has("src/cli/run_agent.ts") && main.dynamic.has("src/cli/commands.ts"));
});
