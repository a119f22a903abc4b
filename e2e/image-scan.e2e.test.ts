import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAYER_SUMMARY_VERSION } from "@secapi/scanners";
import { REPO_ROOT, TestRedisServer, TestRegistry, freePort, missingRegistryTools, uniqueId, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEBIAN_12_OS_RELEASE, dockerSaveArchive, dpkgStatus, gzip, sha256, tarBytes } from "./image-archive.js";
import { Stack } from "./stack.js";

// The `image` scan type (docs/API.md): a `docker save` archive uploaded to POST /api/v1/scan/image, stored in Postgres for
// the scan-worker, analysed there (per-job temp dir, always removed) and matched with Debian's release rules, each
// finding naming its layer. The processes are real: API, scan-worker, cache-worker.

const MAX_BYTES = 4 * 1024 * 1024;

const missingTools = missingRegistryTools();

let redis: TestRedisServer;
let registry: TestRegistry | undefined;
let stack: Stack;
let admin: string;
let user: { id: string; api_key: string };
let db: pg.Client;
/** An allowed registry where nothing listens: a submission cannot look its tags up, nor a worker pull. */
let downRegistry: string;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  // A registry of the test's own on loopback (Debian's docker-registry), allowed and reached over plain HTTP.
  registry = missingTools === undefined ? await TestRegistry.start() : undefined;
  downRegistry = `127.0.0.1:${await freePort()}`;
  const hosts = [downRegistry, ...(registry === undefined ? [] : [registry.host])].join(",");
  stack = await Stack.create({
    REDIS_URL: redis.url(0),
    REDIS_CACHE_URL: redis.url(1),
    IMAGE_MAX_BYTES: String(MAX_BYTES),
    IMAGE_REGISTRIES: `docker.io,${hosts}`,
    IMAGE_REGISTRY_INSECURE: hosts,
    // What a tag names is kept for a second only, so that a tag pushed again is seen at once.
    IMAGE_TAG_CACHE_SECONDS: "1",
  });
  await stack.startApi();
  await stack.startScanWorker();
  await stack.startCacheWorker();
  admin = JSON.parse(
    await stack.cli("users", "create", "--email", `${uniqueId("a")}@example.com`, "--tier", "business", "--admin", "--json"),
  ).api_key;
  user = await stack.createUser("business");
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack.close();
  await registry?.stop();
  await redis.stop();
});

type Answer = { status: number; headers: Headers; body: any };

