import { TestRedisServer, freePort, uniqueId, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importAdvisory, npmTestAdvisory } from "./advisories.js";
import { Stack } from "./stack.js";

// docs/API.md "Current results": once an advisory affecting any package of a stored result is added, changed or withdrawn, that
// result is never served again (from any cache tier or from Postgres); the next submission runs the scan (or
// waits for the re-run already under way). Here with the real processes: two APIs, a scan-worker, a cache-worker.

let redis: TestRedisServer;
let stack: Stack;
let apiB: string;
let portB: string;
let admin: string;
let user: string;

beforeAll(async () => {
  // A Redis of this file's own, so that no other file's cached results meet these.
  redis = await TestRedisServer.start();
  stack = await Stack.create({ REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1) });
  await stack.startApi();
  portB = String(await freePort());
  apiB = `http://127.0.0.1:${portB}`;
  await stack.startApi({ PORT: portB });
  await stack.startScanWorker();
  await stack.startCacheWorker();
  admin = (await stack.createAdmin()).api_key;
  user = (await stack.createUser("business")).api_key;
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

type Answer = { status: number; body: { status: string; result?: { findings: { id: string }[] } } };
const ids = (answer: Answer) => (answer.body.result?.findings ?? []).map((f) => f.id);

const submit = (packages: unknown, baseUrl = stack.apiUrl) =>
  stack.request("POST", "/api/v1/scans", user, { type: "dependencies", input: { packages } }, baseUrl) as Promise<Answer>;

/** Resubmits until the answer is a cached result (the run finished, or the cache-worker re-ran it). */
const untilCached = (packages: unknown, baseUrl?: string) =>
  waitFor(
    async () => {
      const answer = await submit(packages, baseUrl);
      return answer.status === 200 ? answer : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "a cached answer" },
  );

describe("a stored result is an answer only while it is current", () => {
  it("never answers with the old findings after an advisory change: hot or cold, through either API, after a restart, and on withdrawal", async () => {
    const hotName = uniqueId("hot");
    const coldName = uniqueId("cold");
    const hot = [{ ecosystem: "npm", name: hotName, version: "1.0.0" }];
    const cold = [{ ecosystem: "npm", name: coldName, version: "1.0.0" }];
    for (const packages of [hot, cold]) {
      const submitted = await submit(packages);
      expect(submitted.status).toBe(202);
    }
    // Both clean, and answered from the result by both APIs.
    for (const packages of [hot, cold]) expect(ids(await untilCached(packages))).toEqual([]);
    for (let i = 0; i < 5; i++) {
      expect((await submit(hot)).status).toBe(200);
      expect((await submit(hot, apiB)).status).toBe(200);
    }
    // The cold one only in Postgres: its cache entries dropped by tag.
    expect((await stack.request("DELETE", `/api/v1/cache/tags/pkg:npm/${coldName}`, admin)).status).toBe(200);

    const id = uniqueId("TEST");
    await importAdvisory(stack, admin, npmTestAdvisory(id, [hotName, coldName]));
    // From here on, every answer is a run (202) or a result with the advisory: never the clean one.
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      for (const packages of [hot, cold]) {
        answers.push(await submit(packages), await submit(packages, apiB));
      }
    }
    const stale = answers.filter((a) => a.status === 200 && !ids(a).includes(id));
    expect(stale).toEqual([]);
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    for (const packages of [hot, cold]) {
      expect(ids(await untilCached(packages))).toEqual([id]);
      expect(ids(await untilCached(packages, apiB))).toEqual([id]);
    }

    // A restarted API (nothing in its memory) agrees.
    const b = stack.processes.find((p) => p.name === "api" && p !== stack.processes[0]);
    await b?.stop();
    await stack.startApi({ PORT: portB });
    expect(ids(await untilCached(hot, apiB))).toEqual([id]);

    // Withdrawn (as of now): no answer shows it any more.
    await importAdvisory(
      stack,
      admin,
      npmTestAdvisory(id, [hotName, coldName], {
        modified: new Date(Date.now() + 1000).toISOString(),
        withdrawn: new Date().toISOString(),
      }),
    );
    const afterWithdrawal: Answer[] = [];
    for (let i = 0; i < 5; i++) afterWithdrawal.push(await submit(hot), await submit(hot, apiB), await submit(cold, apiB));
    expect(afterWithdrawal.filter((a) => a.status === 200 && ids(a).includes(id))).toEqual([]);
    expect(ids(await untilCached(hot))).toEqual([]);
    expect(ids(await untilCached(cold, apiB))).toEqual([]);
  });
});
