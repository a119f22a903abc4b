import { randomUUID } from "node:crypto";
import type { Cache } from "@secapi/cache";
import { createUserWithKey, inputHash, sealInput, storeAdvisories } from "@secapi/core";
import { type Db, type InputKey, insertScan, putScanInput, upsertScanResult } from "@secapi/db";
import { createEvent } from "@secapi/events";
import { type PackageSet, parseAdvisory } from "@secapi/scanners";
import { REPO_ROOT, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheWorkerContext } from "../src/context.js";
import { createEventProcessor } from "../src/event-processor.js";
import { handleEvent } from "../src/handle-event.js";
import { warmHotKeys } from "../src/warm.js";
import { type TestContext, type TestServices, createTestContext, openTestServices } from "./cache-worker-fixture.js";

let services: TestServices;
let db: Db;
let redis: Redis;
let context: TestContext;
let ctx: CacheWorkerContext;
let cache: Cache;
let userId: string;

beforeAll(async () => {
  services = await openTestServices("cw");
  ({ db, redis } = services);
  context = await createTestContext(services, { rerunLimit: 20, rerunChunkSize: 50 });
  ({ ctx, cache } = context);
  userId = (await createUserWithKey(db, { email: "cw@example.com", tier: "pro" })).user.id;
});

afterAll(async () => {
  await context.close();
  await services.close();
});

const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };
const exists = async (key: string) => (await redis.exists(key)) === 1;

/** A completed secrets scan in Postgres, as the scan-worker leaves it. */
async function completedScan(): Promise<{ scanId: string; key: InputKey }> {
  const key: InputKey = { scanType: "secrets", ownerId: userId, inputHash: inputHash({ n: randomUUID() }) };
  const resultId = await upsertScanResult(db, key, RESULT, []);
  const scanId = randomUUID();
  await insertScan(db, { id: scanId, userId, key, status: "completed", jobId: null, resultId });
  return { scanId, key };
}

describe("cache-worker events", () => {
  it("scan.completed drops the user's lists and warms the scan view and the result, so both read as HITs", async () => {
    const { scanId, key } = await completedScan();
    const listKey = ctx.keys.user(userId, "scans:x");
    await cache.set(listKey, { items: [] }, { ttl: 60, tags: [`user:${userId}`] });
    const event = createEvent("scan.completed", { scanId, userId, type: "secrets", inputHash: key.inputHash, tags: [] });

    const outcome = await handleEvent(ctx, event);
    expect(outcome).toEqual({ invalidated: 1, warmed: 2 });
    expect(await exists(listKey)).toBe(false);
    expect((await cache.get(ctx.keys.scan(scanId))).value).toMatchObject({
      userId,
      status: "completed",
      body: { id: scanId, result: RESULT },
    });
    expect((await cache.get(ctx.keys.result(key))).value).toMatchObject({ result: RESULT });

    // A redelivered event changes nothing that matters.
    expect((await handleEvent(ctx, event)).warmed).toBe(2);
    expect(await exists(ctx.keys.scan(scanId))).toBe(true);
  });

  it("scan.deleted, user.tier_changed and api_key.revoked drop what carries the scan's, the user's or the principal tag", async () => {
    const { scanId } = await completedScan();
    await handleEvent(ctx, createEvent("scan.completed", { scanId, userId, type: "secrets", inputHash: "a".repeat(64), tags: [] }));
    await handleEvent(ctx, createEvent("scan.deleted", { scanId, userId }));
    expect(await exists(ctx.keys.scan(scanId))).toBe(false);

    for (const event of [
      createEvent("user.tier_changed", { userId, from: "free", to: "pro" }),
      createEvent("api_key.revoked", { userId, keyId: randomUUID() }),
    ]) {
      const authKey = ctx.keys.auth(uniqueId("k").padEnd(64, "0"));
      const statsKey = ctx.keys.user(userId, "stats");
      await cache.set(authKey, { userId, tier: "free" }, { ttl: 60, tags: [`principal:${userId}`] });
      await cache.set(statsKey, { total: 1 }, { ttl: 60, tags: [`user:${userId}`] });
      expect((await handleEvent(ctx, event)).invalidated).toBeGreaterThanOrEqual(2);
      expect(await exists(authKey)).toBe(false);
      expect(await exists(statsKey)).toBe(false);
    }
  });

  it("scan.created drops the user's lists only", async () => {
    const other = (await createUserWithKey(db, { email: "other@example.com", tier: "pro" })).user.id;
    const mine = ctx.keys.user(userId, "stats");
    const theirs = ctx.keys.user(other, "stats");
    await cache.set(mine, {}, { ttl: 60, tags: [`user:${userId}`] });
    await cache.set(theirs, {}, { ttl: 60, tags: [`user:${other}`] });
    const principal = ctx.keys.auth(uniqueId("k").padEnd(64, "0"));
    await cache.set(principal, { userId, tier: "free" }, { ttl: 60, tags: [`principal:${userId}`] });
    await handleEvent(ctx, createEvent("scan.created", { scanId: randomUUID(), userId, type: "secrets", inputHash: "b".repeat(64) }));
    expect(await exists(mine)).toBe(false);
    expect(await exists(theirs)).toBe(true);
    // A submission does not change who the user is: their cached principal stays.
    expect(await exists(principal)).toBe(true);
  });

  it("refuses an event that does not match its schema, without retrying", async () => {
    const processor = createEventProcessor(ctx);
    await expect(processor({ id: "1", name: "scan.created", data: { type: "scan.created", data: {} } } as never)).rejects.toThrow(/schema/);
  });
});