async function upload(archive: Buffer, contentType = "application/x-tar", headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${stack.apiUrl}/api/v1/scan/image`, {
    method: "POST",
    headers: { Authorization: `Bearer ${user.api_key}`, "Content-Type": contentType, ...headers },
    body: archive,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function uploadAndWait(archive: Buffer): Promise<any> {
  const submitted = await upload(archive);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  expect(submitted.body.type).toBe("image");
  return stack.pollUntilDone(submitted.headers.get("location") ?? "", user.api_key);
}

async function importAdvisories(advisories: unknown[]) {
  const response = await stack.request("POST", "/api/v1/admin/advisories", admin, advisories);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

const debianAdvisory = (id: string, name: string, fixed: string) => ({
  id,
  modified: new Date().toISOString(),
  summary: `${name} flaw`,
  affected: [{ package: { ecosystem: "Debian:12", name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
});

const storedUploads = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM image_uploads")).rows[0]?.n);

/** Scratch directories of this user's image jobs still on disk (the worker runs on this machine). */
const leftoverWorkDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith(`secapi-scan-image-${user.id}-`));

/** A Debian 12 image: openssl (vulnerable) and zlib in the base layer, an app layer on top. */
async function debianImage(tag: string) {
  const base = await tarBytes([
    { path: "etc/os-release", content: DEBIAN_12_OS_RELEASE },
    {
      path: "var/lib/dpkg/status",
      content: dpkgStatus([
        { name: "libssl3", source: "openssl", version: "3.0.11-1~deb12u1" },
        { name: "zlib1g", source: "zlib", version: "1:1.2.13.dfsg-1" },
      ]),
    },
  ]);
  const app = await tarBytes([{ path: "app/VERSION", content: tag }]);
  return dockerSaveArchive([base, app]);
}

describe("image scans of uploaded archives", () => {
  it("scans a docker save archive: Debian findings with their layer, the image block; a repeat is a cache hit; an advisory change is never served stale", async () => {
    await importAdvisories([debianAdvisory(uniqueId("DSA-OPENSSL"), "openssl", "3.0.13-1~deb12u1")]);
    const { archive, imageId, layerDigests } = await debianImage(uniqueId("v"));

    const scan = await uploadAndWait(archive);
    expect(scan.status, JSON.stringify(scan)).toBe("completed");
    const [findings, base, app] = [scan.result.findings, layerDigests[0], layerDigests[1]];
    expect(findings.map((f: any) => [f.ecosystem, f.package, f.version, f.fixed_in, f.layer])).toEqual([
      ["Debian", "12/openssl", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", base],
    ]);
    expect(scan.result.image).toEqual({
      digest: imageId,
      os: { family: "debian", version: "12" },
      layers: [
        { digest: base, index: 0, packages: 2 },
        { digest: app, index: 1, packages: 0 },
      ],
    });
    expect(await storedUploads()).toBe(0);
    expect(await leftoverWorkDirs()).toEqual([]);

    const repeat = await upload(archive);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ cached: true, status: "completed" });
    expect(repeat.body.result.findings).toEqual(findings);
    expect(await storedUploads()).toBe(0);

    // Hot (the API flushes its read counts to the shared set every second), so the cache-worker re-runs it on an advisory change.
    const cacheRedis = new Redis(redis.url(1));
    // Each layer's summary is kept by digest for every later image on the same layers.
    expect(await cacheRedis.exists(`secapi:layer:v${LAYER_SUMMARY_VERSION}:${base}`, `secapi:layer:v${LAYER_SUMMARY_VERSION}:${app}`)).toBe(
      2,
    );
    await waitFor(
      async () => ((await cacheRedis.zrange("secapi:hot-keys", 0, -1)).some((key) => key.includes(":result:image:")) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100, what: "the image result among the hot keys" },
    );
    cacheRedis.disconnect();

    // zlib had no advisory: now it has one. No answer may show the old findings again.
    const zlib = uniqueId("DSA-ZLIB");
    await importAdvisories([debianAdvisory(zlib, "zlib", "1:1.3.dfsg-1")]);
    // The cache-worker re-runs the (hot) stored result from the analysed package set kept with it: no upload, no read.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ result: { findings: { id: string }[] } }>(
          "SELECT result FROM scan_results WHERE scan_type = 'image'",
        );
        return rows.some((row) => row.result.findings.some((f) => f.id === zlib)) ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "the cache-worker's re-run of the image result" },
    );
    const current = (await upload(archive)).body;
    expect(current).toMatchObject({ status: "completed", cached: true });
    expect(await storedUploads()).toBe(0);
    expect(current.result.findings.map((f: any) => [f.package, f.layer])).toEqual([
      ["12/openssl", base],
      ["12/zlib", base],
    ]);
    expect(current.result.findings[1].id).toBe(zlib);
  });

  it("runs concurrent uploads of one archive once, replays an Idempotency-Key, and keeps no archive afterwards", async () => {
    const { archive } = await debianImage(uniqueId("concurrent"));
    const answers = await Promise.all([upload(archive), upload(archive), upload(archive)]);
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    const jobs = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id));
    const done = await Promise.all(
      answers.map((a) => (a.status === 200 ? a.body : stack.pollUntilDone(a.headers.get("location") ?? "", user.api_key))),
    );
    expect(done.map((scan) => scan.status)).toEqual(["completed", "completed", "completed"]);
    expect(new Set(done.map((scan) => JSON.stringify(scan.result.findings))).size).toBe(1);
    const { rows } = await db.query<{ runs: string }>(
      "SELECT count(DISTINCT job_id) AS runs FROM scans WHERE id = ANY($1::uuid[]) AND job_id IS NOT NULL",
      [[...jobs]],
    );
    expect(Number(rows[0]?.runs)).toBe(1);
    expect(await storedUploads()).toBe(0);

    const { archive: other } = await debianImage(uniqueId("idempotent"));
    const key = { "Idempotency-Key": uniqueId("idem") };
    const first = await upload(other, "application/x-tar", key);
    const again = await upload(other, "application/x-tar", key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    await stack.pollUntilDone(first.headers.get("location") ?? "", user.api_key);
    expect(await storedUploads()).toBe(0);
  });

  it("fails a malicious archive with its code, writing nothing outside the job's temp dir", async () => {
    const marker = uniqueId("secapi-e2e-escape");
    const outside = [join("/tmp", marker), join(tmpdir(), marker), join(tmpdir(), `${marker}-link`)];
    const layer = await tarBytes([{ path: "etc/os-release", content: DEBIAN_12_OS_RELEASE }]);

    const traversal = await dockerSaveArchive([layer], { layerPaths: [`../../../../tmp/${marker}`] });
    const symlinkEscape = await dockerSaveArchive([], {
      extra: [{ path: "layer0", type: "symlink", linkname: `../../../../tmp/${marker}-link` }],
      layerPaths: ["layer0"],
    });
    // 64 MiB of zeros is a few dozen KiB gzipped, and expands past 8 × IMAGE_MAX_BYTES.
    const bomb = await dockerSaveArchive([gzip(Buffer.alloc(64 * 1024 * 1024))]);
    // Inside a layer, nothing is ever extracted: escaping names are only paths to compare.
    const hostileLayer = await dockerSaveArchive([
      await tarBytes([
        { path: "etc/os-release", content: DEBIAN_12_OS_RELEASE },
        { path: `../../../../tmp/${marker}`, content: "x" },
        { path: `/tmp/${marker}`, content: "x" },
        { path: "escape", type: "symlink", linkname: "/tmp" },
        { path: `escape/${marker}`, content: "x" },
      ]),
    ]);

    const cases: [Buffer, string | null][] = [
      [traversal.archive, "image_archive_invalid"],
      [symlinkEscape.archive, "image_archive_invalid"],
      [bomb.archive, "image_too_large"],
      [hostileLayer.archive, null],
    ];
    for (const [archive, code] of cases) {
      const scan = await uploadAndWait(archive);
      if (code === null) expect(scan.status, JSON.stringify(scan)).toBe("completed");
      else expect([scan.status, scan.error?.code], JSON.stringify(scan)).toEqual(["failed", code]);
    }
    for (const path of outside) expect(existsSync(path), path).toBe(false);
    expect(await leftoverWorkDirs()).toEqual([]);
    expect(await storedUploads()).toBe(0);
  });

  it("refuses an archive over IMAGE_MAX_BYTES (413), a body of another type (415), a registry not allowed (422), and stores nothing", async () => {
    const before = await storedUploads();
    const tooLarge = await upload(Buffer.alloc(MAX_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe("payload_too_large");
    // Without a Content-Length, counted while it streams.
    const chunks = [Buffer.alloc(MAX_BYTES), Buffer.alloc(1024)];
    const streamed = await fetch(`${stack.apiUrl}/api/v1/scan/image`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.api_key}`, "Content-Type": "application/x-tar" },
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const wrongType = await upload(Buffer.from("hello"), "text/plain");
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error).toContain("application/x-tar");
    const notAllowed = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image: "registry.evil.example/app:1" });
    expect(notAllowed.status).toBe(422);
    expect(notAllowed.body.code).toBe("image_registry_not_allowed");
    expect(notAllowed.body.error).toContain("docker.io");
    const malformed = await stack.request("POST", "/api/v1/scan/docker", user.api_key, { image: "Nginx:1" });
    expect([malformed.status, malformed.body.code]).toEqual([422, "image_reference_invalid"]);
    expect(await storedUploads()).toBe(before);
  });
});

