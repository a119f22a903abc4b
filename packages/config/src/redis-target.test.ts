import { describe, expect, it } from "vitest";
import { queuePrefixes, redisTarget } from "./redis-target.js";

describe("redisTarget", () => {
  it("is one server unless the URL asks for a Cluster", () => {
    expect(redisTarget("redis://127.0.0.1:6379/1")).toEqual({ cluster: false });
    expect(redisTarget("redis://127.0.0.1:6379?cluster=false")).toEqual({ cluster: false });
  });

  it("reads a Cluster's seed nodes, credentials and TLS", () => {
    expect(redisTarget("rediss://app:p%40ss@redis-a:7000?cluster=true&nodes=redis-b:7001,[::1]:7002")).toEqual({
      cluster: {
        nodes: [
          { host: "redis-a", port: 7000 },
          { host: "redis-b", port: 7001 },
          { host: "::1", port: 7002 },
        ],
        auth: { username: "app", password: "p@ss" },
        tls: true,
      },
    });
    expect(redisTarget("redis://10.0.0.5?cluster=true")).toEqual({
      cluster: { nodes: [{ host: "10.0.0.5", port: 6379 }], auth: {}, tls: false },
    });
  });

  it("refuses what a Cluster cannot be, without printing the password", () => {
    expect(() => redisTarget("redis://:secret@redis-a:7000/2?cluster=true")).toThrow(/only database 0/);
    expect(() => redisTarget("redis://:secret@redis-a:7000/2?cluster=true")).not.toThrow(/secret/);
    expect(() => redisTarget("redis://redis-a:7000?cluster=true&nodes=redis-b")).toThrow(/not host:port/);
  });
});

describe("queuePrefixes", () => {
  it("gives each queue a hash tag of its own on a Cluster, so that queues spread over the masters", () => {
    const prefix = queuePrefixes("secapi", "redis://a:7000?cluster=true");
    expect(prefix("scans")).toBe("{secapi-scans}");
    expect(prefix("events")).toBe("{secapi-events}");
  });

  it("keeps a prefix with a hash tag of its own, and any prefix off a Cluster", () => {
    expect(queuePrefixes("{secapi}", "redis://a:7000?cluster=true")("scans")).toBe("{secapi}");
    expect(queuePrefixes("secapi", "redis://a:6379/0")("scans")).toBe("secapi");
  });
});
