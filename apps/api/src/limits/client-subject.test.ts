import { describe, expect, it } from "vitest";
import { clientSubject } from "./client-subject.js";

describe("clientSubject", () => {
  it.each([
    ["203.0.113.7", "ip:203.0.113.7"],
    ["::ffff:203.0.113.7", "ip:203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "ip:2001:db8:1:2::/64"],
    ["2001:db8::1", "ip:2001:db8:0:0::/64"],
    ["::1", "ip:0:0:0:0::/64"],
    ["fe80::1%eth0", "ip:fe80:0:0:0::/64"],
    [undefined, "ip:unknown"],
    ["not an ip", "ip:unknown"],
  ])("%s → %s", (ip, subject) => {
    expect(clientSubject(ip)).toBe(subject);
  });

  it("gives every address of one /64 the same subject and another /64 another", () => {
    expect(clientSubject("2001:db8:aa:bb::1")).toBe(clientSubject("2001:db8:aa:bb:ffff:ffff:ffff:ffff"));
    expect(clientSubject("2001:db8:aa:bb::1")).not.toBe(clientSubject("2001:db8:aa:bc::1"));
  });
});
