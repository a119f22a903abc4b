import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

// Issue 20 "API polish": what answers look like, whatever path they took (a run, Postgres's jsonb, the cache).

let api: TestApi;

beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const SUMMARY_ORDER = ["critical", "high", "medium", "low", "unknown", "total"];
const summary = { total: 3, low: 1, high: 1, unknown: 0, medium: 0, critical: 1 };
const finding = (severity: string) => ({
  rule_id: "r",
  description: "d",
  path: ".env",
  line: 1,
  column: 1,
  severity,
  redacted: "AK…",
  fingerprint: severity,
});
const result = { summary, findings: [finding("critical"), finding("high"), finding("low")] };

/** A user's finished secrets scan with `result` stored (through jsonb, which reorders keys). */
async function finishedScan(key: string, tag: string) {
  const submitted = await api.request("POST", "/api/v1/scans", { key, body: { type: "secrets", input: secretsInput(tag) } });
  expect(submitted.status).toBe(202);
  await api.completeRun(submitted.body.id, result);
  return submitted.body.id as string;
}

describe("summary keys", () => {
  it("(and finding fields) come in the order critical, high, medium, low, unknown, total in a scan, a list and a cached answer", async () => {
    const user = await api.createUser("pro");
    const id = await finishedScan(user.key, "order");
    const scan = await api.request("GET", `/api/v1/scans/${id}`, { key: user.key });
    expect(Object.keys(scan.body.result.summary)).toEqual(SUMMARY_ORDER);
    // The findings' fields too, in the order the scanner wrote them.
    expect(Object.keys(scan.body.result.findings[0])).toEqual(Object.keys(finding("critical")));
    const list = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(Object.keys(list.body.items[0].summary)).toEqual(SUMMARY_ORDER);
    const repeat = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("order") } });
    expect(repeat.status).toBe(200);
    expect(Object.keys(repeat.body.result.summary)).toEqual(SUMMARY_ORDER);
    expect(Object.keys(repeat.body.result.findings[0])).toEqual(Object.keys(finding("critical")));
    const stats = await api.request("GET", "/api/v1/stats", { key: user.key });
    expect(Object.keys(stats.body.findings_by_severity)).toEqual(SUMMARY_ORDER);
  });
});

describe("a cached scan", () => {
  it("starts and completes when it is created, never before", async () => {
    const user = await api.createUser("pro");
    await finishedScan(user.key, "timestamps");
    for (const labels of [undefined, { project: "web" }]) {
      const body = { type: "secrets", input: secretsInput("timestamps"), ...(labels && { labels }) };
      const cached = await api.request("POST", "/api/v1/scans", { key: user.key, body });
      expect(cached.status).toBe(200);
      expect(cached.body.cached).toBe(true);
      const read = (await api.request("GET", `/api/v1/scans/${cached.body.id}`, { key: user.key })).body;
      for (const scan of [cached.body, read]) {
        expect(Date.parse(scan.started_at)).toBeGreaterThanOrEqual(Date.parse(scan.created_at));
        expect(Date.parse(scan.completed_at)).toBeGreaterThanOrEqual(Date.parse(scan.started_at));
      }
    }
  });
});

describe("GET /api/v1/cache/stats", () => {
  it("names every field in snake_case, nested ones too", async () => {
    const user = await api.createUser("pro");
    await finishedScan(user.key, "snake");
    const stats = await api.request("GET", "/api/v1/cache/stats", { key: user.key });
    expect(stats.status).toBe(200);
    expect(Object.keys(stats.body.by_key_type).length).toBeGreaterThan(0);
    const keys = (value: unknown): string[] =>
      typeof value === "object" && value !== null ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner)]) : [];
    // Key types (`scan`, `result`) are data, not field names: only the counters under them are checked.
    const names = [...keys({ ...stats.body, by_key_type: undefined }), ...Object.values(stats.body.by_key_type).flatMap(keys)];
    expect(names.filter((name) => !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(name))).toEqual([]);
    expect(Object.keys(Object.values(stats.body.by_key_type)[0] as object).sort()).toEqual(["hits", "misses", "sets", "stale_hits"]);
  });

  it("shows redis_info to admins only", async () => {
    const user = await api.createUser("pro");
    const admin = await api.createUser("pro", "admin");
    const forUser = await api.request("GET", "/api/v1/cache/stats", { key: user.key });
    expect(forUser.body).not.toHaveProperty("redis_info");
    const forAdmin = await api.request("GET", "/api/v1/cache/stats", { key: admin.key });
    expect(forAdmin.body.redis_info).toEqual({ used_memory: expect.any(Number), connected_clients: expect.any(Number) });
  });
});

describe("errors for inputs with several forms", () => {
  const pkg = (version: unknown) => ({ ecosystem: "npm", name: "left-pad", version });
  const both = async (input: unknown) => {
    const user = await api.createUser("pro");
    const viaScans = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "dependencies", input } });
    const viaType = await api.request("POST", "/api/v1/scan/dependencies", { key: user.key, body: input });
    expect(viaType.status).toBe(viaScans.status);
    expect(viaType.body).toEqual(viaScans.body);
    return viaScans;
  };

  it("a dependencies body with neither `packages` nor `lockfile` names both forms", async () => {
    const response = await both({});
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([{ path: "input", message: 'expected "packages", or "lockfile" and "format"' }]);
    expect(response.body.error).toContain('input: expected "packages", or "lockfile" and "format"');
  });

  it("a bad package entry is named by its index and field", async () => {
    const response = await both({ packages: [pkg("1.0.0"), pkg("1.0.1"), pkg("1.0.2"), pkg(3)] });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([{ path: "input.packages[3].version", message: "expected string, received number" }]);
    expect(response.body.error).toContain("input.packages[3].version: expected string, received number");
  });
});
