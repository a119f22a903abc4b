import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINGER_BYTES } from "../src/scans/receive-archive.js";
import { TestApi, type TestUser, secretsInput } from "./api-fixture.js";

// A caller whose scan quota is used up learns it before uploading its archive (up to IMAGE_MAX_BYTES, 2 GiB):
// the 429 comes before the body is read, and nothing of the body is stored.

const LIMITS = JSON.stringify({ free: { requests_per_minute: 1000, scans_per_hour: 1, scans_per_month: 100 } });

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start({ TIER_LIMITS: LIMITS });
});
afterAll(() => api?.close());

/** A free user who has used the one scan of their hour. */
async function userAtHourlyLimit(): Promise<TestUser> {
  const user = await api.createUser("free");
  const first = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("quota") } });
  expect(first.status).toBe(202);
  return user;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * POSTs an archive body: `sent` is written, and the request ends only if `declaredLength` is not given (a body
 * declared longer than what is sent is never finished: only an answer given before the body can come back).
 */
function postArchive(
  key: string,
  sent: Buffer,
  options: { agent?: Agent; declaredLength?: number; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/x-tar", authorization: `Bearer ${key}` };
    if (options.chunked) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = String(options.declaredLength ?? sent.length);
    const req = request(new URL("/api/v1/scan/image", api.url), { method: "POST", headers, agent: options.agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        const answer = { status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) };
        if (!req.writableEnded) req.destroy();
        // Once the whole body is written: a request queued on the agent before gets a new socket rather than this one.
        if (req.writableFinished || req.destroyed) resolve(answer);
        else req.once("finish", () => resolve(answer));
      });
    });
    req.on("error", reject);
    if (options.declaredLength === undefined && !options.chunked) req.end(sent);
    else req.write(sent);
  });
}

const uploadRows = async () =>
  Number(
    (
      await api.db
        .selectFrom("image_uploads")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

function expectScanHourDenial(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toMatchObject({
    error: "Rate limit exceeded",
    code: "rate_limited",
    limit: 1,
    window: "scans-hour",
    window_seconds: 3600,
  });
  expect(answer.body.retry_after).toBeGreaterThan(0);
  expect(answer.headers["retry-after"]).toBe(String(answer.body.retry_after));
  expect(answer.headers["x-ratelimit-remaining"]).toBe("0");
  expect(answer.headers["ratelimit-policy"]).toContain('"scans-hour";q=1;w=3600');
}

describe("an archive upload past the scan quota", () => {
  it("is answered 429 before its body is read, with Connection: close for a large declared body, and stores nothing", async () => {
    const user = await userAtHourlyLimit();
    const uploadsBefore = await uploadRows();
    // 1 GiB declared, 64 KiB sent: the answer can only come before the body.
    const answer = await postArchive(user.key, Buffer.alloc(64 * 1024), { declaredLength: 1024 ** 3 });
    expectScanHourDenial(answer);
    expect(answer.headers.connection).toBe("close");
    expect(await uploadRows()).toBe(uploadsBefore);
    const scans = await api.db.selectFrom("scans").select("id").where("user_id", "=", user.id).execute();
    expect(scans).toHaveLength(1);
  });

  it("is answered 429 before a chunked body of unknown length ends", async () => {
    const user = await userAtHourlyLimit();
    expectScanHourDenial(await postArchive(user.key, Buffer.alloc(64 * 1024), { chunked: true }));
  });

  it("drains a small body sent whole, leaving the connection usable, and the refusal consumes nothing", async () => {
    const user = await userAtHourlyLimit();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = await postArchive(user.key, Buffer.alloc(Math.floor(LINGER_BYTES / 4)), { agent });
      expectScanHourDenial(answer);
      expect(answer.headers.connection).not.toBe("close");
      const usage = await new Promise<{ reused: boolean; body: any }>((resolve, reject) => {
        const req = request(new URL("/api/v1/usage", api.url), { headers: { authorization: `Bearer ${user.key}` }, agent }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ reused: req.reusedSocket, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(usage.reused).toBe(true);
      expect(usage.body.limits.scans_per_hour).toMatchObject({ used: 1, remaining: 0 });
    } finally {
      agent.destroy();
    }
  });

  it("is still received within the quota: the check before the body only peeks", async () => {
    const user = await api.createUser("free");
    const answer = await postArchive(user.key, Buffer.from("not a tar"));
    expect(answer.status).toBe(202); // the worker finds it is not a tar
    const usage = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.body.limits.scans_per_hour).toMatchObject({ used: 1, remaining: 0 });
  });
});
