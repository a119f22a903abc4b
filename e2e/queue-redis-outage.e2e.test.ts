import { TestRedisServer, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, awsAccessKeyId } from "./stack.js";

let redis: TestRedisServer;
let stack: Stack;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  stack = await Stack.create({ REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1) });
  await stack.startApi();
  await stack.startScanWorker();
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

describe("the queue Redis stops", () => {
  it("still answers 202, and the scan completes once Redis is back", async () => {
    const user = await stack.createUser("pro");
    await redis.stop();
    const submitted = await stack.request("POST", "/api/v1/scans", user.api_key, {
      type: "secrets",
      input: { files: [{ path: "app.env", content: `AWS_ACCESS_KEY_ID=${awsAccessKeyId()}\n` }] },
    });
    expect(submitted.status).toBe(202);
    const health = await stack.request("GET", "/health", user.api_key);
    expect(health.body.redis_queue).toBe("disconnected");
    expect((await stack.request("GET", `/api/v1/scans/${submitted.body.id}`, user.api_key)).body.status).toBe("queued");

    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const scan = await stack.pollUntilDone(`/api/v1/scans/${submitted.body.id}`, user.api_key, 120_000);
    expect(scan.status).toBe("completed");
    expect(scan.result.findings.map((f: { rule_id: string }) => f.rule_id)).toEqual(["aws-access-key-id"]);
    await waitFor(async () => (await stack.request("GET", "/ready", user.api_key)).status === 200);
    expect(stack.processes.every((p) => p.running)).toBe(true);
  });
});
