/**
 * Platform: everything the agent needs from the box it runs on. Core code
 * imports only this type; `main.ts` picks `linux.ts` (or tests pass `fake.ts`).
 *
 * @module
 */

/** Identity facts the platform can discover (empty strings when unknown). */
export interface PlatformIdentity {
  manufacturer: string;
  manufacturerOui: string;
  productClass: string;
  serialNumber: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
  description: string;
}

/** The result of running a system command. */
export interface CommandResult {
  code: number;
  /** Last part of stderr, for the log. */
  stderr: string;
}

/** What the agent needs from the operating system. */
export interface Platform {
  /** Wall-clock time, ms since the Unix epoch. */
  now(): number;
  /** System uptime in seconds (Device.DeviceInfo.UpTime). */
  uptimeSeconds(): number;
  /** A uniform random number in [0, 1). */
  random(): number;
  /** An id that changes at every system boot, if the system has one. */
  bootId?(): string | undefined;
  /** Bytes free for an unprivileged writer in the filesystem holding `dir`, if known. */
  freeBytes?(dir: string): Promise<number | undefined>;
  /** Identity facts read from the system, used where the config leaves them empty. */
  identity(): Promise<PlatformIdentity>;
  /** Runs a command (reboot, factory reset) with a timeout. */
  runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandResult>;
  /** The local address the system would use to reach `host` (for ConnectionRequestURL). */
  localAddressFor(host: string, port: number): Promise<string | undefined>;
}
