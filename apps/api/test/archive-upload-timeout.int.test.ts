import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "./api-fixture.js";

// An image archive may be IMAGE_MAX_BYTES (2 GiB): on a slow link it takes far longer than the server's request
// timeout, which bounds receiving a whole request. Uploads are bounded by an idle timeout instead; every other
// request keeps the server's timeout. Scaled down: a 1 s request timeout, a 1.5 s idle timeout, uploads of ~3 s.

const REQUEST_TIMEOUT_MS = 1_000;
const IDLE_TIMEOUT_MS = 1_500;

let api: TestApi;
let user: { id: string; key: string };
beforeAll(async () => {
  api = await TestApi.start(
    { IMAGE_UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) },
    {},
    {},
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: 500, connectionsCheckingInterval: 50 },
  );
  user = await api.createUser("business");
});
afterAll(() => api?.close());

interface SlowAnswer {
  status: number;
  body: string;
  /** Milliseconds from the first byte sent to the answer. */
  elapsedMs: number;
}

/** POSTs `chunks`, sleeping `pauses[i]` ms before chunk i: a client on a slow or stalling link. */
function slowPost(path: string, contentType: string, chunks: Buffer[], pauses: number[]): Promise<SlowAnswer> {
  const url = new URL(path, api.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${user.key}`, "transfer-encoding": "chunked" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, elapsedMs: performance.now() - started }));
      },
    );
    // The server may answer (408) and close while chunks are still due: the answer is what is checked.
    req.on("error", (error) => reject(error));
    void (async () => {
      for (const [index, chunk] of chunks.entries()) {
        await sleep(pauses[index] ?? 0);
        if (req.destroyed || req.writableEnded) return;
        req.write(chunk);
      }
      req.end();
    })();
  });
}

const chunks = (count: number, bytes: number) => Array.from({ length: count }, (_, i) => Buffer.alloc(bytes, i));

describe("archive uploads and the request timeout", () => {
  it("accepts an upload that streams steadily for longer than the request timeout", async () => {
    // Twelve chunks 250 ms apart: ~3 s of upload, three times the request timeout, never idle for long.
    const answer = await slowPost("/api/v1/scan/image", "application/x-tar", chunks(12, 4096), [0, ...Array<number>(11).fill(250)]);
    expect(answer.elapsedMs).toBeGreaterThan(REQUEST_TIMEOUT_MS * 2);
    expect(answer.status, answer.body).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ type: "image" });
  });

  it("keeps the request timeout for other routes: a JSON body dripped as slowly is cut", async () => {
    const body = Buffer.from(
      JSON.stringify({ type: "dependencies", input: { packages: [{ ecosystem: "npm", name: "a", version: "1.0.0" }] } }),
    );
    const parts = Array.from({ length: 12 }, (_, i) =>
      body.subarray(Math.floor((i * body.length) / 12), Math.floor(((i + 1) * body.length) / 12)),
    );
    const answer = await slowPost("/api/v1/scans", "application/json", parts, [0, ...Array<number>(11).fill(250)]);
    expect(answer.status).toBe(408);
  });

  it("ends an upload that stops sending for longer than the idle timeout with 408 upload_stalled", async () => {
    const answer = await slowPost("/api/v1/scan/image", "application/x-tar", chunks(3, 4096), [0, 100, IDLE_TIMEOUT_MS * 3]);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: "upload_stalled" });
  });
});
