import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type WebhookNoticeRef,
  claimWebhookDelivery,
  deleteOldWebhookDeliveries,
  recordWebhookDelivered,
  releaseWebhookDelivery,
} from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

let userId = "";
beforeAll(async () => {
  userId = (
    await db
      .insertInto("users")
      .values({ email: "hooked@example.com", tier: "pro", webhook_url: null })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});

const notice = (): WebhookNoticeRef => ({ userId, noticeId: randomUUID() });
const claim = (ref: WebhookNoticeRef, leaseMs = 60_000) => claimWebhookDelivery(db, { ...ref, noticeType: "quota.exhausted", leaseMs });

describe("webhook delivery claims", () => {
  it("lets exactly one of many racing claims win, and none after delivery", async () => {
    const ref = notice();
    const claims = await Promise.all(Array.from({ length: 8 }, () => claim(ref)));
    const winners = claims.filter((c) => c.outcome === "claimed");
    expect(winners).toHaveLength(1);
    expect(claims.filter((c) => c.outcome === "in_flight")).toHaveLength(7);
    const token = (winners[0] as { token: string }).token;
    expect(await recordWebhookDelivered(db, { ...ref, token })).toBe(true);
    expect(await claim(ref)).toMatchObject({ outcome: "delivered", deliveredAt: expect.any(Date) });
  });

  it("frees a released claim for the retry at once", async () => {
    const ref = notice();
    const first = await claim(ref);
    expect(first.outcome).toBe("claimed");
    await releaseWebhookDelivery(db, { ...ref, token: (first as { token: string }).token });
    expect((await claim(ref)).outcome).toBe("claimed");
  });

  it("takes over a claim whose lease lapsed; the worker that lost it can neither record nor release it", async () => {
    const ref = notice();
    const stale = await claim(ref, 1);
    await sql`SELECT pg_sleep(0.05)`.execute(db);
    const fresh = await claim(ref);
    expect(fresh.outcome).toBe("claimed");
    const staleToken = (stale as { token: string }).token;
    await releaseWebhookDelivery(db, { ...ref, token: staleToken });
    expect(await recordWebhookDelivered(db, { ...ref, token: staleToken })).toBe(false);
    expect((await claim(ref)).outcome).toBe("in_flight");
    expect(await recordWebhookDelivered(db, { ...ref, token: (fresh as { token: string }).token })).toBe(true);
  });

  it("keeps notices apart by user and by id", async () => {
    const other = (
      await db
        .insertInto("users")
        .values({ email: "other@example.com", tier: "free", webhook_url: null })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const ref = notice();
    expect((await claim(ref)).outcome).toBe("claimed");
    expect((await claim({ userId: other, noticeId: ref.noticeId })).outcome).toBe("claimed");
    expect((await claim(notice())).outcome).toBe("claimed");
  });
});

describe("webhook delivery retention", () => {
  it("deletes only rows first claimed before the window, in batches", async () => {
    const old = [notice(), notice(), notice()];
    const recent = notice();
    for (const ref of [...old, recent]) await claim(ref);
    await db
      .updateTable("webhook_deliveries")
      .set({ created_at: sql<Date>`now() - interval '31 days'` })
      .where(
        "notice_id",
        "in",
        old.map((r) => r.noticeId),
      )
      .execute();
    const window = 30 * 24 * 3600;
    expect(await deleteOldWebhookDeliveries(db, window, 2)).toBe(2);
    expect(await deleteOldWebhookDeliveries(db, window, 2)).toBe(1);
    expect(await deleteOldWebhookDeliveries(db, window, 2)).toBe(0);
    const left = await db
      .selectFrom("webhook_deliveries")
      .select("notice_id")
      .where(
        "notice_id",
        "in",
        [...old, recent].map((r) => r.noticeId),
      )
      .execute();
    expect(left.map((r) => r.notice_id)).toEqual([recent.noticeId]);
  });
});
