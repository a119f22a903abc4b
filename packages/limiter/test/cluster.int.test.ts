import { TEST_REDIS_URL, TestRedisCluster, deleteKeysByPrefix, uniqueId, waitFor } from "@secapi/testing";
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LimitDecision, RateLimiter, subjectKey, windowField } from "../src/index.js";
import { connect, hour, keySlot, minute, month } from "./limiter-fixtures.js";

const windows = [minute(5), hour(50), month(100)];

describe("Cluster-safe keys", () => {
  const prefix = `${uniqueId("rl")}:limiter`;
  let redis: Redis;

  beforeAll(async () => {
    redis = await connect(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("keeps every window of one subject in one key, tagged by the subject alone", async () => {
    const limiter = new RateLimiter({ redis, prefix, timeoutMs: 5000 });
    const subjects = ["user:8d1e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a", "ip:203.0.113.0/24", "ip:2001:db8:1234::/64"];
    for (const subject of subjects) await limiter.check({ subject, windows });
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    // Besides the subjects' keys, only the set through which limiter processes count each other.
    const subjectKeys = keys.filter((key) => key !== `${prefix}:processes`);
    expect(subjectKeys).toHaveLength(subjects.length);
    for (const subject of subjects) {
      const own = subjectKeys.filter((key) => key.includes(`{${subject}}`));
      expect(own).toHaveLength(1);
      expect(own[0]?.match(/[{}]/g)).toEqual(["{", "}"]);
      expect(keySlot(own[0] ?? "")).toBe(keySlot(`{${subject}}`));
      expect((await redis.hkeys(own[0] ?? "")).sort()).toEqual([...windows.map((w) => windowField(w, Date.now())), "x"].sort());
    }
    limiter.close();
  });
});

describe("a real Redis Cluster", () => {
  let nodes: TestRedisCluster;
  let cluster: Cluster;

  beforeAll(async () => {
    nodes = await TestRedisCluster.start();
    cluster = nodes.connect({ clusterRetryStrategy: () => 100 });
    await waitFor(async () => cluster.status === "ready" && (await cluster.cluster("INFO")).includes("cluster_state:ok"), {
      timeoutMs: 60_000,
      what: "the cluster to be ready",
    });
  });

  afterAll(() => nodes?.stop());

  it("computes slots as the cluster does", async () => {
    for (const key of [subjectKey("secapi:rl", "user:1"), "no-tag", "{}empty-tag", "a{b}{c}"]) {
      expect(keySlot(key)).toBe(await cluster.cluster("KEYSLOT", key));
    }
  });

  it("checks all windows in one script on whichever node owns the subject, exactly", async () => {
    const limiter = new RateLimiter({ redis: cluster, failMode: "closed", timeoutMs: 5000 });
    const subjects = Array.from({ length: 12 }, () => `user:${uniqueId()}`);
    const decisions = await Promise.all(
      subjects.flatMap((subject) => Array.from({ length: 15 }, () => limiter.check({ subject, windows }))),
    );
    expect(decisions.filter((d: LimitDecision) => d.outcome === "unavailable")).toEqual([]);
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(subjects.length * 5);
    const owners = new Set(
      await Promise.all(
        subjects.map(async (subject) => {
          const slot = keySlot(`{${subject}}`);
          const shards = await cluster.cluster("SLOTS");
          return shards.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
        }),
      ),
    );
    expect(owners.size).toBeGreaterThan(1);
    await limiter.refund(subjects[0] ?? "", windows, 5);
    expect(await limiter.check({ subject: subjects[0] ?? "", windows, peek: true })).toMatchObject({
      windows: [{ used: 0 }, { used: 0 }, { used: 0 }],
    });
  });
});
