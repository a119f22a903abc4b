import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ScanClient, ScanClientError, type UploadProgress } from "./scan-client.js";
import { scanImages } from "./scan-images.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A request as the server received it. */
interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A server answering each request with the next of `answers`; records what it was asked, and what it was sent. */
async function serve(answers: { status: number; headers?: Record<string, string>; body: unknown }[]) {
  const asked: string[] = [];
  const received: Received[] = [];
  server = createServer(async (req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks) });
    const answer = answers.shift() ?? { status: 500, body: { error: "no more answers" } };
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, asked, received };
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

  it("fails at once on a Retry-After longer than it waits, naming the window and the wait", async () => {
    const hourly = { ...limited("3540"), body: { error: "Rate limit exceeded", code: "rate_limited", window: "scans-hour" } };
    const { url, asked } = await serve([hourly]);
    const slept: number[] = [];
    const client = new ScanClient({ url, key: "k", maxRetryAfterSeconds: 300, sleep: async (ms) => void slept.push(ms) });
    await expect(client.scan("dependencies", {}, {})).rejects.toThrow(
      new ScanClientError(
        "POST /api/v1/scans: 429 rate_limited: Rate limit exceeded (scans-hour: retry after 3540 s, longer than the client waits: 300 s)",
        { serverCode: "rate_limited" },
      ),
    );
    expect(slept).toEqual([]);
    expect(asked).toHaveLength(1);
  });
});

describe("ScanClient image scans", () => {
  let dir: string;
  let archive: string;
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "secapi-cli-archive-"));
    archive = join(dir, "app.tar");
    await writeFile(archive, bytes);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const imageQueued = { id: "i1", type: "image", status: "queued" };
  const imageDone = { ...imageQueued, status: "completed", result: { summary: { total: 0 }, findings: [] } };

  it("uploads an archive as application/x-tar with its length and the labels in the query, again after a 429", async () => {
    const { url, asked, received } = await serve([limited("2"), { status: 202, body: imageQueued }, { status: 200, body: imageDone }]);
    const slept: number[] = [];
    const progress: UploadProgress[] = [];
    const client = new ScanClient({
      url,
      key: "k",
      sleep: async (ms) => void slept.push(ms),
      onUploadProgress: (step) => void progress.push(step),
    });
    const scan = await client.scanImageArchive(archive, { project: "shop", ref: "feature/x y" });
    expect(scan).toEqual(imageDone);
    expect(slept).toEqual([2000]);
    // Each attempt reports from 0 to the whole archive, read in chunks (never whole), then done.
    const attempts = progress.filter((step) => step.sentBytes === 0 && !step.done).length;
    expect(attempts).toBe(2);
    const ends = progress.filter((step) => step.done);
    expect(ends.map((step) => step.sentBytes)).toEqual([bytes.length, bytes.length]);
    expect(progress.filter((step) => !step.done && step.sentBytes > 0).length).toBeGreaterThan(2 * 2);
    expect(progress.every((step) => step.file === archive && step.totalBytes === bytes.length)).toBe(true);
    const upload = "POST /api/v1/scan/image?label.project=shop&label.ref=feature%2Fx+y";
    expect(asked).toEqual([upload, upload, "GET /api/v1/scans/i1?wait=30"]);
    for (const request of received.slice(0, 2)) {
      expect(request.headers["content-type"]).toBe("application/x-tar");
      expect(request.headers["content-length"]).toBe(String(bytes.length));
      expect(request.body.equals(bytes)).toBe(true);
    }
  });

  it("reads an archive from disk only as fast as the server takes it, and keeps none of what it sent", async () => {
    const large = join(dir, "large.tar");
    const size = 64 * 1024 * 1024;
    await writeFile(large, Buffer.alloc(size));
    let resume: (() => void) | undefined;
    server = createServer((req, res) => {
      // The server holds the body unread until told: the client must stop reading its file.
      req.pause();
      resume = () => {
        req.resume();
        req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(imageDone)));
      };
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    // Buffers held by the client, measured after a collection so that only what is still referenced counts.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const held = () => {
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    const baseline = held();
    let read = 0;
    let mostHeld = 0;
    const client = new ScanClient({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      key: "k",
      onUploadProgress: (step) => {
        if (Math.floor(step.sentBytes / (8 << 20)) > Math.floor(read / (8 << 20))) mostHeld = Math.max(mostHeld, held() - baseline);
        read = step.sentBytes;
      },
    });
    const scanned = client.scanImageArchive(large, {});
    // Until the reading stalls: socket buffers full, nothing more is read ahead.
    let previous = -1;
    while (read !== previous || resume === undefined) {
      previous = read;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(size / 4);
    resume();
    expect((await scanned).status).toBe("completed");
    expect(read).toBe(size);
    // Sent bytes are let go (fetch tees a body it may send again on a redirect, and the copy would hold them all).
    expect(mostHeld).toBeLessThan(size / 2);
  });

  it("submits a reference as an image scan, and shows the server's error code when it is refused", async () => {
    const notAllowed = {
      error: "Registry registry.evil.example is not one an image may be pulled from",
      code: "image_registry_not_allowed",
    };
    const { url, asked, received } = await serve([
      { status: 200, body: imageDone },
      { status: 422, body: notAllowed },
    ]);
    const client = new ScanClient({ url, key: "k" });
    await client.scan("image", { image: "nginx:1.25" }, {});
    expect(JSON.parse(received[0]?.body.toString() ?? "")).toEqual({ type: "image", input: { image: "nginx:1.25" }, labels: {} });
    const refused = await client.scan("image", { image: "registry.evil.example/app:1" }, {}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScanClientError);
    expect((refused as ScanClientError).serverCode).toBe("image_registry_not_allowed");
    expect((refused as Error).message).toBe(`POST /api/v1/scans: 422 image_registry_not_allowed: ${notAllowed.error}`);
    expect(asked).toEqual(["POST /api/v1/scans", "POST /api/v1/scans"]);
  });

  it("sends --platform with every image reference, and nothing when it is not given", async () => {
    const { url, received } = await serve([
      { status: 200, body: imageDone },
      { status: 200, body: imageDone },
      { status: 200, body: imageDone },
    ]);
    const client = new ScanClient({ url, key: "k" });
    await scanImages(client, { references: ["nginx:1.25", "redis:7"], archives: [], platform: "linux/arm64" }, {});
    await scanImages(client, { references: ["nginx:1.25"], archives: [] }, {});
    expect(received.map(({ body }) => JSON.parse(body.toString()).input)).toEqual([
      { image: "nginx:1.25", platform: "linux/arm64" },
      { image: "redis:7", platform: "linux/arm64" },
      { image: "nginx:1.25" },
    ]);
  });

  it("names an archive it cannot read without sending anything", async () => {
    const { url, asked } = await serve([]);
    const client = new ScanClient({ url, key: "k" });
    await expect(client.scanImageArchive(join(dir, "missing.tar"), {})).rejects.toThrow(
      /cannot read the image archive .*missing\.tar: ENOENT/,
    );
    expect(asked).toEqual([]);
  });
});