describe("advisories.updated", () => {
  const osv = (id: string) => parseAdvisory(JSON.parse(readFileSync(`${REPO_ROOT}packages/scanners/test/fixtures/osv/${id}.json`, "utf8")));

  /** A dependency result in Postgres (and its kept input), cached, as after a completed scan. */
  async function dependencyResult(packages: PackageSet["packages"]): Promise<InputKey> {
    const set: PackageSet = { packages, unchecked: [] };
    const key: InputKey = { scanType: "dependencies", ownerId: null, inputHash: inputHash(set) };
    await putScanInput(db, key, sealInput(ctx.scanInputKey, key, set));
    const tags = packages.map((p) => `pkg:${p.ecosystem}/${p.name}`);
    await upsertScanResult(db, key, RESULT, tags);
    await cache.set(ctx.keys.result(key), { resultId: "stale", result: RESULT, computedAt: new Date().toISOString() }, { ttl: 3600, tags });
    return key;
  }

  it("drops exactly the results containing the packages and re-runs the hot ones against the new advisories", async () => {
    const hot = await dependencyResult([{ ecosystem: "npm", name: "lodash", version: "4.17.20" }]);
    const cold = await dependencyResult([
      { ecosystem: "npm", name: "lodash", version: "4.17.15" },
      { ecosystem: "npm", name: "react", version: "18.2.0" },
    ]);
    const unrelated = await dependencyResult([{ ecosystem: "npm", name: "minimist", version: "1.2.5" }]);
    ctx.hotKeys.touch(ctx.keys.result(hot));
    await ctx.hotKeys.flush();

    await storeAdvisories(db, [osv("GHSA-35jh-r3h4-6jhm")]);
    const outcome = await handleEvent(ctx, createEvent("advisories.updated", { ecosystem: "npm", packages: ["lodash", "lodash-es"] }));
    expect(outcome).toEqual({ invalidated: 2, warmed: 1 });

    const rerun = await cache.get<{ result: { findings: { id: string; fixed_in: string }[] } }>(ctx.keys.result(hot));
    expect(rerun.value?.result.findings.map((f) => `${f.id} ${f.fixed_in}`)).toEqual(["GHSA-35jh-r3h4-6jhm 4.17.21"]);
    expect(await exists(ctx.keys.result(cold))).toBe(false);
    expect(await exists(ctx.keys.result(unrelated))).toBe(true);
    // The stored result was replaced too: what the next scan view shows.
    const stored = await db.selectFrom("scan_results").select("result").where("input_hash", "=", hot.inputHash).executeTakeFirstOrThrow();
    expect((stored.result as { summary: { high: number } }).summary.high).toBe(1);
  });
});

describe("warming", () => {
  it("refills the hottest keys that are missing, and leaves cold ones alone", async () => {
    const hot = await completedScan();
    const cold = await completedScan();
    for (let i = 0; i < 5; i++) ctx.hotKeys.touch(ctx.keys.scan(hot.scanId));
    await ctx.hotKeys.flush();
    const result = await warmHotKeys(ctx, { limit: 50 });
    expect(result.warmed).toBeGreaterThanOrEqual(1);
    expect(await exists(ctx.keys.scan(hot.scanId))).toBe(true);
    expect(await exists(ctx.keys.scan(cold.scanId))).toBe(false);
    // Already warm and far from expiry: left as is.
    expect((await warmHotKeys(ctx, { limit: 50 })).warmed).toBe(0);
  });

  it("decays scores so yesterday's hot keys cool off", async () => {
    const key = ctx.keys.scan(randomUUID());
    for (let i = 0; i < 4; i++) ctx.hotKeys.touch(key);
    expect((await ctx.hotKeys.scores([key])).get(key)).toBe(0);
    await ctx.hotKeys.flush();
    expect((await ctx.hotKeys.scores([key])).get(key)).toBe(4);
    await ctx.hotKeys.decay(0.5);
    expect((await ctx.hotKeys.scores([key])).get(key)).toBe(2);
    await ctx.hotKeys.decay(0.1);
    expect((await ctx.hotKeys.scores([key])).get(key)).toBe(0);
  });
});
