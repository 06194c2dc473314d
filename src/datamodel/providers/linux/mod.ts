/**
 * Linux system data for the data model: stable instance numbers, `/proc` and network
 * parsers, and {@linkcode bindLinux}, which binds every Linux-backed TR-181 object
 * over an injected `SystemSource`.
 *
 * @module
 */

export * from "./bind_linux.ts";
export * from "./instance_numbers.ts";
export * from "./net.ts";
export * from "./net_snapshot.ts";
export * from "./netlink_messages.ts";
export * from "./proc_net.ts";
export * from "./proc.ts";
