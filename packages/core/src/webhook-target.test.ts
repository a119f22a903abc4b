import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  type HostResolver,
  WebhookHostUnresolvedError,
  WebhookTargetForbiddenError,
  forbiddenAddressReason,
  pinnedLookup,
  resolveWebhookTarget,
} from "./webhook-target.js";

const noDns: HostResolver = () => Promise.reject(new Error("the resolver must not be asked"));
const resolvesTo =
  (...addresses: string[]): HostResolver =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));

async function refusal(url: string, resolve: HostResolver = noDns): Promise<string> {
  const error = await resolveWebhookTarget(url, { allowPrivate: false, resolve }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookTargetForbiddenError);
  return (error as WebhookTargetForbiddenError).message;
}

describe("forbiddenAddressReason", () => {
  it.each([
    ["127.0.0.1", "a loopback"],
    ["127.255.0.9", "a loopback"],
    ["::1", "a loopback"],
    ["10.0.0.1", "a private"],
    ["172.16.0.1", "a private"],
    ["172.31.255.255", "a private"],
    ["192.168.1.1", "a private"],
    ["fc00::1", "a private (unique local)"],
    ["fd12:3456::1", "a private (unique local)"],
    ["169.254.169.254", "a link-local"],
    ["fe80::1", "a link-local"],
    ["0.0.0.0", "an unspecified"],
    ["::", "an unspecified"],
    ["100.64.0.1", "a carrier-grade NAT (shared)"],
    ["100.127.255.254", "a carrier-grade NAT (shared)"],
    ["224.0.0.1", "a multicast"],
    ["ff02::1", "a multicast"],
    ["255.255.255.255", "a broadcast"],
    ["240.0.0.1", "a reserved (reserved)"],
    ["192.0.2.1", "a reserved (reserved)"],
    ["2001:db8::1", "a reserved (reserved)"],
    ["::ffff:127.0.0.1", "a loopback"],
    ["::ffff:7f00:1", "a loopback"],
    ["::ffff:10.1.2.3", "a private"],
    ["::ffff:169.254.169.254", "a link-local"],
    ["64:ff9b::a9fe:a9fe", "a link-local"],
    ["64:ff9b::7f00:1", "a loopback"],
  ])("refuses %s as %s address", (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.255.0.1",
    "11.0.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("allows the public address %s", (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });
});

describe("resolveWebhookTarget", () => {
  it.each([
    ["http://127.0.0.1:6379/", "127.0.0.1 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://017700000001/", "127.0.0.1 is a loopback address"],
    ["http://[::1]:8000/api/v1/admin/users", "::1 is a loopback address"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address"],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "is a link-local address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254 is a link-local address"],
    ["https://10.1.2.3/hook", "10.1.2.3 is a private address"],
    ["http://0/", "0.0.0.0 is an unspecified address"],
    ["http://[::]/", ":: is an unspecified address"],
    ["http://100.100.100.200/", "carrier-grade NAT"],
    ["http://[fd00:ec2::254]/", "unique local"],
    ["http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata service"],
    ["http://METADATA.google.internal./", "metadata.google.internal is a cloud metadata service"],
    ["http://instance-data/latest/", "instance-data is a cloud metadata service"],
  ])("refuses %s (%s) without asking DNS", async (url, because) => {
    const message = await refusal(url);
    expect(message).toContain(because);
    expect(message).toContain("WEBHOOK_ALLOW_PRIVATE");
  });

  it("refuses a hostname when any of its addresses is not public, naming it", async () => {
    expect(await refusal("https://hooks.example.test/x", resolvesTo("127.0.0.1"))).toBe(
      "webhook URL host hooks.example.test resolves to 127.0.0.1, a loopback address: webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=true allows private ones, e.g. in development)",
    );
    expect(await refusal("https://hooks.example.test/x", resolvesTo("93.184.215.14", "10.0.0.7"))).toContain(
      "resolves to 10.0.0.7, a private",
    );
    expect(await refusal("https://hooks.example.test/x", resolvesTo("2606:4700::1", "::ffff:169.254.169.254"))).toContain("a link-local");
  });

  it("refuses localhost as the system resolver answers it", async () => {
    const error = await resolveWebhookTarget("http://localhost:8000/", { allowPrivate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookTargetForbiddenError);
    expect((error as Error).message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
  });

  it("returns the URL and every resolved address of an allowed host, resolved once", async () => {
    let asked = 0;
    const target = await resolveWebhookTarget("https://hooks.example.test/secapi?x=1", {
      allowPrivate: false,
      resolve: async (host) => {
        asked++;
        expect(host).toBe("hooks.example.test");
        return [
          { address: "93.184.215.14", family: 4 },
          { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
        ];
      },
    });
    expect(asked).toBe(1);
    expect(target.url.href).toBe("https://hooks.example.test/secapi?x=1");
    expect(target.addresses.map((a) => a.address)).toEqual(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
    const literal = await resolveWebhookTarget("http://[2606:4700:4700::1111]:8443/", { allowPrivate: false, resolve: noDns });
    expect(literal.addresses).toEqual([{ address: "2606:4700:4700::1111", family: 6 }]);
  });

  it("allows private addresses and metadata hosts with allowPrivate, still pinning what it resolved", async () => {
    const target = await resolveWebhookTarget("http://receiver.internal:9000/hook", {
      allowPrivate: true,
      resolve: resolvesTo("10.0.0.5"),
    });
    expect(target.addresses).toEqual([{ address: "10.0.0.5", family: 4 }]);
    const loopback = await resolveWebhookTarget("http://127.0.0.1:9000/", { allowPrivate: true, resolve: noDns });
    expect(loopback.addresses).toEqual([{ address: "127.0.0.1", family: 4 }]);
  });

  it.each([
    ["ftp://example.com/", "must be http or https"],
    ["file:///etc/passwd", "must be http or https"],
    ["gopher://127.0.0.1:6379/_FLUSHALL", "must be http or https"],
    ["https://user:secret@example.com/", "must not contain credentials"],
    ["https://token@example.com/", "must not contain credentials"],
    ["not a url", "not a valid URL"],
  ])("refuses %s whatever WEBHOOK_ALLOW_PRIVATE says", async (url, because) => {
    for (const allowPrivate of [false, true]) {
      const error = await resolveWebhookTarget(url, { allowPrivate, resolve: resolvesTo("93.184.215.14") }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebhookTargetForbiddenError);
      expect((error as Error).message).toContain(because);
    }
  });

  it("reports a host that does not resolve, answers nothing or too late as unresolved, not as forbidden", async () => {
    const failing: HostResolver = () =>
      Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), { code: "ENOTFOUND" }));
    const hanging: HostResolver = () => new Promise<LookupAddress[]>(() => undefined);
    for (const resolve of [failing, resolvesTo(), hanging]) {
      const error = await resolveWebhookTarget("https://nowhere.test/", { allowPrivate: false, resolve, lookupTimeoutMs: 50 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WebhookHostUnresolvedError);
      expect((error as Error).message).toContain("nowhere.test");
    }
  });
});

describe("pinnedLookup", () => {
  const addresses = [
    { address: "93.184.215.14", family: 4 },
    { address: "2606:2800::1", family: 6 },
  ];
  const call = (options: object) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      pinnedLookup(addresses)("ignored.example", options, (error, address, family) => resolve({ error, address, family })),
    );

  it("answers every lookup with the checked addresses, whatever the hostname", async () => {
    expect(await call({})).toEqual({ error: null, address: "93.184.215.14", family: 4 });
    expect(await call({ all: true })).toEqual({ error: null, address: addresses, family: undefined });
    expect(await call({ family: 6 })).toEqual({ error: null, address: "2606:2800::1", family: 6 });
    expect(await call({ family: "IPv6", all: true })).toEqual({ error: null, address: [addresses[1]], family: undefined });
  });

  it("fails, rather than resolving again, when no checked address has the family asked for", async () => {
    const only4 = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      pinnedLookup([{ address: "93.184.215.14", family: 4 }])("x", { family: 6 }, (error) => resolve(error)),
    );
    expect(only4?.code).toBe("ENOTFOUND");
  });
});
