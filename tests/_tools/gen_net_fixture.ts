/**
 * Writes the netlink and `/proc/net` files of a Linux fixture (tests/testdata/linux/<name>/)
 * from the files it already has, so every source of the network snapshot tells the same
 * story: `netlink/RTM_GETADDR` and `netlink/RTM_GETNEIGH` (hex, one message a line, in a
 * real dump's order: IPv4 then IPv6) from `run/ip -j addr` and `run/ip -j neigh`;
 * `netlink/RTM_GETLINK` from `sys/class/net/<if>/` (flags, carrier, MTU, operstate,
 * MAC, statistics);
 * `proc/net/if_inet6`, `proc/net/arp`, `run/ip -j -6 neigh` and `deno/network_interfaces.json`
 * from the same;
 * `proc/net/dev` from `sys/class/net/<if>/statistics/*` with the kernel's column sums
 * (dev_seq_printf_stats).
 *
 *   deno run --allow-read --allow-write tests/_tools/gen_net_fixture.ts router host
 *
 * @module
 */

import { OPERSTATES, STATS64 } from "../../src/datamodel/providers/linux/netlink_messages.ts";

interface Address {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
  label?: string;
  dynamic?: boolean;
  tentative?: boolean;
  deprecated?: boolean;
  dadfailed?: boolean;
  nodad?: boolean;
  mngtmpaddr?: boolean;
  valid_life_time?: number;
  preferred_life_time?: number;
}
interface Link {
  ifindex: number;
  ifname: string;
  address?: string;
  addr_info: Address[];
}
interface Neighbour {
  dst: string;
  dev: string;
  lladdr?: string;
  router?: boolean;
  state: string[];
}

const NUD: Record<string, number> = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
};
const SCOPE: Record<string, number> = { global: 0, site: 200, link: 253, host: 254 };

function ipBytes(text: string): number[] {
  if (!text.includes(":")) return text.split(".").map(Number);
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) =>
    Number.parseInt(g, 16)
  );
  return groups.flatMap((g) => [g >> 8, g & 255]);
}

const u16 = (n: number) => [n & 255, (n >> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const pad = (b: number[]) => [...b, ...Array((4 - (b.length % 4)) % 4).fill(0)];
const attr = (type: number, data: number[]) =>
  pad([...u16(4 + data.length), ...u16(type), ...data]);
function message(type: number, flags: number, body: number[]): number[] {
  return [...u32(16 + body.length), ...u16(type), ...u16(flags), ...u32(1), ...u32(0), ...body];
}
const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, "0")).join("");

function addressFlags(a: Address): number {
  let f = a.dynamic ? 0 : 0x80;
  if (a.nodad) f |= 0x02;
  if (a.dadfailed) f |= 0x08;
  if (a.deprecated) f |= 0x20;
  if (a.tentative) f |= 0x40;
  if (a.mngtmpaddr) f |= 0x100;
  return f;
}

