/**
 * `Device.IP.Diagnostics.` and its TR-143 tests (TR-181 2.17): IPPing, TraceRoute
 * (+ RouteHops), DownloadDiagnostics and UploadDiagnostics (+ PerConnectionResult),
 * UDPEchoDiagnostics (+ IndividualPacketResult) and ServerSelectionDiagnostics, over a
 * {@linkcode DiagnosticsBackend} (the agent passes its DiagnosticsManager). Inputs are
 * kept by the backend in memory; results until the next run or a reboot.
 *
 * Supported: the parameters listed below; every `*Supported` flag of
 * `Device.IP.Diagnostics.` reads true except IPLayerCapacitySupported (not bound).
 * NumberOfEntries parameters are derived by the tree.
 *
 * DSCP and EthernetPriority (every one TR-181 2.17 defines on these objects) are bound:
 * IPPing and TraceRoute mark with DSCP (`ping -Q`, `traceroute -t`), UDPEcho through a
 * socket with IP_TOS where one can be opened; Download/Upload DSCP and EthernetPriority
 * read 0 and accept only 0 (their HTTP connections cannot be marked). A value the
 * device cannot apply is refused with 9007 (the backend's `refusal`), never ignored.
 *
 * Unsupported (absent, 9005 on a set): TimeBasedTestDuration/MeasurementInterval/MeasurementOffset and the IncrementalResult
 * tables, the *UnderFullLoading results and PeriodOfFullLoading, the
 * *MaxIncrementalResult constants; IPLayerCapacityMetrics, UDPEchoConfig (its own
 * service) and the TWAMP objects belong elsewhere.
 *
 * @module
 */

import type { Binding } from "../provider.ts";
import {
  diagnosticBindings,
  type DiagnosticObjectSpec,
  type DiagnosticsBackend,
} from "./_diagnostics.ts";

export type { DiagnosticsBackend } from "./_diagnostics.ts";

/** Supported parameters of `Device.IP.Diagnostics.` (all read true). */
export const IP_DIAGNOSTICS_PARAMETERS: readonly string[] = [
  "IPv4PingSupported",
  "IPv6PingSupported",
  "IPv4TraceRouteSupported",
  "IPv6TraceRouteSupported",
  "IPv4DownloadDiagnosticsSupported",
  "IPv6DownloadDiagnosticsSupported",
  "IPv4UploadDiagnosticsSupported",
  "IPv6UploadDiagnosticsSupported",
  "IPv4UDPEchoDiagnosticsSupported",
  "IPv6UDPEchoDiagnosticsSupported",
  "IPv4ServerSelectionDiagnosticsSupported",
  "IPv6ServerSelectionDiagnosticsSupported",
];

const TIMES = ["ROMTime", "BOMTime", "EOMTime"];
const TCP_OPEN = ["TCPOpenRequestTime", "TCPOpenResponseTime"];

/** The diagnostic objects below `Device.IP.Diagnostics.` and what each binds. */
export const IP_DIAGNOSTIC_OBJECTS: readonly DiagnosticObjectSpec[] = [
  {
    object: "Device.IP.Diagnostics.IPPing.",
    name: "IPPing",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "ProtocolVersion",
      "Host",
      "NumberOfRepetitions",
      "Timeout",
      "DataBlockSize",
      "DSCP",
    ],
    results: [
      "IPAddressUsed",
      "SuccessCount",
      "FailureCount",
      "AverageResponseTime",
      "MinimumResponseTime",
      "MaximumResponseTime",
      "AverageResponseTimeDetailed",
      "MinimumResponseTimeDetailed",
      "MaximumResponseTimeDetailed",
    ],
  },
  {
    object: "Device.IP.Diagnostics.TraceRoute.",
    name: "TraceRoute",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "ProtocolVersion",
      "Host",
      "NumberOfTries",
      "Timeout",
      "DataBlockSize",
      "DSCP",
      "MaxHopCount",
    ],
    results: ["IPAddressUsed", "ResponseTime"],
    tables: { RouteHops: ["Host", "HostAddress", "ErrorCode", "RTTimes"] },
  },
  {
    object: "Device.IP.Diagnostics.DownloadDiagnostics.",
    name: "DownloadDiagnostics",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "DownloadURL",
      "ProtocolVersion",
      "NumberOfConnections",
      "EnablePerConnectionResults",
      "DSCP",
      "EthernetPriority",
    ],
    results: [
      "DownloadTransports",
      "DownloadDiagnosticMaxConnections",
      "IPAddressUsed",
      ...TIMES,
      "TestBytesReceived",
      "TotalBytesReceived",
      "TotalBytesSent",
      ...TCP_OPEN,
    ],
    tables: {
      PerConnectionResult: [
        ...TIMES,
        "TestBytesReceived",
        "TotalBytesReceived",
        "TotalBytesSent",
        ...TCP_OPEN,
      ],
    },
  },
  {
    object: "Device.IP.Diagnostics.UploadDiagnostics.",
    name: "UploadDiagnostics",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "UploadURL",
      "TestFileLength",
      "ProtocolVersion",
      "NumberOfConnections",
      "EnablePerConnectionResults",
      "DSCP",
      "EthernetPriority",
    ],
    results: [
      "UploadTransports",
      "UploadDiagnosticsMaxConnections",
      "IPAddressUsed",
      ...TIMES,
      "TestBytesSent",
      "TotalBytesReceived",
      "TotalBytesSent",
      ...TCP_OPEN,
    ],
    tables: {
      PerConnectionResult: [
        ...TIMES,
        "TestBytesSent",
        "TotalBytesReceived",
        "TotalBytesSent",
        ...TCP_OPEN,
      ],
    },
  },
  {
    object: "Device.IP.Diagnostics.UDPEchoDiagnostics.",
    name: "UDPEchoDiagnostics",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "Host",
      "Port",
      "NumberOfRepetitions",
      "Timeout",
      "DataBlockSize",
      "InterTransmissionTime",
      "ProtocolVersion",
      "EnableIndividualPacketResults",
      "DSCP",
    ],
    results: [
      "IPAddressUsed",
      "SuccessCount",
      "FailureCount",
      "AverageResponseTime",
      "MinimumResponseTime",
      "MaximumResponseTime",
      "UDPEchoDiagnosticsMaxResults",
    ],
    tables: {
      IndividualPacketResult: [
        "PacketSuccess",
        "PacketSendTime",
        "PacketReceiveTime",
        "TestGenSN",
        "TestRespSN",
        "TestRespRcvTimeStamp",
        "TestRespReplyTimeStamp",
        "TestRespReplyFailureCount",
      ],
    },
  },
  {
    object: "Device.IP.Diagnostics.ServerSelectionDiagnostics.",
    name: "ServerSelectionDiagnostics",
    inputs: [
      "DiagnosticsState",
      "Interface",
      "ProtocolVersion",
      "Protocol",
      "HostList",
      "NumberOfRepetitions",
      "Timeout",
    ],
    results: [
      "FastestHost",
      "MinimumResponseTime",
      "AverageResponseTime",
      "MaximumResponseTime",
      "IPAddressUsed",
    ],
  },
];

/** Binds `Device.IP.Diagnostics.` and its diagnostics to `backend`. */
export function bindIpDiagnostics(backend: DiagnosticsBackend): Binding[] {
  return [
    {
      object: "Device.IP.Diagnostics.",
      parameters: IP_DIAGNOSTICS_PARAMETERS,
      provider: { get: (refs) => refs.map(() => "true") },
    },
    ...IP_DIAGNOSTIC_OBJECTS.flatMap((spec) => diagnosticBindings(backend, spec)),
  ];
}
