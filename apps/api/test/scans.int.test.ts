import { notifyChannel } from "@secapi/db";
import { SCAN_FINISHED_CHANNEL } from "@secapi/events";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@secapi/testing";
import { TestApi, secretsInput } from "./api-fixture.js";

let api: TestApi;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

const RECHECK_MS = 5000;

beforeAll(async () => {
  // A poll whose notification was lost re-reads the scan after 5 s (1 s in production): long enough that a
  // notified poll answering first shows the notification woke it, however slow the machine.
  api = await TestApi.start({}, { waitRecheckMs: RECHECK_MS });
  alice = await api.createUser("pro");
  bob = await api.createUser("pro");
});
afterAll(() => api.close());

const submit = (key: string, input: unknown, headers: Record<string, string> = {}) =>
  api.request("POST", "/api/v1/scans", { key, body: { type: "secrets", input }, headers });

async function scanJobs() {
  return api.queues.scans.getJobs(["waiting", "active", "delayed", "prioritized"]);
}

/** Stands in for the worker finishing a run: the same row change and NOTIFY it makes. */
async function finishRun(jobId: string, notify: boolean) {
  await sql`UPDATE scans SET status = 'completed', started_at = now(), completed_at = now() WHERE job_id = ${jobId}`.execute(api.db);
  if (notify) await notifyChannel(api.db, SCAN_FINISHED_CHANNEL, jobId);
}

describe("POST /api/v1/scans", () => {
  it("answers 202 with the scan and its Location, and queues one job that carries no input", async () => {
    const response = await submit(alice.key, secretsInput("first"));
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/api/v1/scans/${response.body.id}`);
    expect(response.body).toMatchObject({ type: "secrets", status: "queued", cached: false, started_at: null, completed_at: null });
    expect(new Date(response.body.created_at).toISOString()).toBe(response.body.created_at);

    const jobs = await waitFor(async () => {
      const found = (await scanJobs()).filter((j) => j.id?.endsWith(response.body.id));
      return found.length ? found : undefined;
    });
    expect(jobs).toHaveLength(1);
    expect(Object.keys(jobs[0]?.data ?? {}).sort()).toEqual(["inputHash", "ownerId", "scanType"]);
    expect(JSON.stringify(jobs[0]?.data)).not.toContain("example.com");
  });

  it("accepts the same scan on the alias route", async () => {
    const response = await api.request("POST", "/api/v1/scan/secrets", { key: alice.key, body: secretsInput("alias") });
    expect(response.status).toBe(202);
    expect(response.body.type).toBe("secrets");
  });

  it("coalesces identical inputs in flight into one run, whatever the file order", async () => {
    const files = [
      { path: "a.txt", content: "one" },
      { path: "b.txt", content: "two" },
    ];
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => submit(alice.key, { files: i % 2 ? files : [...files].reverse() })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(202));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(8);
    const rows = await api.db
      .selectFrom("scans")
      .select(["job_id"])
      .where("id", "in", [...ids])
      .execute();
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(1);
    const jobId = rows[0]?.job_id ?? "";
    await waitFor(async () => (await api.queues.scans.getJob(jobId)) !== undefined);
    expect((await scanJobs()).filter((j) => j.id === jobId)).toHaveLength(1);
  });

  it("never coalesces one user's secrets input with another's", async () => {
    const input = secretsInput("shared-content");
    const a = await submit(alice.key, input);
    const b = await submit(bob.key, input);
    const rows = await api.db.selectFrom("scans").select(["id", "job_id"]).where("id", "in", [a.body.id, b.body.id]).execute();
    expect(rows[0]?.job_id).not.toBe(rows[1]?.job_id);
    expect(
      await api.db.selectFrom("scan_inputs").select("owner_id").where("owner_id", "in", [alice.id, bob.id]).execute(),
    ).not.toHaveLength(0);
  });

  it("starts a new run for an input whose previous run already finished", async () => {
    const first = await submit(alice.key, secretsInput("rerun"));
    const firstJob =
      (await api.db.selectFrom("scans").select("job_id").where("id", "=", first.body.id).executeTakeFirstOrThrow()).job_id ?? "";
    await finishRun(firstJob, false);
    const second = await submit(alice.key, secretsInput("rerun"));
    const secondJob = (await api.db.selectFrom("scans").select("job_id").where("id", "=", second.body.id).executeTakeFirstOrThrow()).job_id;
    expect(secondJob).not.toBe(firstJob);
  });
});

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body, and stores one scan", async () => {
    const before = await api.count("scans");
    const first = await submit(alice.key, secretsInput("idem"), { "Idempotency-Key": "order-1" });
    const again = await submit(alice.key, secretsInput("idem"), { "Idempotency-Key": "order-1" });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await api.count("scans")).toBe(before + 1);
  });

  it("answers 422 for the same key with another body, storing nothing", async () => {
    await submit(alice.key, secretsInput("idem-a"), { "Idempotency-Key": "order-2" });
    const before = await api.count("scans");
    const other = await submit(alice.key, secretsInput("idem-b"), { "Idempotency-Key": "order-2" });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
    expect(await api.count("scans")).toBe(before);
  });

  it("serialises concurrent requests with one key into one scan", async () => {
    const before = await api.count("scans");
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => submit(alice.key, secretsInput("idem-race"), { "Idempotency-Key": "order-3" })),
    );
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(await api.count("scans")).toBe(before + 1);
  });

  it("scopes keys per user", async () => {
    const a = await submit(alice.key, secretsInput("idem-user"), { "Idempotency-Key": "order-4" });
    const b = await submit(bob.key, secretsInput("idem-user"), { "Idempotency-Key": "order-4" });
    expect(a.body.id).not.toBe(b.body.id);
  });

  it("forgets keys after 24 hours", async () => {
    const first = await submit(alice.key, secretsInput("idem-old"), { "Idempotency-Key": "order-5" });
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'order-5'`.execute(api.db);
    const later = await submit(alice.key, secretsInput("idem-other"), { "Idempotency-Key": "order-5" });
    expect(later.status).toBe(202);
    expect(later.body.id).not.toBe(first.body.id);
  });

  it("rejects a malformed key", async () => {
    const response = await submit(alice.key, secretsInput("x"), { "Idempotency-Key": "has spaces" });
    expect(response.status).toBe(400);
  });
});

