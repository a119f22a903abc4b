import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheKeys, loadScanViewEntry, parseAdvisories, storeAdvisories } from "@secapi/core";
import { findAdvisorySnapshot } from "@secapi/db";
import { type Advisory, type PackageRef, type ScanOutput, canonicalPackageSet, matchPackages } from "@secapi/scanners";
import { TestRedisServer, uniqueId, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "./api-fixture.js";

// docs/API.md "Current results": once an advisory affecting any package of a stored result is added, changed or withdrawn, that
// result is never served again (from any cache tier or from Postgres); the next submission runs the scan.

let api: TestApi;
let admin: { id: string; key: string };
beforeAll(async () => {
  api = await TestApi.start();
  admin = await api.createUser("business", "admin");
});
afterAll(() => api.close());

/** An OSV advisory of our own for `name`: every version below 2.0.0 affected. */
function osvFor(name: string, extra: Record<string, unknown> = {}) {
  return {
    id: uniqueId("TEST"),
    modified: new Date().toISOString(),
    summary: `${name} is vulnerable`,
    database_specific: { severity: "HIGH" },
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "2.0.0" }] }] }],
    ...extra,
  };
}

async function importThroughApi(target: TestApi, ...advisories: unknown[]) {
  const response = await target.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: advisories });
  expect(response.status).toBe(200);
  expect(response.body.imported).toBe(advisories.length);
  return response.body as { revision: number };
}

const submit = (target: TestApi, key: string, packages: PackageRef[]) =>
  target.request("POST", "/api/v1/scans", { key, body: { type: "dependencies", input: { packages } } });

/** Completes a run as the scan-worker does: matched against the advisories stored now, stored with the revision they reflect. */
async function completeAsWorker(target: TestApi, scanId: string, packages: PackageRef[], options: { cache?: boolean } = {}) {
  const set = canonicalPackageSet({ packages, unchecked: [] });
  const snapshot = await findAdvisorySnapshot(target.db, set.packages);
  const output: ScanOutput = matchPackages(set, snapshot.advisories as Advisory[]);
  await target.completeRun(scanId, output.result, {
    tags: output.tags,
    basis: { advisoryRevision: snapshot.revision, validUntil: output.validUntil },
    cache: options.cache,
  });
}

/** Submits a package list (a miss) and completes its run; resolves the scan id. */
async function scanAndComplete(target: TestApi, key: string, packages: PackageRef[], options: { cache?: boolean } = {}) {
  const submitted = await submit(target, key, packages);
  expect(submitted.status).toBe(202);
  await completeAsWorker(target, submitted.body.id, packages, options);
  return submitted.body.id as string;
}

const findingIds = (body: { result?: { findings: { id: string }[] } }) => (body.result?.findings ?? []).map((f) => f.id);

