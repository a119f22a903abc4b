import { describe, expect, it } from "vitest";
import { createEvent, eventSchema } from "./event-schemas.js";
import { scanCoalescingKey, scanRunJobId } from "./scan-job.js";

const userId = "8d1e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a";
const scanId = "0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a";

describe("events", () => {
  it("creates events that parse back", () => {
    const event = createEvent("user.tier_changed", { userId, from: "free", to: "pro" });
    expect(eventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses data that does not fit the type", () => {
    expect(() => createEvent("user.tier_changed", { userId, from: "free", to: "gold" as "pro" })).toThrow();
    expect(eventSchema.safeParse({ id: scanId, type: "scan.deleted", occurred_at: "yesterday", data: { scanId, userId } }).success).toBe(
      false,
    );
    expect(eventSchema.safeParse({ id: scanId, type: "nope", occurred_at: new Date().toISOString(), data: {} }).success).toBe(false);
  });
});

describe("scan job ids", () => {
  const job = { scanType: "secrets", ownerId: userId, inputHash: "f".repeat(64) };

  it("scope private inputs by owner and are valid BullMQ ids", () => {
    expect(scanCoalescingKey(job)).toBe(`secrets-${userId}-${"f".repeat(64)}`);
    expect(scanCoalescingKey({ ...job, ownerId: null })).toBe(`secrets-${"f".repeat(64)}`);
    const id = scanRunJobId(job, scanId);
    expect(id).not.toContain(":");
    expect(id).not.toMatch(/^\d+$/);
    expect(id.endsWith(scanId)).toBe(true);
  });
});