describe.skipIf(missingTools !== undefined)("image scans by reference, pulled from a registry", () => {
  it("pulls an image by reference and matches it like its archive; its digest shares the result; an unknown tag is refused (422)", async () => {
    const host = registry?.host ?? "";
    const advisory = uniqueId("DSA-OPENSSL-PULL");
    await importAdvisories([debianAdvisory(advisory, "openssl", "3.0.13-1~deb12u1")]);
    const dir = await mkdtemp(join(tmpdir(), "secapi-e2e-layers-"));
    try {
      const base = gzip(
        await tarBytes([
          { path: "etc/os-release", content: DEBIAN_12_OS_RELEASE },
          { path: "var/lib/dpkg/status", content: dpkgStatus([{ name: "libssl3", source: "openssl", version: "3.0.11-1~deb12u1" }]) },
        ]),
      );
      const app = gzip(await tarBytes([{ path: "app/VERSION", content: uniqueId("v") }]));
      const files = [join(dir, "base.tar.gz"), join(dir, "app.tar.gz")];
      await writeFile(files[0] ?? "", base);
      await writeFile(files[1] ?? "", app);
      const repository = `e2e/${uniqueId("app").toLowerCase()}`;
      const manifestDigest = await registry?.pushLayers(repository, "1", files);

      const submitted = await stack.request("POST", "/api/v1/scan/docker", user.api_key, { image: `${host}/${repository}:1` });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
      expect(submitted.body.type).toBe("image");
      const scan = await stack.pollUntilDone(submitted.headers.get("location") ?? "", user.api_key);
      expect(scan.status, JSON.stringify(scan)).toBe("completed");
      const finding = scan.result.findings.find((f: any) => f.id === advisory);
      expect([finding?.package, finding?.layer]).toEqual(["12/openssl", sha256(base)]);
      expect(scan.result.image).toMatchObject({
        digest: manifestDigest,
        reference: `${host}/${repository}:1@${manifestDigest}`,
        platform: "linux/amd64",
        os: { family: "debian", version: "12" },
      });

      // The same reference again, through the other route name: the same input, a cache hit; and so is its digest.
      const repeat = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image: `${host}/${repository}:1` });
      expect([repeat.status, repeat.body.cached]).toEqual([200, true]);
      const byDigest = await stack.request("POST", "/api/v1/scan/image", user.api_key, {
        image: `${host}/${repository}@${manifestDigest}`,
      });
      expect([byDigest.status, byDigest.body.cached, byDigest.body.result.findings]).toEqual([200, true, scan.result.findings]);

      // An unknown tag or repository is refused at submission, with the code the scan would have failed with.
      for (const image of [`${host}/${repository}:nope`, `${host}/e2e/nobody-${uniqueId("r").toLowerCase()}:1`]) {
        const missing = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
        expect([missing.status, missing.body.code], image).toEqual([422, "image_not_found"]);
      }
      expect(await leftoverWorkDirs()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(missingTools !== undefined)("image tags resolved to their digest at submission", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "secapi-e2e-tags-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A Debian 12 image of these source packages in one layer, pushed as `<repository>:<tag>`; its manifest digest. */
  async function pushDebian(repository: string, tag: string, packages: { name: string; source: string; version: string }[]) {
    const layer = gzip(
      await tarBytes([
        { path: "etc/os-release", content: DEBIAN_12_OS_RELEASE },
        { path: "var/lib/dpkg/status", content: dpkgStatus(packages) },
      ]),
    );
    const file = join(dir, `${uniqueId("layer")}.tar.gz`);
    await writeFile(file, layer);
    return (await registry?.pushLayers(repository, tag, [file])) ?? "";
  }

  it("answers a tag from the cache while it names the same image, and scans it again once it is pushed anew", async () => {
    const host = registry?.host ?? "";
    const [openssl, zlib] = [uniqueId("DSA-OPENSSL-TAG"), uniqueId("DSA-ZLIB-TAG")];
    await importAdvisories([debianAdvisory(openssl, "openssl", "3.0.13-1~deb12u1"), debianAdvisory(zlib, "zlib", "1:1.3.dfsg-1")]);
    const repository = `e2e/${uniqueId("moving").toLowerCase()}`;
    const image = `${host}/${repository}:t`;
    const digestA = await pushDebian(repository, "t", [{ name: "libssl3", source: "openssl", version: "3.0.11-1~deb12u1" }]);

    const first = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
    expect([first.status, first.headers.get("x-cache-status")], JSON.stringify(first.body)).toEqual([202, "MISS"]);
    const a = await stack.pollUntilDone(first.headers.get("location") ?? "", user.api_key);
    expect(a.status, JSON.stringify(a)).toBe("completed");
    expect(a.result.image).toMatchObject({ digest: digestA, reference: `${image}@${digestA}` });
    // Advisories of the other tests are in the same database: only this test's own are looked at.
    const ours = (scan: any) => scan.result.findings.map((f: any) => f.id).filter((id: string) => id === openssl || id === zlib);
    expect(ours(a)).toEqual([openssl]);
    // Every repeat reuses the stored result (200, cached); one is answered from Redis once the result is cached
    // there (on a loaded machine a cache write can miss its 50 ms deadline: that repeat is read from Postgres).
    const repeats: [number, unknown][] = [];
    const again = await waitFor(
      async () => {
        const repeat = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
        repeats.push([repeat.status, repeat.body.cached]);
        return repeat.headers.get("x-cache-status") === "HIT" ? repeat : undefined;
      },
      { what: "a repeat answered from the cache" },
    );
    expect(repeats.filter(([status, cached]) => status !== 200 || cached !== true)).toEqual([]);
    expect([again.status, again.body.cached, again.headers.get("x-cache-status")]).toEqual([200, true, "HIT"]);

    // The tag now names another image (other packages): once the API's second of keeping the old digest is over,
    // the tag is a new input, never answered with the old image's result.
    const digestB = await pushDebian(repository, "t", [{ name: "zlib1g", source: "zlib", version: "1:1.2.13.dfsg-1" }]);
    expect(digestB).not.toBe(digestA);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const moved = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
    expect([moved.status, moved.body.cached, moved.headers.get("x-cache-status")], JSON.stringify(moved.body)).toEqual([
      202,
      false,
      "MISS",
    ]);
    const b = await stack.pollUntilDone(moved.headers.get("location") ?? "", user.api_key);
    expect(b.status, JSON.stringify(b)).toBe("completed");
    expect(b.result.image).toMatchObject({ digest: digestB, reference: `${image}@${digestB}` });
    expect(ours(b)).toEqual([zlib]);
    // The first image, named by its digest, still has its own result.
    const pinned = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image: `${host}/${repository}@${digestA}` });
    expect([pinned.status, ours(pinned.body)]).toEqual([200, [openssl]]);
  });

  it("scans the platform asked for from a multi-platform index; the platform is part of the input", async () => {
    const host = registry?.host ?? "";
    const repository = `e2e/${uniqueId("multi").toLowerCase()}`;
    const amd64 = await pushDebian(repository, "amd64", [{ name: "zlib1g", source: "zlib", version: "1:1.2.13.dfsg-1" }]);
    const arm64 = await pushDebian(repository, "arm64", [{ name: "libssl3", source: "openssl", version: "3.0.11-1~deb12u1" }]);
    const entries = await Promise.all(
      [
        ["amd64", amd64],
        ["arm64", arm64],
      ].map(async ([architecture, digest]) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest,
        size: (await registry?.manifest(repository, digest ?? ""))?.bytes.length,
        platform: { os: "linux", architecture },
      })),
    );
    const index = await registry?.putManifest(
      repository,
      "1",
      "application/vnd.oci.image.index.v1+json",
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: entries }),
    );
    const image = `${host}/${repository}:1`;
    const scanOf = async (input: object) => {
      const submitted = await stack.request("POST", "/api/v1/scan/image", user.api_key, input);
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
      return stack.pollUntilDone(submitted.headers.get("location") ?? "", user.api_key);
    };
    const arm = await scanOf({ image, platform: "linux/arm64" });
    expect(arm.status, JSON.stringify(arm)).toBe("completed");
    expect(arm.result.image).toMatchObject({ digest: arm64, reference: `${image}@${index}`, platform: "linux/arm64" });
    expect(arm.result.image.layers).toHaveLength(1);
    const amd = await scanOf({ image });
    expect(amd.result.image).toMatchObject({ digest: amd64, platform: "linux/amd64" });

    const unknown = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image, platform: "linux/arm64/v9" });
    const failed = await stack.pollUntilDone(unknown.headers.get("location") ?? "", user.api_key);
    expect([failed.status, failed.error?.code]).toEqual(["failed", "image_platform_not_found"]);
    const malformed = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image, platform: "arm64" });
    expect(malformed.status).toBe(400);
  });

  it("queues a tag whose registry does not answer, uncached, for the worker to resolve (image_registry_unreachable)", async () => {
    const image = `${downRegistry}/e2e/app:1`;
    const submitted = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
    expect([submitted.status, submitted.headers.get("x-cache-status")], JSON.stringify(submitted.body)).toEqual([202, "BYPASS"]);
    const failed = await stack.pollUntilDone(submitted.headers.get("location") ?? "", user.api_key);
    expect([failed.status, failed.error?.code]).toEqual(["failed", "image_registry_unreachable"]);
    // Never answered from an earlier run of the same tag.
    const again = await stack.request("POST", "/api/v1/scan/image", user.api_key, { image });
    expect([again.status, again.headers.get("x-cache-status")]).toEqual([202, "BYPASS"]);
    await stack.pollUntilDone(again.headers.get("location") ?? "", user.api_key);
  });
});

