import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ScanClient, ScanClientError } from "./scan-client.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server answering each request with the next of `answers`; records what it was asked. */
async function serve(answers: { status: number; headers?: Record<string, string>; body: unknown }[]) {
  const asked: string[] = [];
  server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const answer = answers.shift() ?? { status: 500, body: { error: "no more answers" } };
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, asked };
}

const queued = { id: "s1", type: "dependencies", status: "queued" };
const done = { ...queued, status: "completed", result: { summary: { total: 0 }, findings: [] } };
const limited = (seconds: string) => ({
  status: 429,
  headers: { "Retry-After": seconds },
  body: { error: "Rate limit exceeded", code: "rate_limited" },
});

describe("ScanClient", () => {
  it("submits, waits with ?wait, and retries a 429 after its Retry-After", async () => {
    const { url, asked } = await serve([limited("3"), { status: 202, body: queued }, limited("1"), { status: 200, body: done }]);
    const slept: number[] = [];
    const client = new ScanClient({ url, key: "k", sleep: async (ms) => void slept.push(ms) });
    const scan = await client.scan("dependencies", { packages: [] }, { project: "web" });
    expect(scan.status).toBe("completed");
    expect(slept).toEqual([3000, 1000]);
    expect(asked).toEqual(["POST /api/v1/scans", "POST /api/v1/scans", "GET /api/v1/scans/s1?wait=30", "GET /api/v1/scans/s1?wait=30"]);
  });

  it("gives up after its retries, and reports server errors with their message", async () => {
    const { url } = await serve([limited("1"), limited("1"), { status: 400, body: { error: "Invalid labels" } }]);
    const client = new ScanClient({ url, key: "k", maxRateLimitRetries: 1, sleep: async () => undefined });
    await expect(client.scan("dependencies", {}, {})).rejects.toThrow(/429/);
    await expect(client.scan("dependencies", {}, {})).rejects.toThrow(new ScanClientError("POST /api/v1/scans: 400 Invalid labels"));
  });
});