async function generate(name: string): Promise<void> {
  const root = new URL(`../testdata/linux/${name}/`, import.meta.url).pathname;
  const read = (p: string) => Deno.readTextFile(root + p);
  const links: Link[] = JSON.parse(await read("run/ip -j addr"));
  const neighbours: Neighbour[] = JSON.parse(await read("run/ip -j neigh"));
  const indexOf = new Map(links.map((l) => [l.ifname, l.ifindex]));
  const all = links.flatMap((l) => l.addr_info.map((a) => ({ link: l, a })));
  const v4 = all.filter(({ a }) => a.family === "inet");
  const v6 = all.filter(({ a }) => a.family === "inet6");

  const addrLines = ["# RTM_NEWADDR messages of an RTM_GETADDR dump, then NLMSG_DONE"];
  for (const { link, a } of [...v4, ...v6]) {
    const family = a.family === "inet" ? 2 : 10;
    const flags = addressFlags(a);
    const raw = ipBytes(a.local);
    const body = [
      family,
      a.prefixlen,
      flags & 255,
      SCOPE[a.scope ?? "global"],
      ...u32(link.ifindex),
    ];
    const attrs = [
      ...attr(1, raw),
      ...(family === 2 ? attr(2, raw) : []),
      ...(a.label ? attr(3, [...new TextEncoder().encode(a.label), 0]) : []),
      ...attr(8, u32(flags)),
      ...attr(6, [
        ...u32(a.preferred_life_time ?? 4294967295),
        ...u32(a.valid_life_time ?? 4294967295),
        ...u32(0),
        ...u32(0),
      ]),
    ];
    addrLines.push(
      `# ${link.ifname} ${a.local}/${a.prefixlen}`,
      hex(message(20, 2, [...body, ...attrs])),
    );
  }
  addrLines.push("# NLMSG_DONE", hex(message(3, 2, u32(0))));

  const neighLines = ["# RTM_NEWNEIGH messages of an RTM_GETNEIGH dump, then NLMSG_DONE"];
  const ordered = [
    ...neighbours.filter((n) => !n.dst.includes(":")),
    ...neighbours.filter((n) => n.dst.includes(":")),
  ];
  for (const n of ordered) {
    const family = n.dst.includes(":") ? 10 : 2;
    const state = n.state.reduce((s, name) => s | (NUD[name] ?? 0), 0);
    const body = [
      family,
      0,
      0,
      0,
      ...u32(indexOf.get(n.dev) ?? 0),
      ...u16(state),
      n.router ? 0x80 : 0,
      1,
    ];
    const lladdr = n.lladdr?.split(":").map((h) => Number.parseInt(h, 16));
    const attrs = [...attr(1, ipBytes(n.dst)), ...(lladdr ? attr(2, lladdr) : [])];
    neighLines.push(
      `# ${n.dev} ${n.dst} ${n.state.join(",")}`,
      hex(message(28, 2, [...body, ...attrs])),
    );
  }
  neighLines.push("# NLMSG_DONE", hex(message(3, 2, u32(0))));

  const inet6 = v6.map(({ link, a }) => {
    const scope = a.scope === "host" ? 0x10 : a.scope === "link" ? 0x20 : 0;
    const h2 = (n: number) => n.toString(16).padStart(2, "0");
    return `${hex(ipBytes(a.local))} ${h2(link.ifindex)} ${h2(a.prefixlen)} ${h2(scope)} ${
      h2(addressFlags(a))
    } ${link.ifname.padStart(8)}`;
  });

  const arp = ["IP address       HW type     Flags       HW address            Mask     Device"];
  for (const n of neighbours.filter((n) => !n.dst.includes(":"))) {
    const flags = n.state.includes("PERMANENT")
      ? 0x6
      : n.state.some((s) => ["REACHABLE", "STALE", "DELAY", "PROBE", "NOARP"].includes(s))
      ? 0x2
      : 0;
    const mac = (n.lladdr ?? "00:00:00:00:00:00").toLowerCase();
    arp.push(
      `${n.dst.padEnd(16)} 0x1         0x${flags.toString(16).padEnd(10)}${
        mac.padEnd(17)
      }     *        ${n.dev}`,
    );
  }

  const mask = (len: number) =>
    [24, 16, 8, 0].map((s) => ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0) >>> s) & 255)
      .join(".");
  const interfaces = all.map(({ link, a }) => ({
    family: a.family === "inet" ? "IPv4" : "IPv6",
    name: link.ifname,
    address: a.local,
    netmask: a.family === "inet" ? mask(a.prefixlen) : "ffff:".repeat(8).slice(0, -1),
    scopeid: a.family === "inet" ? null : 0,
    cidr: `${a.local}/${a.prefixlen}`,
    mac: link.address ?? "00:00:00:00:00:00",
  }));

  const dev = [
    "Inter-|   Receive                                                |  Transmit",
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
  ];
  for (const entry of [...Deno.readDirSync(root + "sys/class/net")].map((e) => e.name).sort()) {
    const stat = (file: string) => {
      try {
        return BigInt(
          Deno.readTextFileSync(`${root}sys/class/net/${entry}/statistics/${file}`).trim(),
        );
      } catch {
        return 0n;
      }
    };
    const sum = (...files: string[]) => files.reduce((t, f) => t + stat(f), 0n);
    const columns = [
      stat("rx_bytes"),
      stat("rx_packets"),
      stat("rx_errors"),
      sum("rx_dropped", "rx_missed_errors"),
      stat("rx_fifo_errors"),
      sum("rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors"),
      stat("rx_compressed"),
      stat("multicast"),
      stat("tx_bytes"),
      stat("tx_packets"),
      stat("tx_errors"),
      stat("tx_dropped"),
      stat("tx_fifo_errors"),
      stat("collisions"),
      sum("tx_carrier_errors", "tx_aborted_errors", "tx_window_errors", "tx_heartbeat_errors"),
      stat("tx_compressed"),
    ];
    dev.push(`${entry.padStart(6)}: ${columns.join(" ")}`);
  }

  const linkLines = ["# RTM_NEWLINK messages of an RTM_GETLINK dump, then NLMSG_DONE"];
  const sysLinks = [...Deno.readDirSync(root + "sys/class/net")].map((e) => {
    const text = (file: string) => {
      try {
        return Deno.readTextFileSync(`${root}sys/class/net/${e.name}/${file}`).trim();
      } catch {
        return undefined;
      }
    };
    return { name: e.name, text, ifindex: Number(text("ifindex")) };
  }).sort((a, b) => a.ifindex - b.ifindex);
  for (const { name: ifname, text, ifindex } of sysLinks) {
    let flags = Number.parseInt(text("flags") ?? "0", 16);
    if (text("carrier") === "1") flags |= 0x10000 | 0x40; // IFF_LOWER_UP, IFF_RUNNING
    const stats = STATS64.flatMap((file) => {
      const v = BigInt(text(`statistics/${file}`) ?? "0");
      return [...u32(Number(v & 0xffffffffn)), ...u32(Number(v >> 32n))];
    });
    const mac = (text("address") ?? "").split(":").filter((h) => h !== "")
      .map((h) => Number.parseInt(h, 16));
    const body = [0, 0, ...u16(Number(text("type"))), ...u32(ifindex), ...u32(flags), ...u32(0)];
    const attrs = [
      ...attr(3, [...new TextEncoder().encode(ifname), 0]),
      ...attr(4, u32(Number(text("mtu") ?? 0))),
      ...attr(16, [Math.max(OPERSTATES.indexOf(text("operstate") ?? "unknown"), 0)]),
      ...(mac.length > 0 ? attr(1, mac) : []),
      ...attr(23, stats),
    ];
    linkLines.push(`# ${ifname}`, hex(message(16, 2, [...body, ...attrs])));
  }
  linkLines.push("# NLMSG_DONE", hex(message(3, 2, u32(0))));

  await Deno.mkdir(root + "netlink", { recursive: true });
  await Deno.writeTextFile(root + "netlink/RTM_GETLINK", linkLines.join("\n") + "\n");
  await Deno.mkdir(root + "proc/net", { recursive: true });
  await Deno.mkdir(root + "deno", { recursive: true });
  await Deno.writeTextFile(root + "netlink/RTM_GETADDR", addrLines.join("\n") + "\n");
  await Deno.writeTextFile(root + "netlink/RTM_GETNEIGH", neighLines.join("\n") + "\n");
  await Deno.writeTextFile(root + "proc/net/if_inet6", inet6.join("\n") + "\n");
  await Deno.writeTextFile(root + "proc/net/arp", arp.join("\n") + "\n");
  await Deno.writeTextFile(root + "proc/net/dev", dev.join("\n") + "\n");
  const v6Neighbours = ordered.filter((n) => n.dst.includes(":"));
  await Deno.writeTextFile(root + "run/ip -j -6 neigh", JSON.stringify(v6Neighbours) + "\n");
  await Deno.writeTextFile(
    root + "deno/network_interfaces.json",
    JSON.stringify(interfaces, null, 2) + "\n",
  );
}

for (const name of Deno.args) await generate(name);