describe("image scans of rpm-based images", () => {
  const rockyOsRelease = (id: string, versionId: string) => `NAME="${id}"\nID="${id}"\nVERSION_ID="${versionId}"\n`;

  it("reads a Rocky Linux 9 rpmdb.sqlite and matches Rocky Linux:9 advisories by source package; a BerkeleyDB database is unchecked", async () => {
    const advisory = uniqueId("RLSA-OPENSSL");
    await importAdvisories([
      {
        id: advisory,
        modified: new Date().toISOString(),
        summary: "openssl flaw",
        affected: [
          {
            package: { ecosystem: "Rocky Linux:9", name: "openssl" },
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:3.0.7-25.el9_3" }] }],
          },
        ],
      },
    ]);
    const rpmdb = await readFile(`${REPO_ROOT}e2e/fixtures/images/rocky-9-rpmdb.sqlite`);
    const base = gzip(
      await tarBytes([
        { path: "etc/os-release", content: rockyOsRelease("rocky", "9.3") },
        { path: "var/lib/rpm/rpmdb.sqlite", content: rpmdb },
      ]),
    );
    const app = gzip(await tarBytes([{ path: "app/VERSION", content: uniqueId("v") }]));
    const { archive } = await dockerSaveArchive([base, app]);
    const scan = await uploadAndWait(archive);
    expect(scan.status, JSON.stringify(scan)).toBe("completed");
    expect(scan.result.findings.map((f: any) => [f.ecosystem, f.id, f.package, f.version, f.fixed_in, f.layer])).toEqual([
      ["Rocky Linux", advisory, "9/openssl", "1:3.0.7-24.el9", "1:3.0.7-25.el9_3", sha256(base)],
    ]);
    expect(scan.result.image).toMatchObject({ os: { family: "rocky", version: "9.3" }, layers: [{ packages: 2 }, { packages: 0 }] });

    const alma8 = gzip(
      await tarBytes([
        { path: "etc/os-release", content: rockyOsRelease("almalinux", "8.9") },
        { path: "var/lib/rpm/Packages", content: Buffer.alloc(8192, 1) },
      ]),
    );
    const old = await uploadAndWait((await dockerSaveArchive([alma8])).archive);
    expect(old.status, JSON.stringify(old)).toBe("completed");
    expect(old.result.findings).toEqual([]);
    expect(old.result.unchecked).toMatchObject([
      { ecosystem: "rpm", name: "var/lib/rpm/Packages", kind: "unsupported_ecosystem", reason: expect.stringContaining("BerkeleyDB") },
    ]);
    expect(await leftoverWorkDirs()).toEqual([]);
  });
});
