import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, awsAccessKeyId, dumpDatabase } from "./stack.js";

let stack: Stack;
/** Values that must never appear in any log line; checked once the services have flushed their logs. */
const planted: string[] = [];

beforeAll(async () => {
  stack = await Stack.create();
  await stack.startApi();
  await stack.startScanWorker();
});
afterAll(() => stack.close());

describe("a secrets scan through the whole system", () => {
  it("finds exactly the real key, redacted, and the key is nowhere in Postgres or the logs", async () => {
    const user = await stack.createUser("free");
    expect(user.api_key).toMatch(/^sk_/);
    const secret = awsAccessKeyId();
    const content = [
      "# deployment settings",
      `AWS_ACCESS_KEY_ID=${secret}`,
      "GITHUB_TOKEN=${GITHUB_TOKEN}",
      "STRIPE_KEY=<your-stripe-key>",
      "",
    ].join("\n");

    const submitted = await stack.request("POST", "/api/v1/scans", user.api_key, {
      type: "secrets",
      input: { files: [{ path: "deploy/.env", content }] },
    });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get("location");
    expect(location).toBe(`/api/v1/scans/${submitted.body.id}`);
    expect(submitted.body.status).toBe("queued");

    const scan = await stack.pollUntilDone(location ?? "", user.api_key);
    expect(scan.status).toBe("completed");
    expect(scan.result.summary).toEqual({ critical: 1, high: 0, medium: 0, low: 0, unknown: 0, total: 1 });
    expect(scan.result.findings).toHaveLength(1);
    const [finding] = scan.result.findings;
    expect(finding).toMatchObject({ rule_id: "aws-access-key-id", path: "deploy/.env", line: 2, column: 19, severity: "critical" });
    expect(finding.redacted).not.toContain(secret);
    expect(finding.redacted.startsWith("AKIA")).toBe(true);
    expect(finding.fingerprint).toMatch(/^[0-9a-f]{32}$/);

    const dump = await dumpDatabase(stack.database.url);
    expect(dump).toContain(submitted.body.id);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(4));
    planted.push(secret, user.api_key);
  });

  it("drains in-flight requests on SIGTERM, exits 0, and never logged a key or a secret", async () => {
    const [api, worker] = stack.processes;
    if (!api || !worker) throw new Error("apps not started");
    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(worker.logs()).toContain("shutdown complete");

    // With no worker the scan stays queued; a long poll is in flight when the API is told to stop.
    const user = await stack.createUser("free");
    const submitted = await stack.request("POST", "/api/v1/scans", user.api_key, {
      type: "secrets",
      input: { files: [{ path: "later.txt", content: "nothing here" }] },
    });
    const poll = stack.request("GET", `/api/v1/scans/${submitted.body.id}?wait=25`, user.api_key);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const exit = api.stop("SIGTERM");
    const answered = await poll;
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe("queued");
    expect(await exit).toBe(0);
    // Answered at the shutdown, not when its 25 s wait would have ended (and exit 0: drained before
    // SHUTDOWN_TIMEOUT_MS forced it).
    const took = Date.now() - started;
    console.log(`[e2e] SIGTERM to exit with a long poll in flight: ${took} ms`);
    expect(took).toBeLessThan(25_000 / 2);
    expect(api.logs()).toContain("shutdown complete");

    const logs = stack.logs();
    expect(logs).toContain(`"url":"/api/v1/scans/${submitted.body.id}?wait=25"`);
    expect(planted).toHaveLength(2);
    for (const value of planted) expect(logs).not.toContain(value);
  });
});
