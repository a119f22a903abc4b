import { ADVISORY_SYNC_QUEUE, CACHE_WARM_QUEUE, QUEUES, RESULT_RERUNS_QUEUE } from "@secapi/events";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, type TestUser } from "./api-fixture.js";

let api: TestApi;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  ({ api, admin, user } = await TestApi.startWithUsers("free"));
});
afterAll(() => api.close());

/** The cache-worker's queues: the api never produces to them, the board shows them all the same. */
const WORKER_OWNED = [RESULT_RERUNS_QUEUE, CACHE_WARM_QUEUE, ADVISORY_SYNC_QUEUE];

const basic = (key: string, name = "admin") => ({ Authorization: `Basic ${Buffer.from(`${name}:${key}`).toString("base64")}` });

describe("GET /admin/queues (Bull Board)", () => {
  it("asks a browser for Basic credentials when none are sent", async () => {
    const res = await api.request("GET", "/admin/queues");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="SecAPI queues"/);
    expect(res.body.code).toBe("unauthorized");
  });

  it("refuses an unknown key (401) and a user who is not an admin (403)", async () => {
    expect((await api.request("GET", "/admin/queues", { headers: basic("sk_not-a-real-key") })).status).toBe(401);
    expect((await api.request("GET", "/admin/queues", { headers: basic(user.key) })).status).toBe(403);
    expect((await api.request("GET", "/admin/queues", { key: user.key })).status).toBe(403);
  });

  it("serves the board to an admin, by Basic auth (the key as password) or by Bearer", async () => {
    for (const headers of [basic(admin.key), basic(admin.key, ""), { Authorization: `Bearer ${admin.key}` }]) {
      const page = await api.request("GET", "/admin/queues", { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.text).toContain("SecAPI queues");
    }
  });

  it("lists every SecAPI queue with the jobs it holds", async () => {
    await api.queues[QUEUES.webhooks].add("board-probe", { probe: true }, { delay: 60_000 });
    const res = await api.request("GET", "/admin/queues/api/queues?activeQueue=webhooks&status=delayed&page=1", {
      headers: basic(admin.key),
    });
    expect(res.status).toBe(200);
    const queues = res.body.queues as { name: string; counts: Record<string, number>; jobs: { name: string }[] }[];
    expect(queues.map((q) => q.name).sort()).toEqual([...Object.values(QUEUES), ...WORKER_OWNED].sort());
    const webhooks = queues.find((q) => q.name === QUEUES.webhooks);
    expect(webhooks?.counts.delayed).toBe(1);
    expect(webhooks?.jobs.map((j) => j.name)).toEqual(["board-probe"]);
  });

  type BoardQueue = { name: string; counts: Record<string, number>; jobs: { name: string }[] };
  const boardQueue = async (name: string, status: string) => {
    const res = await api.request("GET", `/admin/queues/api/queues?activeQueue=${name}&status=${status}&page=1`, {
      headers: basic(admin.key),
    });
    expect(res.status).toBe(200);
    return (res.body.queues as BoardQueue[]).find((q) => q.name === name);
  };

  it("shows the cache-worker's re-run queue and its jobs, though the api never produces to it", async () => {
    const { connection, prefix } = api.queues[QUEUES.scans].opts;
    const reruns = new Queue(RESULT_RERUNS_QUEUE, { connection, prefix });
    try {
      await reruns.add("rerun-probe", { results: [] }, { delay: 60_000 });
      const board = await boardQueue(RESULT_RERUNS_QUEUE, "delayed");
      expect(board?.counts.delayed).toBe(1);
      expect(board?.jobs.map((j) => j.name)).toEqual(["rerun-probe"]);
    } finally {
      await reruns.obliterate({ force: true });
      await reruns.close();
    }
  });

  it.each([
    [CACHE_WARM_QUEUE, "warm"],
    [ADVISORY_SYNC_QUEUE, "sync"],
  ])("shows the cache-worker's %s job scheduler and its next run", async (name, jobName) => {
    const { connection, prefix } = api.queues[QUEUES.scans].opts;
    const queue = new Queue(name, { connection, prefix });
    try {
      // As the cache-worker schedules it: one job per interval, waiting or delayed until it is due.
      await queue.upsertJobScheduler(name, { every: 3_600_000 }, { name: jobName });
      const board = await boardQueue(name, "latest");
      expect((board?.counts.waiting ?? 0) + (board?.counts.delayed ?? 0)).toBe(1);
      expect(board?.jobs.map((j) => j.name)).toEqual([jobName]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
