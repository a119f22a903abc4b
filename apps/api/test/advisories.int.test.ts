import { recordAdvisorySyncFailure, recordAdvisorySyncSuccess } from "@secapi/db";
import { npmAdvisory } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "./api-fixture.js";

let api: TestApi;
let user: { id: string; key: string };
let admin: { id: string; key: string };

beforeAll(async () => {
  api = await TestApi.start({ ADVISORY_SOURCES: "npm,PyPI", ADVISORY_SYNC_URL: "http://feed.test/osv", ADVISORY_SYNC_INTERVAL: "3600" });
  user = await api.createUser("pro");
  admin = await api.createUser("business", "admin");
});
afterAll(() => api.close());

const importAdvisories = async (...advisories: object[]) =>
  expect((await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: advisories })).status).toBe(200);

describe("GET /api/v1/advisories/:id", () => {
  it("answers an advisory by id or by alias, cached, and drops the cached copy when an import changes it", async () => {
    await importAdvisories(npmAdvisory("GHSA-api1-0001", "api-left-pad", "1.3.0", "2024-01-01T00:00:00Z", { aliases: ["CVE-2099-0001"] }));
    const first = await api.request("GET", "/api/v1/advisories/GHSA-api1-0001", { key: user.key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: "GHSA-api1-0001", aliases: ["CVE-2099-0001"], summary: "api-left-pad is vulnerable" });
    expect(first.headers.get("x-cache-status")).toBe("MISS");
    expect((await api.request("GET", "/api/v1/advisories/GHSA-api1-0001", { key: user.key })).headers.get("x-cache-status")).toBe("HIT");

    const byAlias = await api.request("GET", "/api/v1/advisories/CVE-2099-0001", { key: user.key });
    expect(byAlias.status).toBe(200);
    expect(byAlias.body.id).toBe("GHSA-api1-0001");

    await importAdvisories(
      npmAdvisory("GHSA-api1-0001", "api-left-pad", "1.3.1", "2024-02-01T00:00:00Z", { aliases: ["CVE-2099-0001"], summary: "now worse" }),
    );
    const after = await api.request("GET", "/api/v1/advisories/GHSA-api1-0001", { key: user.key });
    expect(after.headers.get("x-cache-status")).toBe("MISS");
    expect(after.body.summary).toBe("now worse");
  });

  it("is 404 for an id nobody holds, and needs a key", async () => {
    const missing = await api.request("GET", "/api/v1/advisories/GHSA-none-0000", { key: user.key });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
    expect((await api.request("GET", "/api/v1/advisories/GHSA-none-0000")).status).toBe(401);
  });
});

describe("GET /api/v1/advisories/status and /health", () => {
  it("reports each ecosystem's count and last sync, and freshness", async () => {
    await api.db.deleteFrom("advisory_sync_state").execute();
    const before = await api.request("GET", "/api/v1/advisories/status", { key: user.key });
    expect(before.status).toBe(200);
    expect(before.body.sync).toEqual({ enabled: true, interval_seconds: 3600, source: "http://feed.test/osv" });
    expect(before.body.freshness).toBe("stale");
    expect(before.body.ecosystems.map((e: { ecosystem: string }) => e.ecosystem).slice(0, 2)).toEqual(["npm", "PyPI"]);
    expect((await api.request("GET", "/health")).body.advisories).toBe("stale");

    const synced = {
      source: "http://feed.test/osv",
      cursorModified: "2024-02-01T00:00:00Z",
      indexEtag: null,
      indexLastModified: null,
      durationMs: 1234,
      changed: 2,
    };
    await recordAdvisorySyncSuccess(api.db, { ecosystem: "npm", ...synced, outcome: "ok" });
    await recordAdvisorySyncSuccess(api.db, { ecosystem: "PyPI", ...synced, outcome: "unchanged", changed: 0 });
    await recordAdvisorySyncFailure(api.db, { ecosystem: "PyPI", source: "http://feed.test/osv", error: "HTTP 500", durationMs: 10 });
    const status = await api.request("GET", "/api/v1/advisories/status", { key: user.key });
    expect(status.body.freshness).toBe("fresh");
    const npm = status.body.ecosystems.find((e: { ecosystem: string }) => e.ecosystem === "npm");
    expect(npm).toMatchObject({
      ecosystem: "npm",
      source: "http://feed.test/osv",
      last_sync: { outcome: "ok", duration_ms: 1234, changed: 2, error: null },
    });
    expect(npm.advisories).toBeGreaterThanOrEqual(1);
    expect(status.body.ecosystems.find((e: { ecosystem: string }) => e.ecosystem === "PyPI").last_sync).toMatchObject({
      outcome: "failed",
      error: "HTTP 500",
    });
    expect((await api.request("GET", "/health")).body.advisories).toBe("fresh");
  });
});
