import { isIPv4, isIPv6 } from "node:net";

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  const withoutZone = address.split("%")[0] ?? address;
  const [head = "", tail] = withoutZone.split("::");
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  return [...start, ...Array<number>(8 - start.length - end.length).fill(0), ...end];
}

/**
 * The rate-limit subject of an anonymous client. IPv4 addresses (also when IPv4-mapped) count alone;
 * IPv6 clients are keyed by their /64, since one host usually holds a whole /64 and could rotate
 * addresses inside it at will.
 */
export function clientSubject(ip: string | undefined): string {
  if (!ip) return "ip:unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return `ip:${mapped[1]}`;
  if (isIPv4(ip)) return `ip:${ip}`;
  if (isIPv6(ip)) {
    const prefix = ipv6Groups(ip)
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(":");
    return `ip:${prefix}::/64`;
  }
  return "ip:unknown";
}
