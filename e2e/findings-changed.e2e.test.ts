import { verifyWebhookSignature } from "@secapi/core";
import { FeedServer, TestRedisServer, WebhookReceiver, npmAdvisory, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

// Issue 17 part 4 with the real processes: the feed changes between two syncs (an advisory added, one modified,
// one withdrawn); the cache-worker re-runs every result a user with a webhook has a scan of, and each result whose
// findings changed reaches its owners' webhooks once, signed, with the right added/removed; the scans show
// findings_changed_at.

let redis: TestRedisServer;
let feed: FeedServer;
let receiver: WebhookReceiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  feed = await new FeedServer().start();
  feed.put(
    npmAdvisory("GHSA-e2e-mod", "fc-is-odd", "2.0.0", "2024-01-01T00:00:00Z"),
    npmAdvisory("GHSA-e2e-wdr", "fc-pad-right", "3.0.0", "2024-01-02T00:00:00Z"),
    npmAdvisory("GHSA-e2e-old", "fc-left-pad", "0.5.0", "2024-01-03T00:00:00Z"),
  );
  // A Redis of this file's own: cache keys are not prefixed per stack, and results here must meet no other file's.
  redis = await TestRedisServer.start();
  stack = await Stack.create({
    REDIS_URL: redis.url(0),
    REDIS_CACHE_URL: redis.url(1),
    ADVISORY_SYNC_URL: feed.url,
    ADVISORY_SOURCES: "npm",
    // Syncs run when the test says so (`secapi advisories sync`), not on a schedule.
    ADVISORY_SYNC_INTERVAL: "0",
    // The receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE: "true",
  });
  await stack.cli("advisories", "sync");
  await stack.startApi();
  await stack.startScanWorker();
  await stack.startCacheWorker();
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
  await feed.stop();
  await receiver.close();
});

describe("scan.findings_changed webhooks", () => {
  it("fires once per changed result, signed, with the right added/removed, and the scans show findings_changed_at", async () => {
    const admin = await stack.createAdmin();
    const alice = await stack.createUser("business");
    const carol = await stack.createUser("business");
    const hook = receiver.url("/hooks/alice");
    const patched = await stack.request("PATCH", `/api/v1/admin/users/${alice.id}`, admin.api_key, { webhook_url: hook });
    expect(patched.status).toBe(200);
    const secret: string = patched.body.webhook_secret;

    const scan = async (key: string, name: string, version: string) => {
      const response = await stack.request("POST", "/api/v1/scans", key, {
        type: "dependencies",
        input: { packages: [{ ecosystem: "npm", name, version }] },
      });
      expect([200, 202]).toContain(response.status);
      const done = response.status === 200 ? response.body : await stack.pollUntilDone(`/api/v1/scans/${response.body.id}`, key);
      expect(done.status).toBe("completed");
      return done as { id: string; result: { findings: { id: string }[] } };
    };
    const newlyVulnerable = await scan(alice.api_key, "fc-left-pad", "1.0.0");
    const carolsCopy = await scan(carol.api_key, "fc-left-pad", "1.0.0");
    const corrected = await scan(alice.api_key, "fc-is-odd", "1.5.0");
    const withdrawn = await scan(alice.api_key, "fc-pad-right", "1.0.0");
    const untouched = await scan(alice.api_key, "fc-left-pad", "2.0.0");
    expect(newlyVulnerable.result.findings).toEqual([]);
    expect(corrected.result.findings.map((f) => f.id)).toEqual(["GHSA-e2e-mod"]);
    expect(withdrawn.result.findings.map((f) => f.id)).toEqual(["GHSA-e2e-wdr"]);

    feed.put(
      npmAdvisory("GHSA-e2e-new", "fc-left-pad", "1.3.0", "2024-05-01T00:00:00Z"),
      npmAdvisory("GHSA-e2e-mod", "fc-is-odd", "2.0.0", "2024-05-02T00:00:00Z", {
        affected: [
          {
            package: { ecosystem: "npm", name: "fc-is-odd" },
            ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.2.0" }] }],
          },
        ],
      }),
      npmAdvisory("GHSA-e2e-wdr", "fc-pad-right", "3.0.0", "2024-05-03T00:00:00Z", { withdrawn: "2024-05-03T00:00:00Z" }),
    );
    await stack.cli("advisories", "sync");

    await waitFor(() => receiver.received.length >= 3, { timeoutMs: 120_000, what: `three findings-change notices\n${stack.logs()}` });
    // Nothing more comes: one notice per changed result (none for the untouched one, none to carol).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(receiver.received).toHaveLength(3);
    const notices = receiver.received.map((delivery) => {
      expect(delivery.path).toBe("/hooks/alice");
      expect(verifyWebhookSignature(secret, delivery.signature, delivery.body)).toBe(true);
      const notice = JSON.parse(delivery.body);
      expect(delivery.eventId).toBe(notice.id);
      expect(notice).toMatchObject({ type: "scan.findings_changed", user_id: alice.id });
      return notice as { scan_ids: string[]; added: { id: string }[]; removed: { id: string }[] };
    });
    const about = (scanId: string) => notices.find((n) => n.scan_ids.includes(scanId));
    expect(about(newlyVulnerable.id)).toMatchObject({ scan_ids: [newlyVulnerable.id], removed: [] });
    expect(about(newlyVulnerable.id)?.added).toEqual([
      { id: "GHSA-e2e-new", ecosystem: "npm", package: "fc-left-pad", version: "1.0.0", severity: expect.any(String) },
    ]);
    expect(about(corrected.id)).toMatchObject({ added: [], removed: [{ id: "GHSA-e2e-mod", package: "fc-is-odd", version: "1.5.0" }] });
    expect(about(withdrawn.id)).toMatchObject({ added: [], removed: [{ id: "GHSA-e2e-wdr" }] });
    expect(about(untouched.id)).toBeUndefined();

    // The lists show the change; the re-run result is what the scan shows now.
    const list = await stack.request("GET", "/api/v1/scans?limit=20", alice.api_key);
    const changedAt = (id: string) =>
      (list.body.items as { id: string; findings_changed_at: string | null }[]).find((s) => s.id === id)?.findings_changed_at;
    expect(changedAt(newlyVulnerable.id)).toEqual(expect.any(String));
    expect(changedAt(corrected.id)).toEqual(expect.any(String));
    expect(changedAt(withdrawn.id)).toEqual(expect.any(String));
    expect(changedAt(untouched.id)).toBeNull();
    const carols = await stack.request("GET", `/api/v1/scans/${carolsCopy.id}`, carol.api_key);
    expect(carols.body.findings_changed_at).toEqual(expect.any(String));
    expect(carols.body.result.findings.map((f: { id: string }) => f.id)).toEqual(["GHSA-e2e-new"]);

    // The same feed again changes nothing and tells nobody anything.
    await stack.cli("advisories", "sync");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(receiver.received).toHaveLength(3);
  });
});
