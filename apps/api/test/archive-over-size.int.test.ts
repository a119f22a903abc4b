import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINGER_BYTES } from "../src/scans/receive-archive.js";
import { TestApi } from "./api-fixture.js";

// A client that writes its whole body before reading the answer (fetch, most HTTP libraries) must get the 413 for
// an archive over IMAGE_MAX_BYTES, not a failed write (EPIPE, ECONNRESET) because the server closed mid-body.

const MAX_BYTES = 256 * 1024;

let api: TestApi;
let user: { id: string; key: string };
beforeAll(async () => {
  api = await TestApi.start({ IMAGE_MAX_BYTES: String(MAX_BYTES) });
  user = await api.createUser("business");
});
afterAll(() => api?.close());

interface Answer {
  status: number;
  code: string | undefined;
  connection: string | undefined;
  reusedSocket: boolean;
}

/** POSTs `body` to the archive route in one write, with a Content-Length (or chunked when `chunked`). */
function post(body: Buffer, options: { agent?: Agent; chunked?: boolean; declaredLength?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/x-tar", authorization: `Bearer ${user.key}` };
    if (options.chunked) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = String(options.declaredLength ?? body.length);
    const req = request(new URL("/api/v1/scan/image", api.url), { method: "POST", headers, agent: options.agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          code: (JSON.parse(text) as { code?: string }).code,
          connection: res.headers.connection,
          reusedSocket: req.reusedSocket,
        }),
      );
    });
    req.on("error", reject);
    if (options.declaredLength === undefined) req.end(body);
    else req.write(body); // declares more than it sends: the answer must come without the rest
  });
}

/** fetch (undici) writes the whole body and fails the request if a write fails, even after the answer came. */
async function fetchPost(body: Buffer): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(new URL("/api/v1/scan/image", api.url), {
    method: "POST",
    headers: { "content-type": "application/x-tar", authorization: `Bearer ${user.key}` },
    body,
  });
  return { status: response.status, code: ((await response.json()) as { code?: string }).code };
}

describe("an archive over IMAGE_MAX_BYTES", () => {
  it("is answered 413 to a client that sends the whole body first, declared or counted, every time", async () => {
    const over = Buffer.alloc(MAX_BYTES * 40);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await fetchPost(over)).toEqual({ status: 413, code: "payload_too_large" });
      expect(await post(over)).toMatchObject({ status: 413, code: "payload_too_large" });
      expect(await post(over, { chunked: true })).toMatchObject({ status: 413, code: "payload_too_large" });
    }
  });

  it("leaves a connection reusable once the rest of a declared body is drained", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(Buffer.alloc(MAX_BYTES + 1), { agent });
      expect(first).toMatchObject({ status: 413, code: "payload_too_large" });
      expect(first.connection).not.toBe("close");
      const second = await post(Buffer.from("not a tar"), { agent });
      expect(second.reusedSocket).toBe(true);
      expect(second.status).toBe(202); // accepted on the same connection; the worker finds it is not a tar
    } finally {
      agent.destroy();
    }
  });

  it("is cut short with Connection: close when the declared body is beyond what the server drains", async () => {
    const answer = await post(Buffer.alloc(1024), { declaredLength: LINGER_BYTES + 1 });
    expect(answer).toMatchObject({ status: 413, code: "payload_too_large", connection: "close" });
  });
});
