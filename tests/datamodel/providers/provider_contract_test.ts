import { deviceSchema } from "../../../src/datamodel/device_model.ts";
import {
  persistableParameters,
  PersistedProvider,
} from "../../../src/datamodel/providers/persisted.ts";
import { bindDeviceInfo } from "../../../src/datamodel/objects/device_info.ts";
import { MemoryProvider } from "../../../src/datamodel/providers/memory.ts";
import { bindLinux } from "../../../src/datamodel/providers/linux/mod.ts";
import { FixtureSystemSource } from "../../../src/platform/system_source.ts";
import { runProviderContract } from "../../_helpers/provider_contract.ts";

const FIXTURES = new URL("../../testdata/linux/", import.meta.url).pathname;

runProviderContract("MemoryProvider", () => {
  const provider = new MemoryProvider({
    "Device.DNS.Client.Server.1.Enable": "true",
    "Device.DNS.Client.Server.1.DNSServer": "192.0.2.53",
    "Device.DNS.Client.Server.3.Enable": "false",
    "Device.DNS.Client.Server.3.DNSServer": "2001:db8::53",
  });
  return {
    bindings: [{
      object: "Device.DNS.Client.Server.{i}.",
      parameters: ["Enable", "DNSServer"],
      provider,
    }],
    validSets: [[
      { path: "Device.DNS.Client.Server.1.Enable", value: "false" },
      { path: "Device.DNS.Client.Server.3.DNSServer", value: "192.0.2.54" },
    ]],
  };
});

runProviderContract("bindDeviceInfo()", () => ({
  bindings: [bindDeviceInfo({
    identity: {
      manufacturer: "Example",
      manufacturerOui: "00D09E",
      modelName: "R1",
      description: "Router",
      productClass: "RG",
      serialNumber: "S1",
      hardwareVersion: "1",
      softwareVersion: "1.0",
    },
    uptimeSeconds: () => 42,
  })],
  validSets: [[{ path: "Device.DeviceInfo.ProvisioningCode", value: "ABC" }]],
  failingSets: [[
    { path: "Device.DeviceInfo.ProvisioningCode", value: "XYZ" },
    { path: "Device.DeviceInfo.UpTime", value: "5" },
  ]],
}));

for (const variant of ["host", "router"]) {
  runProviderContract(`bindLinux() on the "${variant}" fixture`, () => {
    const source = new FixtureSystemSource(FIXTURES + variant);
    return {
      bindings: bindLinux(source, { time: { ntpServers: () => ["0.pool.ntp.org"] } }),
      mutate() {
        // Interfaces, addresses, neighbours, servers and processes go away.
        source.remove("/sys/class/net/eth0");
        source.write("/run/ip -j addr", "[]");
        source.write("/run/ip -j neigh", "not json");
        source.remove("/etc/resolv.conf");
        source.remove("/proc/1");
        source.write("/proc/stat", "");
        source.remove("/proc/meminfo");
      },
    };
  });
}

runProviderContract("PersistedProvider", () => {
  const provider = new PersistedProvider();
  const table = "Device.ManagementServer.InformParameter.{i}.";
  provider.load("Device.ManagementServer.InformParameter.", [1, 4], {
    "Device.ManagementServer.InformParameter.1.ParameterName": "Device.DeviceInfo.UpTime",
    "Device.ManagementServer.InformParameter.4.EventList": "2 PERIODIC",
  });
  const binding = provider.bind(table, persistableParameters(deviceSchema("tr181"), table));
  return {
    bindings: [binding],
    validSets: [[
      { path: "Device.ManagementServer.InformParameter.1.Enable", value: "true" },
      { path: "Device.ManagementServer.InformParameter.4.ParameterName", value: "Device." },
    ]],
  };
});
