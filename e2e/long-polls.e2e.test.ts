import { TestRedisServer, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

// Issue "Survive faults": long polls must not hold Postgres connections. 100 clients hold `?wait` at once on
// an API whose pool has 5 connections, while others submit and list; nobody gets a 5xx, and every waiter
// wakes when its scan finishes.

let redis: TestRedisServer;
let stack: Stack;
let key: string;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  stack = await Stack.create({ REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1), DB_POOL_MAX: "5" });
  await stack.startApi();
  key = (await stack.createUser("business")).api_key;
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

const secrets = (tag: string) => ({ type: "secrets", input: { files: [{ path: ".env", content: `# ${tag}\nTOKEN=\${TOKEN}\n` }] } });

describe("long polls on a small pool", () => {
  it("100 concurrent ?wait polls and concurrent submissions: no 5xx, and each poll answers when its scan finishes", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const submitted = await stack.request("POST", "/api/v1/scans", key, secrets(uniqueId(`w${i}`)));
      expect(submitted.status).toBe(202);
      ids.push(submitted.body.id);
    }
    // Five pollers per scan, all at once; no scan-worker yet, so every one of them starts waiting.
    // The longest wait the API allows (30 s): the bursts and the worker's start must fit in it on a loaded machine.
    const polls = Array.from({ length: 100 }, (_, i) => stack.request("GET", `/api/v1/scans/${ids[i % ids.length]}?wait=30`, key));
    // The scan-worker starts now (it takes seconds on a loaded machine), while the bursts run: the waiters are
    // woken by the runs finishing, well before their 30 s are up.
    const worker = stack.startScanWorker();
    // Meanwhile bursts of 20 submissions and 20 list reads at a time.
    const others: { status: number }[] = [];
    for (let burst = 0; burst < 3; burst++) {
      others.push(
        ...(await Promise.all([
          ...Array.from({ length: 20 }, () => stack.request("POST", "/api/v1/scans", key, secrets(uniqueId("other")))),
          ...Array.from({ length: 20 }, () => stack.request("GET", "/api/v1/scans?limit=5", key)),
        ])),
      );
    }
    expect(others.filter((r) => r.status >= 500)).toEqual([]);
    await worker;
    const answered = await Promise.all(polls);
    expect(answered.filter((r) => r.status !== 200)).toEqual([]);
    expect(answered.map((r) => r.body.status).filter((s) => s !== "completed")).toEqual([]);
  });
});