describe("a stored result is an answer only while it is current", () => {
  it("a scan a poll saw finish is never answered in flight again, even when its finished view cannot be cached", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "1.0.0" }];
    const submitted = await submit(api, user.key, packages);
    expect(submitted.status).toBe(202);
    const scanId = submitted.body.id as string;
    // The view as a reader cached it while the scan was queued (kept long here, as a busy L1 may).
    const queued = await loadScanViewEntry(api.db, scanId);
    await api.cache.set(new CacheKeys(api.cachePrefix).scan(scanId), queued?.entry, { ttl: 60, tags: queued?.tags ?? [] });
    // It finishes, and its result is outdated at once: an outdated view is never cached, so the poll's reload writes nothing.
    await completeAsWorker(api, scanId, packages, { cache: false });
    await importThroughApi(api, osvFor(name));

    const polled = await api.request("GET", `/api/v1/scans/${scanId}?wait=3`, { key: user.key });
    expect(polled.body).toMatchObject({ status: "completed", outdated: true });
    const reread = await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });
    expect(reread.body).toMatchObject({ status: "completed", outdated: true });
  });

  it("a cold result (in Postgres only) is not served once an advisory for one of its packages is imported", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "1.0.0" }];
    const scanId = await scanAndComplete(api, user.key, packages, { cache: false });
    const before = await submit(api, user.key, packages);
    expect(before.status).toBe(200);
    expect(before.body.cached).toBe(true);
    expect(findingIds(before.body)).toEqual([]);

    const advisory = osvFor(name);
    await importThroughApi(api, advisory);
    const after = await submit(api, user.key, packages);
    expect(after.status).toBe(202);
    expect(after.body.status).toBe("queued");

    // The scan that was answered with the old result no longer shows it, nor its summary in the list or stats.
    const view = await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });
    expect(view.body).toMatchObject({ id: scanId, status: "completed", outdated: true });
    expect(view.body.result).toBeUndefined();
    const list = await api.request("GET", "/api/v1/scans?status=completed", { key: user.key });
    const item = list.body.items.find((i: { id: string }) => i.id === scanId);
    expect(item).toMatchObject({ outdated: true });
    expect(item.summary).toBeUndefined();
    const stats = await api.request("GET", "/api/v1/stats", { key: user.key });
    expect(stats.body.outdated).toBe(2);
    expect(stats.body.findings_by_severity.total).toBe(0);

    // The new run's result is current: it answers, with the new advisory.
    await completeAsWorker(api, after.body.id, packages);
    const current = await submit(api, user.key, packages);
    expect(current.status).toBe(200);
    expect(findingIds(current.body)).toEqual([advisory.id]);
    const refreshed = await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });
    expect(refreshed.body.outdated).toBeUndefined();
    expect(findingIds(refreshed.body)).toEqual([advisory.id]);
  });

  it("a hot result (in this process's memory and in Redis) is not served once an advisory for one of its packages is imported", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [
      { ecosystem: "npm" as const, name, version: "1.2.3" },
      { ecosystem: "npm" as const, name: uniqueId("other"), version: "1.0.0" },
    ];
    const scanId = await scanAndComplete(api, user.key, packages);
    for (let i = 0; i < 3; i++) {
      const hit = await submit(api, user.key, packages);
      expect(hit.headers.get("x-cache-status")).toBe("HIT");
    }
    const view = await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });
    expect(view.body.result).toBeDefined();
    await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });

    await importThroughApi(api, osvFor(name));
    expect((await submit(api, user.key, packages)).status).toBe(202);
    const outdated = await api.request("GET", `/api/v1/scans/${scanId}`, { key: user.key });
    expect(outdated.body.outdated).toBe(true);
    expect(outdated.body.result).toBeUndefined();
  });

  it("an import this process did not make (the CLI, another API) reaches it through Postgres, even with the cache untouched", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "0.9.0" }];
    await scanAndComplete(api, user.key, packages);
    expect((await submit(api, user.key, packages)).headers.get("x-cache-status")).toBe("HIT");

    // As `secapi advisories import` does: stored and announced in Postgres, the cache left to the cache-worker.
    const { advisories } = parseAdvisories([{ source: "test", json: osvFor(name) }]);
    const { stored } = await storeAdvisories(api.db, advisories);
    await waitFor(() => api.advisoryRevisions.latest >= (stored.revision ?? Number.POSITIVE_INFINITY));
    const after = await submit(api, user.key, packages);
    expect(after.status).toBe(202);
    // The outdated entry was dropped from the cache on the way.
    const keys = new CacheKeys(api.cachePrefix);
    const [row] = await api.db.selectFrom("scans").select(["input_hash"]).where("user_id", "=", user.id).limit(1).execute();
    expect(
      (await api.cache.get(keys.result({ scanType: "dependencies", ownerId: null, inputHash: row?.input_hash ?? "" }))).value,
    ).toBeUndefined();
  });

  it("an advisory change for other packages keeps it current, verified once in Postgres, then served from the cache again", async () => {
    const user = await api.createUser("pro");
    const packages = [{ ecosystem: "npm" as const, name: uniqueId("pkg"), version: "1.0.0" }];
    await scanAndComplete(api, user.key, packages);
    expect((await submit(api, user.key, packages)).headers.get("x-cache-status")).toBe("HIT");

    await importThroughApi(api, osvFor(uniqueId("unrelated")));
    const verified = await submit(api, user.key, packages);
    expect(verified.status).toBe(200);
    expect(verified.body.cached).toBe(true);
    expect(verified.headers.get("x-cache-status")).toBe("MISS");
    const before = api.postgresAcquisitions();
    const hit = await submit(api, user.key, packages);
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-cache-status")).toBe("HIT");
    expect(api.postgresAcquisitions()).toBe(before);
  });

  it("a result past its valid_until (an advisory it matched is withdrawn then) is not served", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "1.0.0" }];
    const scanId = await scanAndComplete(api, user.key, packages);
    expect((await submit(api, user.key, packages)).status).toBe(200);
    // Time passes: the withdrawal date is reached. Postgres and the cached entry both say so.
    const scan = await api.db.selectFrom("scans").select("result_id").where("id", "=", scanId).executeTakeFirstOrThrow();
    await api.db
      .updateTable("scan_results")
      .set({ valid_until: new Date(Date.now() - 1000) })
      .where("id", "=", scan.result_id)
      .execute();
    const key = new CacheKeys(api.cachePrefix).result({
      scanType: "dependencies",
      ownerId: null,
      inputHash: (await api.db.selectFrom("scans").select("input_hash").where("id", "=", scanId).executeTakeFirstOrThrow()).input_hash,
    });
    const entry = (await api.cache.get<Record<string, unknown>>(key)).value;
    await api.cache.set(key, { ...entry, validUntil: new Date(Date.now() - 1000).toISOString() }, { ttl: 600 });
    expect((await submit(api, user.key, packages)).status).toBe(202);
  });
});

