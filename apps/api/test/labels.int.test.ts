import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

let api: TestApi;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

beforeAll(async () => {
  api = await TestApi.start();
  alice = await api.createUser("pro");
  bob = await api.createUser("pro");
});
afterAll(() => api.close());

const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };
const dependencies = (name: string) => ({ packages: [{ ecosystem: "npm", name, version: "1.0.0" }] });

const submit = (key: string, input: unknown, labels?: unknown, headers: Record<string, string> = {}) =>
  api.request("POST", "/api/v1/scans", { key, body: { type: "dependencies", input, ...(labels !== undefined && { labels }) }, headers });

const list = async (key: string, query: string) => {
  const response = await api.request("GET", `/api/v1/scans?${query}`, { key });
  expect(response.status).toBe(200);
  return (response.body.items as { id: string; labels: Record<string, string> }[]).map((item) => item.id);
};

describe("labels on scans", () => {
  it("are stored, returned on the submission, the poll and the list, and default to {}", async () => {
    const labels = { project: "web", ref: "main", commit: "0123456789abcdef" };
    const submitted = await submit(alice.key, dependencies("labels-returned"), labels);
    expect(submitted.status).toBe(202);
    expect(submitted.body.labels).toEqual(labels);
    const polled = await api.request("GET", `/api/v1/scans/${submitted.body.id}`, { key: alice.key });
    expect(polled.body.labels).toEqual(labels);
    const row = await api.db.selectFrom("scans").select("labels").where("id", "=", submitted.body.id).executeTakeFirstOrThrow();
    expect(row.labels).toEqual(labels);

    const unlabelled = await submit(alice.key, dependencies("labels-none"));
    expect(unlabelled.body.labels).toEqual({});
  });

  it("are taken from the body on POST /scan/:type and are not part of the input", async () => {
    const response = await api.request("POST", "/api/v1/scan/secrets", {
      key: alice.key,
      body: { ...secretsInput("alias-labels"), labels: { project: "alias" } },
    });
    expect(response.status).toBe(202);
    expect(response.body.labels).toEqual({ project: "alias" });
    // A large body is prepared on a worker thread: its labels come back from there.
    const large = { files: [{ path: "big.txt", content: "x".repeat(100_000) }] };
    const threaded = await api.request("POST", "/api/v1/scans", {
      key: alice.key,
      body: { type: "secrets", input: large, labels: { project: "large" } },
    });
    expect(threaded.status).toBe(202);
    expect(threaded.body.labels).toEqual({ project: "large" });
  });

  it("are not part of the input hash: two projects with one lockfile share one run and one result", async () => {
    const input = dependencies("labels-shared");
    const web = await submit(alice.key, input, { project: "web" });
    const api2 = await submit(alice.key, input, { project: "api" });
    expect(web.status).toBe(202);
    expect(api2.status).toBe(202);
    const rows = await api.db
      .selectFrom("scans")
      .select(["id", "job_id", "input_hash"])
      .where("id", "in", [web.body.id, api2.body.id])
      .execute();
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(1);
    expect(new Set(rows.map((r) => r.input_hash)).size).toBe(1);
    await api.completeRun(web.body.id, RESULT);

    // Cache hits keep their own labels: each labelling gets its own cached scan, and repeats get that one back.
    const docs = await submit(alice.key, input, { project: "docs" });
    expect(docs.status).toBe(200);
    expect(docs.body).toMatchObject({ cached: true, labels: { project: "docs" } });
    const cli = await submit(alice.key, input, { project: "cli" });
    expect(cli.status).toBe(200);
    expect(cli.body).toMatchObject({ cached: true, labels: { project: "cli" } });
    expect(cli.body.id).not.toBe(docs.body.id);
    const docsAgain = await submit(alice.key, input, { project: "docs" });
    expect(docsAgain.body.id).toBe(docs.body.id);
    const bare = await submit(alice.key, input);
    expect(bare.body).toMatchObject({ cached: true, labels: {} });
    expect([docs.body.id, cli.body.id]).not.toContain(bare.body.id);
  });

  it("keep their own labels on an Idempotency-Key replay; other labels with the same key are another request (422)", async () => {
    const input = dependencies("labels-idempotent");
    const headers = { "Idempotency-Key": `labels-${Date.now()}` };
    const first = await submit(alice.key, input, { project: "one" }, headers);
    expect(first.status).toBe(202);
    const replay = await submit(alice.key, input, { project: "one" }, headers);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toMatchObject({ id: first.body.id, labels: { project: "one" } });
    const other = await submit(alice.key, input, { project: "two" }, headers);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
  });

  it("filter the list: one label, several ANDed, never another user's scans", async () => {
    const a = await submit(alice.key, dependencies("filter-a"), { project: "filter-web", ref: "main" });
    const b = await submit(alice.key, dependencies("filter-b"), { project: "filter-web", ref: "dev" });
    const c = await submit(alice.key, dependencies("filter-c"), { project: "filter-api", ref: "main" });
    const other = await submit(bob.key, dependencies("filter-a"), { project: "filter-web", ref: "main" });
    expect([a, b, c, other].map((r) => r.status)).toEqual([202, 202, 202, 202]);

    expect(await list(alice.key, "label.project=filter-web")).toEqual([b.body.id, a.body.id]);
    expect(await list(alice.key, "label.project=filter-web&label.ref=main")).toEqual([a.body.id]);
    expect(await list(alice.key, "label.ref=main&label.project=filter-api")).toEqual([c.body.id]);
    expect(await list(alice.key, "label.project=filter-none")).toEqual([]);
    expect(await list(bob.key, "label.project=filter-web")).toEqual([other.body.id]);
    // Combined with the other filters and pagination.
    expect(await list(alice.key, "label.project=filter-web&limit=1")).toEqual([b.body.id]);
    expect(await list(alice.key, "label.project=filter-web&status=completed")).toEqual([]);
    // A new scan shows up in a filtered list read before (the cached page is dropped).
    const d = await submit(alice.key, dependencies("filter-d"), { project: "filter-api" });
    expect(await list(alice.key, "label.project=filter-api")).toEqual([d.body.id, c.body.id]);
  });

  it("are refused when malformed, naming the label, and nothing is stored", async () => {
    const before = await api.count("scans");
    const cases: [unknown, string][] = [
      [{ Project: "web" }, "labels.Project"],
      [{ project: "" }, "labels.project"],
      [{ project: "x".repeat(201) }, "labels.project"],
      [{ project: 1 }, "labels.project"],
      [Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])), "labels"],
      [["web"], "labels"],
    ];
    for (const [labels, path] of cases) {
      const response = await submit(alice.key, dependencies("bad-labels"), labels);
      expect(response.status, JSON.stringify(labels)).toBe(400);
      expect(response.body.code).toBe("validation_failed");
      expect(response.body.issues[0].path).toBe(path);
    }
    expect(await api.count("scans")).toBe(before);
    const badFilter = await api.request("GET", "/api/v1/scans?label.Bad=x", { key: alice.key });
    expect(badFilter.status).toBe(400);
  });
});
