import { verifyWebhookSignature } from "@secapi/core";
import { type ReceivedWebhook, TEST_REDIS_URL, WebhookReceiver, waitFor } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

let stack: Stack;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // The receiver listens on loopback, which webhooks may only call when private targets are allowed.
  stack = await Stack.create({ TIER_LIMITS: JSON.stringify({ free: { scans_per_hour: 2 } }), WEBHOOK_ALLOW_PRIVATE: "true" });
  await stack.startApi();
  await stack.startScanWorker();
});
afterAll(async () => {
  await stack.close();
  await receiver.close();
});

describe("quota webhooks", () => {
  it("POSTs exactly one signed exhaustion notice per window, and one reset notice when it frees", async () => {
    const admin = await stack.createAdmin();
    const user = await stack.createUser("free");
    const url = receiver.url("/hooks/secapi");
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

    await waitFor(() => receiver.received.length >= 1, { timeoutMs: 60_000, what: "the exhaustion notice" });
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.received).toHaveLength(1);
    const exhausted = receiver.received[0] as ReceivedWebhook;
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
    await waitFor(() => receiver.received.length >= 2, { timeoutMs: 60_000, what: "the reset notice" });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(2);
    const reset = receiver.received[1] as ReceivedWebhook;
    expect(verifyWebhookSignature(secret, reset.signature, reset.body)).toBe(true);
    expect(JSON.parse(reset.body)).toMatchObject({
      type: "quota.reset",
      user_id: user.id,
      window: "scans-hour",
      reset_at: notice.reset_at,
    });
  });
});
