import type { LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { type LookupFunction, isIP } from "node:net";
import { withTimeout } from "@secapi/toolkit";
import ipaddr from "ipaddr.js";

/**
 * Hostnames of cloud instance-metadata services. They resolve to link-local addresses (refused anyway) on the
 * cloud itself, but are refused by name too, so a resolver that answers differently cannot open them up.
 */
const METADATA_HOSTS = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

const RANGE_DESCRIPTIONS: Record<string, string> = {
  loopback: "a loopback",
  private: "a private",
  uniqueLocal: "a private (unique local)",
  linkLocal: "a link-local",
  unspecified: "an unspecified",
  carrierGradeNat: "a carrier-grade NAT (shared)",
  multicast: "a multicast",
  broadcast: "a broadcast",
};

const ALLOW_PRIVATE_HINT = "webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=true allows private ones, e.g. in development)";

/** A webhook URL SecAPI will not call: wrong scheme, credentials, or a host that is or resolves to a non-public address. */
export class WebhookTargetForbiddenError extends Error {
  readonly code = "webhook_url_forbidden";
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetForbiddenError";
  }
}

/** The webhook URL's host did not resolve (now): not a verdict on the URL, try again later. */
export class WebhookHostUnresolvedError extends Error {
  readonly code = "webhook_host_unresolved";
  constructor(host: string, reason: string) {
    super(`webhook host ${host} did not resolve: ${reason}`);
    this.name = "WebhookHostUnresolvedError";
  }
}

/** Resolves a hostname to every address it has (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export interface WebhookTargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: skip the address checks (scheme and credentials are still checked). */
  allowPrivate: boolean;
  /** Defaults to the system resolver (`dns.lookup`, so /etc/hosts counts). */
  resolve?: HostResolver;
  lookupTimeoutMs?: number;
}

/** A checked webhook URL and the addresses its host resolved to, every one of them allowed: connect only to these. */
export interface WebhookTarget {
  url: URL;
  addresses: LookupAddress[];
}

const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** The IPv4 address an IPv6 address stands for (mapped, translated, or NAT64 well-known prefix), if any. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range: string = ip.range();
  const nat64WellKnown = range === "rfc6052" && ip.match(ipaddr.IPv6.parse("64:ff9b::"), 96);
  if (range !== "ipv4Mapped" && range !== "rfc6145" && !nat64WellKnown) return undefined;
  const [high = 0, low = 0] = ip.parts.slice(6);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * Why a webhook may not call `address` ("a loopback", "a private", …), or undefined for a public unicast address.
 * IPv6 forms of an IPv4 address (`::ffff:127.0.0.1`, NAT64 `64:ff9b::a00:1`) are judged as that IPv4 address.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "not an IP";
  const parsed = ipaddr.parse(address);
  const ip = parsed.kind() === "ipv6" ? (embeddedIPv4(parsed as ipaddr.IPv6) ?? parsed) : parsed;
  const range: string = ip.range();
  if (range === "unicast") return undefined;
  return RANGE_DESCRIPTIONS[range] ?? `a reserved (${range})`;
}

function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetForbiddenError("webhook URL is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new WebhookTargetForbiddenError("webhook URL must be http or https");
  // fetch refuses them, and a receiver authenticates deliveries by their signature instead.
  if (url.username || url.password) throw new WebhookTargetForbiddenError("webhook URL must not contain credentials (user:password@)");
  return url;
}

async function resolveWithin(host: string, resolve: HostResolver, timeoutMs: number): Promise<LookupAddress[]> {
  try {
    const resolving = Promise.resolve().then(() => resolve(host));
    const addresses = await withTimeout(
      resolving,
      timeoutMs,
      () => new WebhookHostUnresolvedError(host, `no answer within ${timeoutMs} ms`),
    );
    if (addresses.length === 0) throw new WebhookHostUnresolvedError(host, "no addresses");
    return addresses;
  } catch (error) {
    if (error instanceof WebhookHostUnresolvedError) throw error;
    throw new WebhookHostUnresolvedError(host, (error as Error).message);
  }
}

/**
 * Checks a webhook URL and resolves its host once: http(s) only, no credentials, and unless `allowPrivate`, no
 * metadata hostname and no address that is loopback, private, link-local, unspecified, CGNAT, multicast, broadcast
 * or reserved — every resolved address must pass. Connect with `pinnedLookup(target.addresses)` so that a second
 * resolution (DNS rebinding) cannot swap in another address. The URL parser has already normalised IPv4 literals
 * in decimal, octal or hex (`http://2130706433/`, `http://0x7f.1/` are 127.0.0.1).
 * @throws WebhookTargetForbiddenError, WebhookHostUnresolvedError
 */
export async function resolveWebhookTarget(raw: string, policy: WebhookTargetPolicy): Promise<WebhookTarget> {
  const url = parseWebhookUrl(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (!policy.allowPrivate && METADATA_HOSTS.has(host)) {
    throw new WebhookTargetForbiddenError(`webhook URL host ${host} is a cloud metadata service: ${ALLOW_PRIVATE_HINT}`);
  }
  const family = isIP(host);
  const addresses = family
    ? [{ address: host, family }]
    : await resolveWithin(host, policy.resolve ?? systemResolver, policy.lookupTimeoutMs ?? 5000);
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address);
      if (!reason) continue;
      const what = family ? `webhook URL host ${address} is` : `webhook URL host ${host} resolves to ${address},`;
      throw new WebhookTargetForbiddenError(`${what} ${reason} address: ${ALLOW_PRIVATE_HINT}`);
    }
  }
  return { url, addresses };
}

/** A `lookup` for http.request / net.connect that answers only with the given (checked) addresses. */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
    const usable = addresses.filter((a) => !family || a.family === family);
    const first = usable[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`no checked IPv${family} address for ${hostname}`);
      error.code = "ENOTFOUND";
      callback(error, "", 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, first.address, first.family);
    }
  };
}