describe("GET /api/v1/scans/:id", () => {
  it("shows a queued scan with Retry-After: 1 and an ETag that answers 304", async () => {
    const { body } = await submit(alice.key, secretsInput("poll"));
    const first = await api.request("GET", `/api/v1/scans/${body.id}`, { key: alice.key });
    expect(first.status).toBe(200);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(first.body.status).toBe("queued");
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    // fetch marks conditional requests `Cache-Control: no-cache` unless told otherwise, which forbids a 304.
    const headers = { "If-None-Match": etag ?? "", "Cache-Control": "max-age=0" };
    const again = await api.request("GET", `/api/v1/scans/${body.id}`, { key: alice.key, headers });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("hides other users' scans", async () => {
    const { body } = await submit(alice.key, secretsInput("private"));
    expect((await api.request("GET", `/api/v1/scans/${body.id}`, { key: bob.key })).status).toBe(404);
    expect((await api.request("DELETE", `/api/v1/scans/${body.id}`, { key: bob.key })).status).toBe(404);
  });

  it("?wait returns as soon as the run is announced finished: before a poll whose notification was lost, which waits for its re-check", async () => {
    const [notified, lost] = [await submit(alice.key, secretsInput("wait")), await submit(alice.key, secretsInput("wait-lost"))];
    const jobIdOf = async (id: string) =>
      (await api.db.selectFrom("scans").select("job_id").where("id", "=", id).executeTakeFirstOrThrow()).job_id ?? "";
    const [notifiedJob, lostJob] = [await jobIdOf(notified.body.id), await jobIdOf(lost.body.id)];
    const answered: string[] = [];
    const poll = (id: string, name: string) =>
      api.request("GET", `/api/v1/scans/${id}?wait=20`, { key: alice.key }).then((response) => {
        answered.push(name);
        return response;
      });
    const started = Date.now();
    // The lost one waits first, so its re-check comes first: a notified poll that waited for its own re-check
    // would answer second.
    const lostPoll = poll(lost.body.id, "lost");
    await waitFor(() => api.waitingPolls() === 1, { what: "the first poll waiting" });
    const notifiedPoll = poll(notified.body.id, "notified");
    await waitFor(() => api.waitingPolls() === 2, { what: "both polls waiting" });
    const polls = [notifiedPoll, lostPoll] as const;
    // Finish both runs at once, well before either re-checks (RECHECK_MS after it began to wait).
    await Promise.all([finishRun(notifiedJob, true), finishRun(lostJob, false)]);
    const [notifiedResponse, lostResponse] = await Promise.all(polls);
    console.log(
      `[api] ?wait: notified poll answered ${answered[0] === "notified" ? "first" : "second"}; both within ${Date.now() - started} ms`,
    );
    expect(notifiedResponse.body.status).toBe("completed");
    expect(notifiedResponse.headers.get("retry-after")).toBeNull();
    // The lost notification is made up for by the re-check, before the 20 s wait ends.
    expect(lostResponse.body.status).toBe("completed");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(answered).toEqual(["notified", "lost"]);
  });

  it("?wait gives up after N seconds with the scan still queued", async () => {
    const { body } = await submit(alice.key, secretsInput("wait-timeout"));
    const started = Date.now();
    const response = await api.request("GET", `/api/v1/scans/${body.id}?wait=1`, { key: alice.key });
    const waited = Date.now() - started;
    console.log(`[api] ?wait=1 answered after ${waited} ms`);
    expect(response.body.status).toBe("queued");
    expect(response.headers.get("retry-after")).toBe("1");
    expect(waited).toBeGreaterThanOrEqual(950);
    // Not the longest wait (30 s): ten times the one asked for.
    expect(waited).toBeLessThan(10_000);
  });
});

describe("GET /api/v1/scans", () => {
  it("pages through every scan once, newest first, with filters", async () => {
    const carol = await api.createUser("pro");
    const created: string[] = [];
    for (let i = 0; i < 23; i++) created.push((await submit(carol.key, secretsInput(`list-${i}`))).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=10&cursor=${cursor}` : "?limit=10";
      const page = await api.request("GET", `/api/v1/scans${query}`, { key: carol.key });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());

    const completedJob =
      (
        await api.db
          .selectFrom("scans")
          .select("job_id")
          .where("id", "=", created[0] ?? "")
          .executeTakeFirstOrThrow()
      ).job_id ?? "";
    await finishRun(completedJob, false);
    const completed = await api.request("GET", "/api/v1/scans?status=completed", { key: carol.key });
    expect(completed.body.items.map((i: { id: string }) => i.id)).toEqual([created[0]]);
    expect((await api.request("GET", "/api/v1/scans?status=queued&type=secrets&limit=100", { key: carol.key })).body.items).toHaveLength(
      22,
    );
    expect((await api.request("GET", "/api/v1/scans", { key: bob.key })).body.items.map((i: { id: string }) => i.id)).not.toContain(
      created[0],
    );
  });
});

describe("DELETE /api/v1/scans/:id", () => {
  it("deletes the scan, answers 204, and emits scan.deleted", async () => {
    const { body } = await submit(alice.key, secretsInput("delete-me"));
    const response = await api.request("DELETE", `/api/v1/scans/${body.id}`, { key: alice.key });
    expect(response.status).toBe(204);
    expect((await api.request("GET", `/api/v1/scans/${body.id}`, { key: alice.key })).status).toBe(404);
    expect((await api.request("DELETE", `/api/v1/scans/${body.id}`, { key: alice.key })).status).toBe(404);
    const event = await waitFor(async () => {
      const jobs = await api.queues.events.getJobs(["waiting"]);
      return jobs.find((j) => j.name === "scan.deleted" && j.data.data.scanId === body.id);
    });
    expect(event.data.data).toEqual({ scanId: body.id, userId: alice.id });
    expect(event.id).toBe(event.data.id);
  });
});
