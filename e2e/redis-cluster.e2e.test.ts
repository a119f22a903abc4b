import { TestRedisCluster, uniqueId, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, awsAccessKeyId } from "./stack.js";

/**
 * The whole stack on Redis Cluster: the queue/limiter role and the cache role each on a 3-master cluster
 * started here, the API, two scan-workers and a cache-worker connected through `?cluster=true` URLs.
 */
let queueCluster: TestRedisCluster;
let cacheCluster: TestRedisCluster;
let stack: Stack;
let admin: { api_key: string };

const clusterUrl = (cluster: TestRedisCluster) => `redis://127.0.0.1:${cluster.ports[0]}?cluster=true&nodes=127.0.0.1:${cluster.ports[1]}`;
const secrets = (tag: string) => ({ files: [{ path: `${tag}.env`, content: `AWS_ACCESS_KEY_ID=${awsAccessKeyId()}\n` }] });

beforeAll(async () => {
  [queueCluster, cacheCluster] = await Promise.all([TestRedisCluster.start(), TestRedisCluster.start()]);
  stack = await Stack.create({
    REDIS_URL: clusterUrl(queueCluster),
    REDIS_CACHE_URL: clusterUrl(cacheCluster),
    TIER_LIMITS: JSON.stringify({
      free: { requests_per_minute: 5 },
      business: { requests_per_minute: 1_000_000, scans_per_hour: 1_000_000 },
    }),
  });
  await stack.startApi();
  await Promise.all([stack.startScanWorker(), stack.startScanWorker(), stack.startCacheWorker()]);
  admin = JSON.parse(
    await stack.cli("users", "create", "--email", `${uniqueId("admin")}@example.com`, "--tier", "business", "--admin", "--json"),
  );
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([queueCluster?.stop(), cacheCluster?.stop()]);
});

describe("SecAPI on Redis Cluster", () => {
  it("runs a scan through the queue, then answers the repeat and the re-read from the cache", async () => {
    const user = await stack.createUser("business");
    const body = { type: "secrets", input: secrets("cluster") };
    const submitted = await stack.request("POST", "/api/v1/scans", user.api_key, body);
    expect(submitted.status).toBe(202);
    const scan = await stack.pollUntilDone(submitted.headers.get("location") ?? "", user.api_key);
    expect(scan.status).toBe("completed");
    expect(scan.result.summary.total).toBe(1);

    const repeated = await stack.request("POST", "/api/v1/scans", user.api_key, body);
    expect(repeated.status).toBe(200);
    expect(repeated.body.cached).toBe(true);
    // A read caches the view; a later read is answered from the Cluster. On a loaded machine a cache write can
    // miss its 50 ms deadline (the read is then a MISS, answered from Postgres), so reads go on until one is a HIT.
    const reread = await waitFor(
      async () => {
        const read = await stack.request("GET", `/api/v1/scans/${scan.id}`, user.api_key);
        return read.headers.get("x-cache-status") === "HIT" ? read : undefined;
      },
      { what: "a re-read answered from the Cluster" },
    );
    expect(reread.status).toBe(200);
    expect(reread.body.id).toBe(scan.id);

    // Each queue's keys share a hash tag of their own (one slot per queue, so the queues spread over the masters),
    // none the bare prefix's; the cache's entries spread over the cache cluster.
    const prefix = stack.env.QUEUE_PREFIX;
    for (const queue of ["scans", "events"]) {
      const queueKeys = await queueCluster.keysPerMaster(`{${prefix}-${queue}}:${queue}:*`);
      expect(
        queueKeys.filter((n) => n > 0),
        queue,
      ).toHaveLength(1);
    }
    expect((await queueCluster.keysPerMaster(`*${prefix}}:*`)).every((n) => n === 0)).toBe(true);
    const cacheKeys = await cacheCluster.keysPerMaster("secapi:*");
    expect(cacheKeys.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it("stops serving a dependency result once an advisory for its package is imported (event → cache-worker → invalidation)", async () => {
    const user = await stack.createUser("business");
    const body = { type: "dependencies", input: { packages: [{ ecosystem: "npm", name: "cluster-demo-pkg", version: "1.0.0" }] } };
    const first = await stack.request("POST", "/api/v1/scans", user.api_key, body);
    const clean = await stack.pollUntilDone(first.headers.get("location") ?? "", user.api_key);
    expect(clean.result.summary.total).toBe(0);
    expect((await stack.request("POST", "/api/v1/scans", user.api_key, body)).body.cached).toBe(true);

    const advisory = {
      id: "GHSA-clus-ter0-demo",
      modified: new Date().toISOString(),
      summary: "cluster demo",
      affected: [
        {
          package: { ecosystem: "npm", name: "cluster-demo-pkg" },
          ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.0.1" }] }],
        },
      ],
    };
    expect((await stack.request("POST", "/api/v1/admin/advisories", admin.api_key, [advisory])).status).toBe(200);
    const after = await stack.request("POST", "/api/v1/scans", user.api_key, body);
    const rescanned = after.status === 200 ? after.body : await stack.pollUntilDone(after.headers.get("location") ?? "", user.api_key);
    expect(rescanned.result.findings.map((f: { id: string }) => f.id)).toEqual(["GHSA-clus-ter0-demo"]);
  });

  it("limits requests exactly, counted on the cluster", async () => {
    const user = await stack.createUser("free");
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await stack.request("GET", "/api/v1/usage", user.api_key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });
});
