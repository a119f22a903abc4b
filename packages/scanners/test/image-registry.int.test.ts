import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConnectProxy, TestRegistry, buildOciImage, freePort, missingRegistryTools } from "@secapi/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { analyzeImageArchive, analyzeImageReference, InMemoryLayerSummaryStore, resolveImageDigest } from "../src/index.js";
import type { AnalyzeImageReferenceOptions, ImageAnalysis } from "../src/index.js";
import { GO_MODINFO, goBuildInfoBlob, jarBytes, syntheticElf } from "../src/image/language-binaries.fixture.js";
import { rpmSqliteDatabase } from "../src/image/rpm/rpm-database.fixture.js";

const missing = missingRegistryTools();
if (missing !== undefined) console.warn(missing);

const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const dpkgStatus = [
  "Package: libssl3\nStatus: install ok installed\nSource: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2\n",
  "Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n",
].join("\n");
const npmPackage = (name: string, version: string) => JSON.stringify({ name, version });
const GEMFILE_LOCK = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n\nDEPENDENCIES\n  rack\n";
const COMPOSER_LOCK = JSON.stringify({ packages: [{ name: "guzzlehttp/psr7", version: "1.8.1" }] });
/** About 1.5 MiB of text: the zstd layer that holds it spans a dozen blocks. */
const FILLER = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${(Math.imul(i, 2654435761) >>> 0).toString(16)}\n`).join("");

/** Pushes an OCI layout image with its layers recompressed by zstd (level 3), as `skopeo copy --dest-compress-format zstd` does. */
async function pushZstd(source: string, registry: TestRegistry, target: string): Promise<void> {
  await promisify(execFile)("skopeo", [
    "copy",
    "--quiet",
    "--dest-tls-verify=false",
    "--format",
    "oci",
    "--dest-compress-format",
    "zstd",
    "--dest-compress-level",
    "3",
    source,
    `docker://${registry.host}/${target}`,
  ]);
}

/**
 * A proxy in front of the registry, as a hosted registry behaves: optionally a Bearer challenge and a token
 * endpoint that wants a login; it counts blob GETs, and can corrupt or stall chosen blobs.
 */
