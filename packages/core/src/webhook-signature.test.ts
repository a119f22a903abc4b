import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from "./webhook-signature.js";

describe("webhook signatures", () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ type: "quota.exhausted", window: "scans-hour" });

  it("verifies what it signed", () => {
    expect(verifyWebhookSignature(secret, signWebhook(secret, body), body)).toBe(true);
  });

  it("rejects another secret, a changed body, a missing or malformed header, and old timestamps", () => {
    const header = signWebhook(secret, body, 1_700_000_000);
    expect(verifyWebhookSignature(secret, header, body, { now: 1_700_000_100 })).toBe(true);
    expect(verifyWebhookSignature(generateWebhookSecret(), header, body, { now: 1_700_000_100 })).toBe(false);
    expect(verifyWebhookSignature(secret, header, `${body} `, { now: 1_700_000_100 })).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { now: 1_700_001_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body)).toBe(false);
    expect(verifyWebhookSignature(secret, "garbage", body)).toBe(false);
    expect(verifyWebhookSignature(secret, "t=1700000000,v1=00", body, { now: 1_700_000_000 })).toBe(false);
  });

  it("signs in the documented format", () => {
    expect(signWebhook("s", "{}", 1)).toMatch(/^t=1,v1=[0-9a-f]{64}$/);
  });
});
