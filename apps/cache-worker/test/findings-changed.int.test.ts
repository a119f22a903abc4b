import type { Cache } from "@secapi/cache";
import { createUserWithKey, inputHash, scanView, sealInput, syncAdvisoryFeed } from "@secapi/core";
import { type Db, type InputKey, findScanResult, insertScan, listScansForUser, putScanInput, updateUserWebhook } from "@secapi/db";
import { type FindingsChangedNotification, type SecapiEvent, eventSchema } from "@secapi/events";
import type { PackageSet } from "@secapi/scanners";
import { FeedServer, npmAdvisory, waitFor } from "@secapi/testing";
import { type Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheWorkerContext } from "../src/context.js";
import { handleEvent } from "../src/handle-event.js";
import { rerunStoredResult } from "../src/rerun-result.js";
import { RERUN_QUEUE, createRerunProcessor } from "../src/watched-reruns.js";
import { type TestContext, type TestServices, createTestContext, openTestServices } from "./cache-worker-fixture.js";

let services: TestServices;
let db: Db;
let redis: Redis;
let prefix: string;
let context: TestContext;
let ctx: CacheWorkerContext;
let cache: Cache;
let webhooks: Queue;
let reruns: Queue;
let rerunWorker: Worker;
let feed: FeedServer;

beforeAll(async () => {
  services = await openTestServices("fc");
  ({ db, redis, prefix } = services);
  // No result is hot here: every re-run below happens because an owner has a webhook.
  context = await createTestContext(services, { rerunLimit: 0, rerunChunkSize: 2 });
  ({ ctx, cache, webhooks, reruns } = context);
  rerunWorker = new Worker(RERUN_QUEUE, createRerunProcessor(ctx), { connection: redis.duplicate(), prefix });
  feed = await new FeedServer().start();
});

afterAll(async () => {
  await rerunWorker.close();
  await context.close();
  await feed.stop();
  await services.close();
});

const sync = () => syncAdvisoryFeed({ db, baseUrl: feed.url, ecosystems: ["npm"], retries: 1, retryDelayMs: 10, timeoutMs: 5000 });

/** The events of a type written to the outbox after `afterId`, as consumers receive them. */
async function outboxEvents(type: SecapiEvent["type"], afterId = "0"): Promise<SecapiEvent[]> {
  const rows = await db
    .selectFrom("outbox")
    .select("payload")
    .where("job_name", "=", type)
    .where("id", ">", afterId)
    .orderBy("id")
    .execute();
  return rows.map((row) => eventSchema.parse(row.payload));
}

async function outboxHead(): Promise<string> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return String(row?.id ?? "0");
}

/** A stored, scanned npm input (as a completed scan leaves it) and a completed scan of it by each user given. */
async function scannedInput(packages: [string, string][], owners: string[]): Promise<{ key: InputKey; scans: Map<string, string> }> {
  const set: PackageSet = { packages: packages.map(([name, version]) => ({ ecosystem: "npm", name, version })), unchecked: [] };
  const key: InputKey = { scanType: "dependencies", ownerId: null, inputHash: inputHash(set) };
  await putScanInput(db, key, sealInput(ctx.scanInputKey, key, set));
  await rerunStoredResult(ctx, key);
  const resultId = (await findScanResult(db, key))!.id;
  const scans = new Map<string, string>();
  for (const userId of owners) {
    const scan = await insertScan(db, { userId, key, status: "completed", jobId: null, resultId });
    scans.set(userId, scan.id);
  }
  return { key, scans };
}

