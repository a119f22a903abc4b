import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CacheKeys, inputHash } from "@secapi/core";
import { TestRegistry, missingRegistryTools, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UNREACHABLE_SECONDS } from "../src/scans/image-tag-digests.js";
import { TestApi, type TestUser } from "./api-fixture.js";

// Submissions of an image by tag are pinned to the digest the tag names (docs/API.md, `image`): looked up by the API
// against a real registry on loopback, behind a proxy of the test's own that counts manifest requests and can
// refuse or stall them. No scan-worker runs here: what is checked is each submission's answer and content address.

const missing = missingRegistryTools();

/** In front of the registry: counts manifest requests; answers 401 without a challenge, or nothing, on request. */
class CountingProxy {
  readonly manifestRequests: string[] = [];
  mode: "forward" | "refuse" | "silent" = "forward";
  host = "";
  private server: Server | undefined;

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const [method, url] = [req.method ?? "GET", req.url ?? "/"];
      if (url.includes("/manifests/")) this.manifestRequests.push(`${method} ${url}`);
      if (this.mode === "silent") return;
      if (this.mode === "refuse") return void res.writeHead(401).end();
      const accept = req.headers.accept;
      fetch(this.upstream + url, { method, headers: typeof accept === "string" ? { accept } : {} })
        .then(async (answer) => {
          const headers: Record<string, string> = {};
          for (const name of ["content-type", "docker-content-digest"]) {
            const value = answer.headers.get(name);
            if (value !== null) headers[name] = value;
          }
          res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe.skipIf(missing !== undefined)("image submissions pinned to the digest their tag names", () => {
  let registry: TestRegistry;
  let proxy: CountingProxy;
  let api: TestApi;
  let user: TestUser;
  let dir: string;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    proxy = await new CountingProxy(registry.url).start();
    dir = await mkdtemp(join(tmpdir(), "secapi-image-tags-"));
    api = await TestApi.start({
      IMAGE_REGISTRIES: proxy.host,
      IMAGE_REGISTRY_INSECURE: proxy.host,
      IMAGE_TAG_CACHE_SECONDS: "60",
    });
    user = await api.createUser("pro");
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await proxy?.stop();
    await registry?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    proxy.mode = "forward";
    proxy.manifestRequests.length = 0;
  });

  async function push(repository: string, tag: string): Promise<string> {
    const file = join(dir, `${uniqueId("layer")}.tar.gz`);
    await writeFile(file, gzipSync(Buffer.from(uniqueId("content"))));
    return registry.pushLayers(repository, tag, [file]);
  }

  const submit = (body: unknown) => api.request("POST", "/api/v1/scan/image", { key: user.key, body });

  async function inputHashOf(scanId: string): Promise<string> {
    const row = await api.db.selectFrom("scans").select("input_hash").where("id", "=", scanId).executeTakeFirstOrThrow();
    return row.input_hash;
  }

  it("addresses a tag by its digest and platform, looking the tag up once for many submissions", async () => {
    const repository = `tags/${uniqueId("app").toLowerCase()}`;
    const digest = await push(repository, "t");
    const image = `${proxy.host}/${repository}:t`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit({ image })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    // One HEAD, not one per submission, and no GET: the registry names the digest.
    expect(proxy.manifestRequests).toEqual([`HEAD /v2/${repository}/manifests/t`]);
    const address = inputHash({ image: `${proxy.host}/${repository}@${digest}`, platform: "linux/amd64" });
    const hashes = new Set(await Promise.all(answers.map((answer) => inputHashOf(answer.body.id))));
    expect([...hashes]).toEqual([address]);

    // By digest: the same address, no lookup. Another platform: another address.
    const byDigest = await submit({ image: `${proxy.host}/${repository}@${digest}` });
    const arm = await submit({ image, platform: "linux/arm64" });
    expect(await inputHashOf(byDigest.body.id)).toBe(address);
    expect(await inputHashOf(arm.body.id)).toBe(inputHash({ image: `${proxy.host}/${repository}@${digest}`, platform: "linux/arm64" }));
    expect(proxy.manifestRequests).toHaveLength(1);

    // A body large enough to be prepared on a thread is pinned the same way.
    const padded = `{"image": ${JSON.stringify(image)}${" ".repeat(70 * 1024)}}`;
    const large = await api.request("POST", "/api/v1/scan/image", {
      key: user.key,
      rawBody: padded,
      headers: { "Content-Type": "application/json" },
    });
    expect(large.status, JSON.stringify(large.body)).toBe(202);
    expect(await inputHashOf(large.body.id)).toBe(address);
  });

  it("refuses an unknown tag or repository and a refused pull with 422, never cached, with the pull's codes", async () => {
    const repository = `tags/${uniqueId("app").toLowerCase()}`;
    await push(repository, "t");
    for (const image of [`${proxy.host}/${repository}:nope`, `${proxy.host}/tags/nobody:1`]) {
      const refused = await submit({ image });
      expect([refused.status, refused.body.code], image).toEqual([422, "image_not_found"]);
    }
    // Not kept: the tag pushed a moment later is found.
    await push(repository, "nope");
    expect((await submit({ image: `${proxy.host}/${repository}:nope` })).status).toBe(202);
    proxy.mode = "refuse";
    const unauthorised = await submit({ image: `${proxy.host}/${repository}:other` });
    expect([unauthorised.status, unauthorised.body.code]).toEqual([422, "image_unauthorized"]);
  });

  it("replays an Idempotency-Key's first answer after the tag has moved on", async () => {
    const repository = `tags/${uniqueId("app").toLowerCase()}`;
    const image = `${proxy.host}/${repository}:t`;
    await push(repository, "t");
    const headers = { "Idempotency-Key": uniqueId("idem") };
    const first = await api.request("POST", "/api/v1/scan/image", { key: user.key, body: { image }, headers });
    expect(first.status).toBe(202);
    await push(repository, "t");
    await api.cache.delete(new CacheKeys(api.cachePrefix).imageTag(image));
    const retry = await api.request("POST", "/api/v1/scan/image", { key: user.key, body: { image }, headers });
    expect([retry.status, retry.headers.get("idempotent-replayed"), retry.body.id]).toEqual([202, "true", first.body.id]);
    // Without the key, the tag is the new image.
    const fresh = await submit({ image });
    expect(await inputHashOf(fresh.body.id)).not.toBe(await inputHashOf(first.body.id));
  });

  it("queues a tag whose registry does not answer by the tag as given, bypassing the cache, without hanging", async () => {
    const repository = `tags/${uniqueId("app").toLowerCase()}`;
    const image = `${proxy.host}/${repository}:t`;
    proxy.mode = "silent";
    const first = await submit({ image });
    expect([first.status, first.headers.get("x-cache-status")], JSON.stringify(first.body)).toEqual([202, "BYPASS"]);
    expect(await inputHashOf(first.body.id)).toBe(inputHash({ image, platform: "linux/amd64" }));
    // For a few seconds the registry is not asked again: the next submission is queued at once, by the tag too.
    proxy.mode = "forward";
    const digest = await push(repository, "t");
    const meanwhile = await submit({ image });
    expect([meanwhile.status, meanwhile.headers.get("x-cache-status")]).toEqual([202, "BYPASS"]);
    // Then the tag is pinned.
    await new Promise((resolve) => setTimeout(resolve, (UNREACHABLE_SECONDS + 0.5) * 1000));
    const second = await submit({ image });
    expect([second.status, second.headers.get("x-cache-status")]).toEqual([202, "MISS"]);
    expect(await inputHashOf(second.body.id)).toBe(inputHash({ image: `${proxy.host}/${repository}@${digest}`, platform: "linux/amd64" }));
  });
});
