import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "@secapi/core";
import { TEST_REDIS_URL, waitFor } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

interface Received {
  body: string;
  signature: string | undefined;
  eventId: string | undefined;
}

let stack: Stack;
let receiver: Server;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: req.headers["secapi-signature"] as string | undefined,
        eventId: req.headers["secapi-event-id"] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  // The receiver listens on loopback, which webhooks may only call when private targets are allowed.
  stack = await Stack.create({ TIER_LIMITS: JSON.stringify({ free: { scans_per_hour: 2 } }), WEBHOOK_ALLOW_PRIVATE: "true" });
  await stack.startApi();
  await stack.startScanWorker();
});
afterAll(async () => {
  await stack.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe("quota webhooks", () => {
  it("POSTs exactly one signed exhaustion notice per window, and one reset notice when it frees", async () => {
    const admin = JSON.parse(await stack.cli("users", "create", "--email", "ops@example.com", "--tier", "business", "--admin", "--json"));
    const user = await stack.createUser("free");
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/secapi`;
    const patched = await stack.request("PATCH", `/api/v1/admin/users/${user.id}`, admin.api_key, { webhook_url: url });
    expect(patched.status).toBe(200);
    const secret: string = patched.body.webhook_secret;
    expect(secret).toMatch(/^whsec_/);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await stack.request("POST", "/api/v1/scans", user.api_key, {
        type: "secrets",
        input: { files: [{ path: `f${i}.txt`, content: `nothing ${i}` }] },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 429, 429, 429]);

    await waitFor(() => received.length >= 1, { timeoutMs: 60_000, what: "the exhaustion notice" });
    await new Promise((r) => setTimeout(r, 1000));
    expect(received).toHaveLength(1);
    const exhausted = received[0] as Received;
    expect(verifyWebhookSignature(secret, exhausted.signature, exhausted.body)).toBe(true);
    expect(verifyWebhookSignature("whsec_wrong", exhausted.signature, exhausted.body)).toBe(false);
    const notice = JSON.parse(exhausted.body);
    expect(notice).toMatchObject({ type: "quota.exhausted", user_id: user.id, window: "scans-hour", limit: 2 });
    expect(exhausted.eventId).toBe(notice.id);
    const resetAt = Date.parse(notice.reset_at);
    expect(resetAt - Date.now()).toBeGreaterThan(3500 * 1000);

    // The reset notice waits as a delayed job until the window frees; bring that moment forward.
    const webhooks = new Queue("webhooks", { connection: new Redis(TEST_REDIS_URL), prefix: stack.env.QUEUE_PREFIX });
    try {
      const delayed = await webhooks.getJobs(["delayed"]);
      expect(delayed.map((j) => j.name)).toEqual(["quota.reset"]);
      expect(Math.abs((delayed[0]?.timestamp ?? 0) + (delayed[0]?.delay ?? 0) - resetAt)).toBeLessThan(5000);
      await delayed[0]?.promote();
    } finally {
      await webhooks.close();
    }
    await waitFor(() => received.length >= 2, { timeoutMs: 60_000, what: "the reset notice" });
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(2);
    const reset = received[1] as Received;
    expect(verifyWebhookSignature(secret, reset.signature, reset.body)).toBe(true);
    expect(JSON.parse(reset.body)).toMatchObject({
      type: "quota.reset",
      user_id: user.id,
      window: "scans-hour",
      reset_at: notice.reset_at,
    });
  });
});