describe("scan.findings_changed", () => {
  it("announces each result whose findings an advisory change altered, once, to the webhooks of its owners", async () => {
    feed.put(
      npmAdvisory("GHSA-mod1", "is-odd", "2.0.0", "2024-01-01T00:00:00Z"),
      npmAdvisory("GHSA-wdr1", "pad-right", "3.0.0", "2024-01-02T00:00:00Z"),
      npmAdvisory("GHSA-keep", "left-pad", "0.5.0", "2024-01-03T00:00:00Z"),
    );
    expect(await sync()).toMatchObject({ status: "done", ecosystems: [{ mode: "full", outcome: "ok", imported: 3 }] });

    const hooked = async (email: string) => {
      const { user } = await createUserWithKey(db, { email, tier: "pro" });
      await updateUserWebhook(db, user.id, { url: `https://hooks.example.com/${user.id}`, secret: "whsec_test" });
      return user.id;
    };
    const alice = await hooked("alice@example.com");
    const bob = await hooked("bob@example.com");
    const carol = (await createUserWithKey(db, { email: "carol@example.com", tier: "pro" })).user.id;

    // left-pad 1.0.0 becomes vulnerable (a new advisory); alice and carol (no webhook) both scanned it.
    const newlyVulnerable = await scannedInput([["left-pad", "1.0.0"]], [alice, carol]);
    // is-odd 1.5.0 stops being affected (the advisory's range is corrected).
    const corrected = await scannedInput([["is-odd", "1.5.0"]], [bob]);
    // pad-right 1.0.0: its advisory is withdrawn.
    const withdrawn = await scannedInput([["pad-right", "1.0.0"]], [alice]);
    // left-pad 2.0.0 is touched by the change (same package) but affected by neither advisory: nothing to say.
    const untouched = await scannedInput([["left-pad", "2.0.0"]], [alice]);
    expect((await findScanResult(db, corrected.key))?.result).toMatchObject({ summary: { total: 1 } });

    // Cached views that must not keep showing the old state.
    const aliceScanView = ctx.keys.scan(newlyVulnerable.scans.get(alice)!);
    const aliceList = ctx.keys.user(alice, "scans:x");
    await cache.set(aliceScanView, { body: {} }, { ttl: 60, tags: [`scan:${newlyVulnerable.scans.get(alice)}`] });
    await cache.set(aliceList, { items: [] }, { ttl: 60, tags: [`user:${alice}`] });

    const before = await outboxHead();
    feed.put(
      npmAdvisory("GHSA-new1", "left-pad", "1.3.0", "2024-05-01T00:00:00Z"),
      npmAdvisory("GHSA-mod1", "is-odd", "2.0.0", "2024-05-02T00:00:00Z", {
        affected: [
          {
            package: { ecosystem: "npm", name: "is-odd" },
            ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.2.0" }] }],
          },
        ],
      }),
      npmAdvisory("GHSA-wdr1", "pad-right", "3.0.0", "2024-05-03T00:00:00Z", { withdrawn: "2024-05-03T00:00:00Z" }),
    );
    expect(await sync()).toMatchObject({ ecosystems: [{ mode: "incremental", outcome: "ok", imported: 3 }] });
    const updates = await outboxEvents("advisories.updated", before);
    expect(updates).toHaveLength(1);

    // Every affected result with a webhook owner is queued for a re-run, in chunks, however cold.
    const outcome = await handleEvent(ctx, updates[0]!);
    expect(outcome.queued).toBe(4);
    await waitFor(async () => (await reruns.getJobCounts("completed")).completed === 2, { timeoutMs: 30_000, what: "the re-run chunks" });

    const changes = await outboxEvents("scan.findings_changed", before);
    const byScan = new Map(changes.map((e) => [(e.data as { scanIds: string[] }).scanIds.slice().sort().join(","), e]));
    expect(changes).toHaveLength(3);
    const ids = (scans: Map<string, string>) => [...scans.values()].sort().join(",");
    expect(byScan.get(ids(newlyVulnerable.scans))?.data).toMatchObject({
      userIds: expect.arrayContaining([alice, carol]),
      added: [{ id: "GHSA-new1", ecosystem: "npm", package: "left-pad", version: "1.0.0" }],
      removed: [],
    });
    expect(byScan.get(ids(corrected.scans))?.data).toMatchObject({
      userIds: [bob],
      added: [],
      removed: [{ id: "GHSA-mod1", package: "is-odd", version: "1.5.0" }],
    });
    expect(byScan.get(ids(withdrawn.scans))?.data).toMatchObject({ userIds: [alice], removed: [{ id: "GHSA-wdr1" }] });
    expect(byScan.has(ids(untouched.scans))).toBe(false);

    // The scans are marked, and the list shows it; the untouched one is not.
    const aliceItems = await listScansForUser(db, alice, { limit: 20 });
    const changedAt = (scanId: string) => scanView(aliceItems.find((item) => item.id === scanId)!).findings_changed_at;
    expect(changedAt(newlyVulnerable.scans.get(alice)!)).toEqual(expect.any(String));
    expect(changedAt(withdrawn.scans.get(alice)!)).toEqual(expect.any(String));
    expect(changedAt(untouched.scans.get(alice)!)).toBeNull();

    // Consumed: one notice per owner with a webhook, with only that owner's scans; carol has none.
    for (const event of changes) await handleEvent(ctx, event);
    expect(await redis.exists(`${prefix}:${aliceScanView}`, `${prefix}:${aliceList}`)).toBe(0);
    const notices = async () =>
      (await webhooks.getJobs(["waiting", "delayed", "active", "completed"])).map((j) => j.data as FindingsChangedNotification);
    const delivered = await notices();
    expect(delivered).toHaveLength(3);
    expect(delivered.filter((n) => n.user_id === carol)).toEqual([]);
    const aliceNew = delivered.find((n) => n.user_id === alice && n.added.length > 0)!;
    expect(aliceNew).toMatchObject({ type: "scan.findings_changed", scan_ids: [newlyVulnerable.scans.get(alice)], removed: [] });
    expect(aliceNew.added.map((f) => f.id)).toEqual(["GHSA-new1"]);
    expect(delivered.find((n) => n.user_id === bob)).toMatchObject({
      scan_ids: [corrected.scans.get(bob)],
      removed: [{ id: "GHSA-mod1" }],
    });

    // Redelivery (at least once): the same events again fire nothing new, and no result changes twice.
    const head = await outboxHead();
    for (const event of [...updates, ...changes]) await handleEvent(ctx, event);
    await waitFor(async () => (await reruns.getJobCounts("waiting", "active")).waiting === 0, { timeoutMs: 30_000, what: "re-runs" });
    expect(await notices()).toHaveLength(3);
    expect(await outboxEvents("scan.findings_changed", head)).toEqual([]);
  });

  it("a user without a webhook is re-run only if hot, and gets no delivery", async () => {
    const dave = (await createUserWithKey(db, { email: "dave@example.com", tier: "pro" })).user.id;
    const cold = await scannedInput([["kind-of", "6.0.2"]], [dave]);
    const before = await outboxHead();
    feed.put(npmAdvisory("GHSA-kind", "kind-of", "6.0.3", "2024-06-01T00:00:00Z"));
    await sync();
    const [update] = await outboxEvents("advisories.updated", before);
    // Its cached result is dropped, nothing is queued or re-run.
    expect(await handleEvent(ctx, update!)).toEqual({ invalidated: 1, warmed: 0 });
    // Not re-run (cold, no webhook): the stored result is no longer current, so it is never served as is.
    expect((await findScanResult(db, cold.key))?.current).toBe(false);
    expect(await outboxEvents("scan.findings_changed", before)).toEqual([]);
    const jobsForDave = (await webhooks.getJobs(["waiting", "delayed", "completed"])).filter((j) => j.data.user_id === dave);
    expect(jobsForDave).toEqual([]);
  });
});