class RegistryProxy {
  /** Blob downloads (GET; a HEAD is not one). */
  readonly blobGets: string[] = [];
  login: { username: string; password: string } | undefined;
  /** How a login is asked for: a Bearer challenge with a token endpoint, or Basic on every request. */
  scheme: "bearer" | "basic" = "bearer";
  readonly corrupt = new Set<string>();
  readonly stall = new Set<string>();
  /** Paths answered 503 this many more times. */
  readonly unavailable = new Map<string, number>();
  /** Paths never answered (not even headers). */
  readonly silent = new Set<string>();
  /** Manifest requests, as `<METHOD> <path>`. */
  readonly manifestRequests: string[] = [];
  /** Answers a manifest HEAD without Docker-Content-Digest, as some registries do. */
  headWithoutDigest = false;
  private server: Server | undefined;
  host = "";
  private readonly token = "t0ken";

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req.method ?? "GET", req.url ?? "/", req.headers, res).catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(method: string, url: string, headers: NodeJS.Dict<string | string[]>, res: ServerResponse): Promise<void> {
    if (url.startsWith("/token")) {
      const expected = this.login && `Basic ${Buffer.from(`${this.login.username}:${this.login.password}`).toString("base64")}`;
      if (headers.authorization !== expected) return void res.writeHead(401).end('{"details":"bad login"}');
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: this.token }));
    }
    const basic = this.login && `Basic ${Buffer.from(`${this.login.username}:${this.login.password}`).toString("base64")}`;
    if (this.scheme === "basic" && this.login !== undefined && headers.authorization !== basic) {
      return void res.writeHead(401, { "www-authenticate": 'Basic realm="test-registry"' }).end();
    }
    if (this.scheme === "bearer" && this.login !== undefined && headers.authorization !== `Bearer ${this.token}`) {
      const scope = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url)?.[1];
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="http://${this.host}/token",service="test-registry"${scope ? `,scope="repository:${scope}:pull"` : ""}`,
        "content-type": "application/json",
      });
      return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    const failures = this.unavailable.get(url) ?? 0;
    if (failures > 0) {
      this.unavailable.set(url, failures - 1);
      return void res.writeHead(503).end();
    }
    if (this.silent.has(url)) return;
    if (url.includes("/manifests/")) this.manifestRequests.push(`${method} ${url}`);
    const blob = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url)?.[1];
    if (blob !== undefined && method === "GET") this.blobGets.push(blob);
    if (blob !== undefined && this.stall.has(blob)) return void res.writeHead(200).write("x");
    const accept = headers.accept;
    const answer = await fetch(this.upstream + url, { method, headers: typeof accept === "string" ? { accept } : {} });
    const out: Record<string, string> = {};
    for (const name of ["content-type", "docker-content-digest", "www-authenticate"]) {
      if (name === "docker-content-digest" && method === "HEAD" && this.headWithoutDigest) continue;
      const value = answer.headers.get(name);
      if (value !== null) out[name] = value;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    if (blob !== undefined && this.corrupt.has(blob) && body.length > 0) body.writeUInt8((body.at(-1) ?? 0) ^ 0xff, body.length - 1);
    res.writeHead(answer.status, out).end(body);
  }
}

describe.skipIf(missing !== undefined)("analyzeImageReference against a registry on loopback", () => {
  let registry: TestRegistry;
  let proxy: RegistryProxy;
  let buildDir: string;
  let workDir: string;
  let options: AnalyzeImageReferenceOptions;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    registry = await TestRegistry.start();
    proxy = await new RegistryProxy(registry.url).start();
    buildDir = await mkdtemp(join(tmpdir(), "secapi-image-build-"));
    const debian = await buildOciImage(
      buildDir,
      [
        { files: { "etc/os-release": DEBIAN_OS_RELEASE, "var/lib/dpkg/status": dpkgStatus } },
        { files: { "app/node_modules/lodash/package.json": npmPackage("lodash", "4.17.20") } },
      ],
      { tag: "debian" },
    );
    await registry.push(debian, "debian/app:1", "v2s2");
    // The same base and app layer, then a layer that deletes the vulnerable lodash (a whiteout).
    await registry.push(
      await buildOciImage(buildDir, [{ remove: ["app/node_modules/lodash"] }], { tag: "fixed", from: "debian" }),
      "debian/app:fixed",
    );
    const distroless = await buildOciImage(
      buildDir,
      [
        {
          files: {
            "etc/os-release": DEBIAN_OS_RELEASE,
            "var/lib/dpkg/status.d/libssl3": "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n",
            "var/lib/dpkg/status.d/base-files": "Package: base-files\nVersion: 12.4+deb12u5\n",
          },
        },
      ],
      { tag: "distroless" },
    );
    await registry.push(distroless, "distroless/base:1");
    const alpine = await buildOciImage(
      buildDir,
      [
        {
          files: {
            "etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
            "lib/apk/db/installed": "P:busybox\nV:1.36.1-r15\no:busybox\n\nP:libcrypto3\nV:3.1.4-r5\no:openssl\n\n",
          },
        },
      ],
      { tag: "alpine" },
    );
    await registry.push(alpine, "alpine/base:3.19");
    const opensslLibs = { name: "openssl-libs", epoch: 1, version: "3.0.7", release: "24.el9", sourceRpm: "openssl-3.0.7-24.el9.src.rpm" };
    const bash = { name: "bash", version: "5.1.8", release: "6.el9_1", sourceRpm: "bash-5.1.8-6.el9_1.src.rpm" };
    const rocky = await buildOciImage(
      buildDir,
      [
        {
          files: {
            "etc/os-release": 'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\n',
            "var/lib/rpm/rpmdb.sqlite": await rpmSqliteDatabase([opensslLibs, bash]),
          },
        },
        { files: { "var/lib/rpm/rpmdb.sqlite": await rpmSqliteDatabase([{ ...opensslLibs, release: "25.el9_3" }, bash]) } },
      ],
      { tag: "rocky" },
    );
    await registry.push(rocky, "rocky/base:9");
    const languages = await buildOciImage(
      buildDir,
      [
        { files: { "etc/os-release": DEBIAN_OS_RELEASE } },
        {
          files: {
            "usr/local/bin/server": syntheticElf(goBuildInfoBlob("go1.21.5", GO_MODINFO)),
            "opt/shop/shop.jar": jarBytes([["com.example", "shop", "0.1.0"]], {
              "BOOT-INF/lib/log4j-core-2.14.1.jar": jarBytes([["org.apache.logging.log4j", "log4j-core", "2.14.1"]]),
            }),
          },
          executable: ["usr/local/bin/server"],
        },
      ],
      { tag: "languages" },
    );
    await registry.push(languages, "languages/app:1");
    const lockfiles = await buildOciImage(
      buildDir,
      [
        // A base layer of its own: skopeo reuses a blob the registry already holds (the other images' gzip
        // os-release layer) instead of recompressing it, and this image's layers must all be zstd.
        { files: { "etc/os-release": DEBIAN_OS_RELEASE, "etc/image-build-id": randomUUID() } },
        { files: { "usr/share/filler.txt": FILLER, "app/Gemfile.lock": GEMFILE_LOCK } },
        { files: { "srv/composer.lock": COMPOSER_LOCK } },
      ],
      { tag: "lockfiles" },
    );
    await pushZstd(lockfiles, registry, "lockfiles/app:1");
    // docker save archives hold no zstd layers: the archive test saves the gzip copy.
    await registry.push(lockfiles, "lockfiles/gzip:1");
    await pushZstd(
      await buildOciImage(buildDir, [{ remove: ["app/Gemfile.lock"] }], { tag: "lockfiles-fixed", from: "lockfiles" }),
      registry,
      "lockfiles/app:fixed",
    );
    for (const architecture of ["amd64", "arm64"]) {
      const image = await buildOciImage(
        buildDir,
        [{ files: { "node_modules/arch/package.json": npmPackage("arch", `1.0.0-${architecture}`) } }],
        {
          tag: architecture,
          architecture,
        },
      );
      await registry.push(image, `multi/app:${architecture}`);
    }
    const entries = await Promise.all(
      ["arm64", "amd64"].map(async (architecture) => {
        const manifest = await registry.manifest("multi/app", architecture);
        return {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: manifest.digest,
          size: manifest.bytes.length,
          platform: { os: "linux", architecture },
        };
      }),
    );
    digests.multiIndex = await registry.putManifest(
      "multi/app",
      "1",
      "application/vnd.oci.image.index.v1+json",
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: entries }),
    );
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    if (buildDir !== undefined) await rm(buildDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), "secapi-image-pull-"));
    proxy.blobGets.length = 0;
    proxy.login = undefined;
    proxy.scheme = "bearer";
    proxy.corrupt.clear();
    proxy.stall.clear();
    proxy.unavailable.clear();
    proxy.silent.clear();
    proxy.manifestRequests.length = 0;
    proxy.headWithoutDigest = false;
    options = {
      workDir,
      maxBytes: 64 * 1024 * 1024,
      allowedRegistries: [registry.host, proxy.host],
      insecureRegistries: [registry.host, proxy.host],
      dockerConfig: join(workDir, "..", "no-such-docker-config.json"),
      timeouts: { headersMs: 5_000, idleMs: 2_000 },
    };
  });

  afterEach(async () => {
    // Whatever happened, nothing of the pull is left behind.
    expect(await readdir(workDir)).toEqual([]);
    await rm(workDir, { recursive: true, force: true });
  });

  it("pulls a Debian image (Docker v2 schema 2): os, dpkg and npm packages with the layer that added each", async () => {
    const manifest = await registry.manifest("debian/app", "1");
    const layers = (manifest.json as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
    const analysis = await analyzeImageReference(`${registry.host}/debian/app:1`, options);
    expect(analysis).toEqual({
      digest: manifest.digest,
      os: { family: "debian", version: "12" },
      layers: layers.map((digest, index) => ({ digest, index })),
      packages: [
        { ecosystem: "npm", name: "lodash", version: "4.17.20", layer: layers[1] },
        { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2", layer: layers[0] },
        { ecosystem: "Debian", name: "12/zlib", version: "1:1.2.13.dfsg-1", layer: layers[0] },
      ],
      unchecked: [],
    });
    // The same image by digest, and as the `docker save` archive of it, read the same.
    expect(await analyzeImageReference(`${registry.host}/debian/app@${manifest.digest}`, options)).toEqual(analysis);
    const archive = join(workDir, "..", `${proxy.host.replace(":", "-")}-debian.tar`);
    await registry.saveArchive(`debian/app@${manifest.digest}`, archive);
    try {
      const saved = await analyzeImageArchive(createReadStream(archive), options);
      expect(saved.packages.map(({ name, version }) => `${name}@${version}`)).toEqual(
        analysis.packages.map(({ name, version }) => `${name}@${version}`),
      );
    } finally {
      await rm(archive, { force: true });
    }
  });

  it("reads a distroless status.d and an Alpine apk database", async () => {
    const distroless = await analyzeImageReference(`${registry.host}/distroless/base:1`, options);
    expect(distroless.packages.map(({ ecosystem, name, version }) => ({ ecosystem, name, version }))).toEqual([
      { ecosystem: "Debian", name: "12/base-files", version: "12.4+deb12u5" },
      { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2" },
    ]);
    const alpine = await analyzeImageReference(`${registry.host}/alpine/base:3.19`, options);
    expect(alpine.os).toEqual({ family: "alpine", version: "3.19.1" });
    expect(alpine.packages.map(({ name, version }) => `${name}@${version}`)).toEqual([
      "v3.19/busybox@1.36.1-r15",
      "v3.19/openssl@3.1.4-r5",
    ]);
  });

  it("reads a Rocky Linux rpmdb.sqlite as umoci packs it: the top layer's database, packages named by source rpm", async () => {
    const manifest = await registry.manifest("rocky/base", "9");
    const layers = (manifest.json as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
    const rocky = await analyzeImageReference(`${registry.host}/rocky/base:9`, options);
    expect(rocky.os).toEqual({ family: "rocky", version: "9.3" });
    expect(rocky.packages).toEqual([
      { ecosystem: "Rocky Linux", name: "9/openssl", version: "1:3.0.7-25.el9_3", layer: layers[1] },
      { ecosystem: "Rocky Linux", name: "9/bash", version: "5.1.8-6.el9_1", layer: layers[0] },
    ]);
    expect(rocky.unchecked).toEqual([]);
  });

  it("finds a Go binary's modules and a fat jar's Maven artifacts in the layer that added them, pulled or saved", async () => {
    const manifest = await registry.manifest("languages/app", "1");
    const layers = (manifest.json as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
    const analysis = await analyzeImageReference(`${registry.host}/languages/app:1`, options);
    // docker save holds the layers uncompressed (other digests): "app" is the second layer of the analysis.
    const found = ({ packages, layers: analysed }: ImageAnalysis) =>
      packages
        .map(({ ecosystem, name, version, layer }) => `${ecosystem} ${name}@${version} ${layer === analysed[1]?.digest ? "app" : layer}`)
        .sort();
    const expected = [
      "Go example.com/app@v1.2.3 app",
      "Go github.com/new/mod@v1.1.0 app",
      "Go golang.org/x/text@v0.3.7 app",
      "Go stdlib@1.21.5 app",
      "Maven com.example:shop@0.1.0 app",
      "Maven org.apache.logging.log4j:log4j-core@2.14.1 app",
    ];
    expect(analysis.layers.map(({ digest }) => digest)).toEqual(layers);
    expect(found(analysis)).toEqual(expected);
    expect(analysis.unchecked).toEqual([]);
    const archive = join(workDir, "..", `${proxy.host.replace(":", "-")}-languages.tar`);
    await registry.saveArchive(`languages/app@${manifest.digest}`, archive);
    try {
      expect(found(await analyzeImageArchive(createReadStream(archive), options))).toEqual(expected);
    } finally {
      await rm(archive, { force: true });
    }
  });

  it("finds an application's Gemfile.lock and composer.lock in zstd layers with the layer that added each; a whiteout removes them", async () => {
    const manifest = await registry.manifest("lockfiles/app", "1");
    const described = (manifest.json as { layers: { digest: string; mediaType: string }[] }).layers;
    expect(described.map(({ mediaType }) => mediaType)).toEqual(Array(3).fill("application/vnd.oci.image.layer.v1.tar+zstd"));
    const layers = described.map(({ digest }) => digest);
    const analysis = await analyzeImageReference(`${registry.host}/lockfiles/app:1`, options);
    expect(analysis.packages).toEqual([
      { ecosystem: "RubyGems", name: "rack", version: "2.2.3", layer: layers[1], file: "/app/Gemfile.lock" },
      { ecosystem: "Packagist", name: "guzzlehttp/psr7", version: "1.8.1", layer: layers[2], file: "/srv/composer.lock" },
    ]);
    expect(analysis.unchecked).toEqual([]);
    const fixed = await analyzeImageReference(`${registry.host}/lockfiles/app:fixed`, options);
    // skopeo recompresses each push, so the shared layers need not keep their digests: only the count is fixed.
    expect(fixed.layers).toHaveLength(4);
    expect(fixed.packages.map(({ ecosystem, name }) => `${ecosystem} ${name}`)).toEqual(["Packagist guzzlehttp/psr7"]);
    // The docker save archive of the same image (gzip layers: docker archives hold no zstd) reads the same.
    const archive = join(workDir, "..", `${proxy.host.replace(":", "-")}-lockfiles.tar`);
    await registry.saveArchive("lockfiles/gzip:1", archive);
    try {
      const saved = await analyzeImageArchive(createReadStream(archive), options);
      expect(saved.packages.map(({ name, file }) => `${name} ${file}`)).toEqual([
        "rack /app/Gemfile.lock",
        "guzzlehttp/psr7 /srv/composer.lock",
      ]);
      expect(saved.packages.map(({ layer }) => saved.layers.findIndex(({ digest }) => digest === layer))).toEqual([1, 2]);
    } finally {
      await rm(archive, { force: true });
    }
  });

  it("applies a later layer's whiteout, and with a layer store downloads only the layers it has not summarised", async () => {
    const store = new InMemoryLayerSummaryStore();
    const withStore = { ...options, layerStore: store };
    const cold = await analyzeImageReference(`${proxy.host}/debian/app:1`, withStore);
    expect(proxy.blobGets).toHaveLength(2);
    proxy.blobGets.length = 0;
    const fixed = await analyzeImageReference(`${proxy.host}/debian/app:fixed`, withStore);
    expect(fixed.layers.slice(0, 2)).toEqual(cold.layers);
    // Only the top layer, the one the first image did not have, is fetched.
    expect(proxy.blobGets).toEqual([fixed.layers[2]?.digest]);
    expect(fixed.packages.map(({ name }) => name)).toEqual(["12/openssl", "12/zlib"]);
    proxy.blobGets.length = 0;
    expect(await analyzeImageReference(`${proxy.host}/debian/app:1`, withStore)).toEqual(cold);
    expect(proxy.blobGets).toEqual([]);
  });

  it("never answers a layer from the shared layer cache unless the puller's repository holds its blob", async () => {
    const secret = await buildOciImage(
      buildDir,
      [{ files: { "srv/node_modules/in-house-secret/package.json": npmPackage("in-house-secret", "3.1.4") } }],
      { tag: "secret" },
    );
    await registry.push(secret, "victim/private:1");
    await registry.push(secret, "intruder/copy:1");
    const manifest = await registry.manifest("intruder/copy", "1");
    const [layer] = (manifest.json as { layers: { digest: string }[] }).layers.map(({ digest }) => digest);
    // The intruder's repository keeps a manifest naming the victim's layer, but not the layer itself.
    await registry.unlinkBlob("intruder/copy", layer ?? "");
    const store = new InMemoryLayerSummaryStore();
    const withStore = { ...options, layerStore: store };
    const victim = await analyzeImageReference(`${proxy.host}/victim/private:1`, withStore);
    expect(victim.packages.map(({ name }) => name)).toEqual(["in-house-secret"]);
    expect(store.summaries.has(layer ?? "")).toBe(true);
    proxy.blobGets.length = 0;
    const refused = { code: "image_not_found", message: expect.stringContaining(layer ?? "") as unknown };
    await expect(analyzeImageReference(`${proxy.host}/intruder/copy:1`, withStore)).rejects.toMatchObject(refused);
    expect(proxy.blobGets).toEqual([]);
    // Without a cache the answer is the same: the download finds nothing.
    await expect(analyzeImageReference(`${proxy.host}/intruder/copy:1`, options)).rejects.toMatchObject({ code: "image_not_found" });
    // The victim, with the layer, is still answered from the cache, behind a login too (the HEAD authenticates).
    proxy.login = { username: "scanner", password: "s3cret" };
    const config = join(workDir, "..", `${proxy.host.replace(":", "-")}-cache-docker-config.json`);
    await writeFile(config, JSON.stringify({ auths: { [proxy.host]: { username: "scanner", password: "s3cret" } } }));
    try {
      proxy.blobGets.length = 0;
      expect(await analyzeImageReference(`${proxy.host}/victim/private:1`, { ...withStore, dockerConfig: config })).toEqual(victim);
      expect(proxy.blobGets).toEqual([]);
    } finally {
      await rm(config, { force: true });
    }
  });

  it("pulls through the configured proxy (a CONNECT tunnel), and straight to a NO_PROXY host", async () => {
    const tunnel = await ConnectProxy.start();
    try {
      const reference = `${registry.host}/alpine/base:3.19`;
      const direct = await analyzeImageReference(reference, options);
      const proxied = await analyzeImageReference(reference, { ...options, proxy: { httpProxy: tunnel.url } });
      expect(proxied).toEqual(direct);
      expect(tunnel.targets.length).toBeGreaterThan(0);
      expect(new Set(tunnel.targets)).toEqual(new Set([registry.host]));
      tunnel.targets.length = 0;
      const bypassed = { httpProxy: tunnel.url, noProxy: `example.com,${registry.host.split(":")[0]}` };
      expect(await analyzeImageReference(reference, { ...options, proxy: bypassed })).toEqual(direct);
      expect(tunnel.targets).toEqual([]);
      // An HTTPS-only proxy leaves plain-HTTP registries direct; a proxy that is down fails the pull, never bypassed.
      expect(await analyzeImageReference(reference, { ...options, proxy: { httpsProxy: tunnel.url } })).toEqual(direct);
      expect(tunnel.targets).toEqual([]);
      const down = `http://127.0.0.1:${await freePort()}`;
      await expect(analyzeImageReference(reference, { ...options, proxy: { httpProxy: down } })).rejects.toMatchObject({
        code: "image_registry_unreachable",
      });
    } finally {
      await tunnel.stop();
    }
  });

  it("picks the platform from a multi-arch index: linux/amd64 by default, another on request, an error for one it lacks", async () => {
    const amd64 = await analyzeImageReference(`${registry.host}/multi/app:1`, options);
    expect(amd64.packages.map(({ version }) => version)).toEqual(["1.0.0-amd64"]);
    expect(amd64.digest).toBe((await registry.manifest("multi/app", "amd64")).digest);
    const arm64 = await analyzeImageReference(`${registry.host}/multi/app@${digests.multiIndex}`, { ...options, platform: "linux/arm64" });
    expect(arm64.packages.map(({ version }) => version)).toEqual(["1.0.0-arm64"]);
    await expect(analyzeImageReference(`${registry.host}/multi/app:1`, { ...options, platform: "linux/s390x" })).rejects.toMatchObject({
      code: "image_platform_not_found",
      message: expect.stringContaining("linux/amd64") as unknown,
    });
  });

  it("resolves what a tag names with one HEAD (a GET where the HEAD names no digest); a digest without a request", async () => {
    const single = await registry.manifest("alpine/base", "3.19");
    expect(await resolveImageDigest(`${proxy.host}/alpine/base:3.19`, options)).toBe(single.digest);
    expect(proxy.manifestRequests).toEqual(["HEAD /v2/alpine/base/manifests/3.19"]);
    // A multi-platform tag names its index: the platform is picked when the image is pulled.
    expect(await resolveImageDigest(`${proxy.host}/multi/app:1`, options)).toBe(digests.multiIndex);
    proxy.manifestRequests.length = 0;
    proxy.headWithoutDigest = true;
    expect(await resolveImageDigest(`${proxy.host}/multi/app:1`, options)).toBe(digests.multiIndex);
    expect(proxy.manifestRequests).toEqual(["HEAD /v2/multi/app/manifests/1", "GET /v2/multi/app/manifests/1"]);
    proxy.manifestRequests.length = 0;
    expect(await resolveImageDigest(`${proxy.host}/multi/app@${digests.multiIndex}`, options)).toBe(digests.multiIndex);
    expect(proxy.manifestRequests).toEqual([]);
    // What the digest names is what a pull of it with a platform reads.
    const arm64 = await analyzeImageReference(`${registry.host}/multi/app@${digests.multiIndex}`, { ...options, platform: "linux/arm64" });
    expect(arm64.digest).toBe((await registry.manifest("multi/app", "arm64")).digest);
  });

  it("answers a tag's lookup with the codes of a pull: unknown, unauthorised, unreachable, not allowed", async () => {
    await expect(resolveImageDigest(`${registry.host}/alpine/base:9.99`, options)).rejects.toMatchObject({ code: "image_not_found" });
    await expect(resolveImageDigest(`${registry.host}/nobody/here:1`, options)).rejects.toMatchObject({ code: "image_not_found" });
    proxy.login = { username: "scanner", password: "s3cret" };
    await expect(resolveImageDigest(`${proxy.host}/alpine/base:3.19`, options)).rejects.toMatchObject({ code: "image_unauthorized" });
    const closed = `127.0.0.1:${await freePort()}`;
    await expect(
      resolveImageDigest(`${closed}/a/b:1`, { ...options, allowedRegistries: [closed], insecureRegistries: [closed] }),
    ).rejects.toMatchObject({ code: "image_registry_unreachable" });
    await expect(
      resolveImageDigest(`${registry.host}/alpine/base:3.19`, { ...options, allowedRegistries: ["docker.io"] }),
    ).rejects.toMatchObject({
      code: "image_registry_not_allowed",
    });
  });

  it("authenticates with a Bearer token (or Basic) for the login in the Docker config file; refuses without it or with a wrong one", async () => {
    proxy.login = { username: "scanner", password: "s3cret" };
    const reference = `${proxy.host}/alpine/base:3.19`;
    await expect(analyzeImageReference(reference, options)).rejects.toMatchObject({ code: "image_unauthorized" });
    const config = join(workDir, "..", `${proxy.host.replace(":", "-")}-docker-config.json`);
    const writeLogin = (password: string) =>
      writeFile(
        config,
        JSON.stringify({ auths: { [`http://${proxy.host}/v1/`]: { auth: Buffer.from(`scanner:${password}`).toString("base64") } } }),
      );
    try {
      await writeLogin("wrong");
      await expect(analyzeImageReference(reference, { ...options, dockerConfig: config })).rejects.toMatchObject({
        code: "image_unauthorized",
      });
      await writeLogin("s3cret");
      const analysis = await analyzeImageReference(reference, { ...options, dockerConfig: config });
      expect(analysis.packages).toHaveLength(2);
      // A registry that asks for Basic credentials on every request gets the same login.
      proxy.scheme = "basic";
      expect(await analyzeImageReference(reference, { ...options, dockerConfig: config })).toEqual(analysis);
      await expect(analyzeImageReference(reference, options)).rejects.toMatchObject({ code: "image_unauthorized" });
    } finally {
      await rm(config, { force: true });
    }
  });

  it.each([
    ["an unknown repository", "nobody/here:1"],
    ["an unknown tag", "alpine/base:9.99"],
    ["an unknown digest", `alpine/base@sha256:${"0".repeat(64)}`],
  ])("answers image_not_found for %s", async (_what, path) => {
    await expect(analyzeImageReference(`${registry.host}/${path}`, options)).rejects.toMatchObject({ code: "image_not_found" });
  });

  it("fails with image_registry_unreachable on a closed port and on a blob that stalls", async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const unreachable = { ...options, allowedRegistries: [closed], insecureRegistries: [closed] };
    await expect(analyzeImageReference(`${closed}/a/b:1`, unreachable)).rejects.toMatchObject({ code: "image_registry_unreachable" });
    const manifest = await registry.manifest("alpine/base", "3.19");
    proxy.stall.add((manifest.json as { layers: { digest: string }[] }).layers[0]?.digest ?? "");
    await expect(analyzeImageReference(`${proxy.host}/alpine/base:3.19`, { ...options, timeouts: { idleMs: 300 } })).rejects.toMatchObject({
      code: "image_registry_unreachable",
    });
  });

  it("retries a 503 once; a registry that keeps failing or never answers is image_registry_unreachable", async () => {
    const reference = `${proxy.host}/alpine/base:3.19`;
    proxy.unavailable.set("/v2/alpine/base/manifests/3.19", 1);
    expect((await analyzeImageReference(reference, options)).packages).toHaveLength(2);
    proxy.unavailable.set("/v2/alpine/base/manifests/3.19", 2);
    await expect(analyzeImageReference(reference, options)).rejects.toMatchObject({ code: "image_registry_unreachable" });
    proxy.silent.add("/v2/alpine/base/manifests/3.19");
    await expect(analyzeImageReference(reference, { ...options, timeouts: { headersMs: 300 } })).rejects.toMatchObject({
      code: "image_registry_unreachable",
      message: expect.stringContaining("no answer within 300 ms") as unknown,
    });
  });

  it("refuses an image whose layers add up to more than maxBytes before downloading any", async () => {
    await expect(analyzeImageReference(`${proxy.host}/debian/app:1`, { ...options, maxBytes: 100 })).rejects.toMatchObject({
      code: "image_too_large",
    });
    expect(proxy.blobGets).toEqual([]);
  });

  it("refuses a blob whose bytes do not match its digest", async () => {
    const manifest = await registry.manifest("alpine/base", "3.19");
    proxy.corrupt.add((manifest.json as { layers: { digest: string }[] }).layers[0]?.digest ?? "");
    await expect(analyzeImageReference(`${proxy.host}/alpine/base:3.19`, options)).rejects.toMatchObject({
      code: "image_manifest_invalid",
      message: expect.stringContaining("does not match") as unknown,
    });
  });

  it("refuses registries outside the allowed list and references that do not parse", async () => {
    await expect(
      analyzeImageReference(`${registry.host}/alpine/base:3.19`, { ...options, allowedRegistries: ["docker.io"] }),
    ).rejects.toMatchObject({
      code: "image_registry_not_allowed",
    });
    await expect(analyzeImageReference("Not A Reference", options)).rejects.toMatchObject({ code: "image_reference_invalid" });
  });
});