describe("with the cache Redis down when the advisory changes", () => {
  let dir: string;
  let cacheRedis: TestRedisServer;
  let outage: TestApi;
  let control: Redis;
  beforeAll(async () => {
    // Persisted on every write, so what it held survives a kill: an entry whose invalidation was lost.
    dir = await mkdtemp(join(tmpdir(), "secapi-cache-"));
    cacheRedis = await TestRedisServer.start(["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]);
    outage = await TestApi.start({ REDIS_CACHE_URL: cacheRedis.url() });
    control = new Redis(cacheRedis.url(), { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    control.on("error", () => undefined);
  });
  afterAll(async () => {
    control.disconnect();
    await outage.close();
    await cacheRedis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers from Postgres during the outage, and never serves the entry that survived it", async () => {
    const outageAdmin = await outage.createUser("business", "admin");
    const user = await outage.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "1.0.0" }];
    await scanAndComplete(outage, user.key, packages);
    expect((await submit(outage, user.key, packages)).headers.get("x-cache-status")).toBe("HIT");
    const [entryKey = ""] = await control.keys(`${outage.cachePrefix}:result:*`);
    expect(entryKey).not.toBe("");

    await cacheRedis.stop();
    const imported = await outage.request("POST", "/api/v1/admin/advisories", { key: outageAdmin.key, body: [osvFor(name)] });
    expect(imported.status).toBe(200);
    const during = await submit(outage, user.key, packages);
    expect(during.status).toBe(202);
    expect(during.headers.get("x-cache-status")).toBe("BYPASS");

    // Back, with the old entry (its invalidation was lost with the outage): still not served.
    await cacheRedis.start();
    await waitFor(async () => (await control.exists(entryKey)) === 1);
    await waitFor(async () => (await outage.request("GET", "/api/v1/cache/health", { key: user.key })).body.status === "connected");
    for (let i = 0; i < 3; i++) {
      const after = await submit(outage, user.key, packages);
      expect(after.status).toBe(202);
      expect(after.body.status).toBe("queued");
    }
  });
});

describe("an Idempotency-Key replay", () => {
  const submitWithKey = (key: string, packages: PackageRef[], idempotencyKey: string) =>
    api.request("POST", "/api/v1/scans", {
      key,
      body: { type: "dependencies", input: { packages } },
      headers: { "Idempotency-Key": idempotencyKey },
    });

  it("repeats the first status and Location with the scan as it is now: outdated, then the re-run's result", async () => {
    const user = await api.createUser("pro");
    const name = uniqueId("pkg");
    const packages = [{ ecosystem: "npm" as const, name, version: "1.0.0" }];
    await scanAndComplete(api, user.key, packages);
    const idempotencyKey = uniqueId("replay");
    const first = await submitWithKey(user.key, packages, idempotencyKey);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "completed", cached: true });
    expect(findingIds(first.body)).toEqual([]);
    const replayed = await submitWithKey(user.key, packages, idempotencyKey);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body).toEqual(first.body);

    const advisory = osvFor(name);
    await importThroughApi(api, advisory);
    const outdated = await submitWithKey(user.key, packages, idempotencyKey);
    expect(outdated.status).toBe(200);
    expect(outdated.headers.get("idempotent-replayed")).toBe("true");
    expect(outdated.headers.get("location")).toBe(first.headers.get("location"));
    expect(outdated.body).toMatchObject({ id: first.body.id, status: "completed", cached: true, outdated: true });
    expect(outdated.body.result).toBeUndefined();
    // As the scan itself reads.
    expect((await api.request("GET", `/api/v1/scans/${first.body.id}`, { key: user.key })).body).toEqual(outdated.body);

    // The input runs again: the replay shows the scan with the new, current result.
    const rerun = await submit(api, user.key, packages);
    expect(rerun.status).toBe(202);
    await completeAsWorker(api, rerun.body.id, packages);
    const current = await submitWithKey(user.key, packages, idempotencyKey);
    expect(current.body.outdated).toBeUndefined();
    expect(findingIds(current.body)).toEqual([advisory.id]);
  });

  it("of a scan deleted since repeats the first answer without its result", async () => {
    const user = await api.createUser("pro");
    const packages = [{ ecosystem: "npm" as const, name: uniqueId("pkg"), version: "1.0.0" }];
    await scanAndComplete(api, user.key, packages);
    const idempotencyKey = uniqueId("replay");
    const first = await submitWithKey(user.key, packages, idempotencyKey);
    expect(first.body.result).toBeDefined();
    expect((await api.request("DELETE", `/api/v1/scans/${first.body.id}`, { key: user.key })).status).toBe(204);
    const replayed = await submitWithKey(user.key, packages, idempotencyKey);
    expect(replayed.status).toBe(200);
    const { result: _result, ...withoutResult } = first.body;
    expect(replayed.body).toEqual(withoutResult);
  });
});
