import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyzeImageArchive } from "./analyze-image-archive.js";
import type { AnalyzeImageOptions } from "./analyze-image-archive.js";
import { ImageArchiveError } from "./image-archive-error.js";
import { InMemoryLayerSummaryStore, LAYER_SUMMARY_VERSION } from "./layer-summary.js";
import type { LayerSummary } from "./layer-summary.js";
import { chunked, dockerSaveArchive, gzip, ociLayoutArchive, sha256, tarBytes, zstdStored } from "./image-archive.fixture.js";
import { GO_MODINFO, goBuildInfoBlob, jarBytes, syntheticElf } from "./language-binaries.fixture.js";

const DEBIAN_OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const ALPINE_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';

const statusParagraph = (fields: Record<string, string>) =>
  `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`;
const libssl3 = statusParagraph({
  Package: "libssl3",
  Status: "install ok installed",
  Source: "openssl (3.0.11-1~deb12u2)",
  Version: "3.0.11-1~deb12u2+b1",
});
const zlib1g = statusParagraph({
  Package: "zlib1g",
  Source: "zlib",
  Version: "1:1.2.13.dfsg-1",
  Description: "compression library\n runtime",
});
const tzdata = statusParagraph({ Package: "tzdata", Version: "2024a-0+deb12u1" });
const npmPackage = (name: string, version: string) => JSON.stringify({ name, version, description: "x" });

let workDir: string;
let options: AnalyzeImageOptions;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "secapi-image-test-"));
  options = { workDir, maxBytes: 10 * 1024 * 1024 };
});

afterEach(async () => {
  // The analysis removes what it staged, whatever happened.
  expect(await readdir(workDir)).toEqual([]);
  await rm(workDir, { recursive: true, force: true });
});

/** A distroless-style Debian image: status.d per package, a later layer deleting tzdata and adding npm and PyPI packages. */
async function debianLayers(): Promise<Buffer[]> {
  const base = await tarBytes([
    { path: "etc", type: "directory" },
    { path: "etc/os-release", content: DEBIAN_OS_RELEASE },
    { path: "var/lib/dpkg/status.d/libssl3", content: libssl3 },
    { path: "var/lib/dpkg/status.d/zlib1g", content: zlib1g },
    { path: "var/lib/dpkg/status.d/tzdata", content: tzdata },
  ]);
  const app = await tarBytes([
    { path: "./var/lib/dpkg/status.d/.wh.tzdata" },
    { path: "./app/node_modules/lodash/package.json", content: npmPackage("lodash", "4.17.20") },
    {
      path: "/usr/lib/python3/dist-packages/Requests-2.31.0.dist-info/METADATA",
      content: "Metadata-Version: 2.1\nName: Requests\nVersion: 2.31.0\n\nBody: Name: not-this\n",
    },
    { path: "../../escape/node_modules/evil/package.json", content: npmPackage("evil", "1.0.0") },
  ]);
  return [gzip(base), gzip(app)];
}

function debianPackages(layers: Buffer[]) {
  const [base, app] = layers.map(sha256);
  return [
    { ecosystem: "npm", name: "lodash", version: "4.17.20", layer: app },
    { ecosystem: "PyPI", name: "requests", version: "2.31.0", layer: app },
    { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2", layer: base },
    { ecosystem: "Debian", name: "12/zlib", version: "1:1.2.13.dfsg-1", layer: base },
  ];
}

describe("analyzeImageArchive", () => {
  it("reads a docker save archive: os, dpkg status.d, whiteouts, npm and PyPI packages with their layers", async () => {
    const layers = await debianLayers();
    const { archive, configDigest } = await dockerSaveArchive(layers);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis).toEqual({
      digest: configDigest,
      os: { family: "debian", version: "12" },
      layers: layers.map((layer, index) => ({ digest: sha256(layer), index })),
      packages: debianPackages(layers),
      unchecked: [],
    });
  });

  it("reads the same image as an OCI image layout, with the manifest digest", async () => {
    const layers = await debianLayers();
    const { archive, manifestDigest } = await ociLayoutArchive(layers);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.digest).toBe(manifestDigest);
    expect(analysis.os).toEqual({ family: "debian", version: "12" });
    expect(analysis.packages).toEqual(debianPackages(layers));
  });

  it("keeps the layer that introduced a package when a later (zstd) layer rewrites dpkg status", async () => {
    const removed = statusParagraph({ Package: "old-tool", Status: "deinstall ok config-files", Version: "1.0" });
    const base = gzip(
      await tarBytes([
        { path: "usr/lib/os-release", content: DEBIAN_OS_RELEASE },
        { path: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
        { path: "var/lib/dpkg/status", content: [libssl3, zlib1g, tzdata, removed].join("\n") },
      ]),
    );
    const curl = statusParagraph({ Package: "curl", Status: "install ok installed", Version: "7.88.1-10+deb12u5" });
    const top = zstdStored(await tarBytes([{ path: "var/lib/dpkg/status", content: [libssl3, zlib1g, curl].join("\n") }]));
    const { archive } = await dockerSaveArchive([base, top]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.os).toEqual({ family: "debian", version: "12" });
    expect(analysis.packages).toEqual([
      { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2", layer: sha256(base) },
      { ecosystem: "Debian", name: "12/zlib", version: "1:1.2.13.dfsg-1", layer: sha256(base) },
      { ecosystem: "Debian", name: "12/curl", version: "7.88.1-10+deb12u5", layer: sha256(top) },
    ]);
  });

  it("reads an Alpine image's apk database, named by origin and release", async () => {
    const installed = "C:Q1abc=\nP:busybox\nV:1.36.1-r15\no:busybox\n\nP:libcrypto3\nV:3.1.4-r5\no:openssl\nA:x86_64\n\n";
    const layer = gzip(
      await tarBytes([
        { path: "etc/os-release", content: ALPINE_OS_RELEASE },
        { path: "lib/apk/db/installed", content: installed },
      ]),
    );
    const { archive } = await ociLayoutArchive([layer]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.os).toEqual({ family: "alpine", version: "3.19.1" });
    expect(analysis.packages).toEqual([
      { ecosystem: "Alpine", name: "v3.19/busybox", version: "1.36.1-r15", layer: sha256(layer) },
      { ecosystem: "Alpine", name: "v3.19/openssl", version: "3.1.4-r5", layer: sha256(layer) },
    ]);
  });

  it("hides everything lower layers put in an opaque directory, not what the same layer adds", async () => {
    const base = gzip(
      await tarBytes([
        { path: "app/node_modules/lodash/package.json", content: npmPackage("lodash", "4.17.20") },
        { path: "app/node_modules/minimist/package.json", content: npmPackage("minimist", "1.2.5") },
        { path: "srv/node_modules/@scope/kept/package.json", content: npmPackage("@scope/kept", "2.0.0") },
      ]),
    );
    const top = await tarBytes([
      { path: "app/node_modules/.wh..wh..opq" },
      { path: "app/node_modules/minimist/package.json", content: npmPackage("minimist", "1.2.8") },
    ]);
    const { archive } = await dockerSaveArchive([base, top]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.os).toBeNull();
    expect(analysis.packages).toEqual([
      { ecosystem: "npm", name: "minimist", version: "1.2.8", layer: sha256(top) },
      { ecosystem: "npm", name: "@scope/kept", version: "2.0.0", layer: sha256(base) },
    ]);
  });

  it("lists OS packages it cannot name and metadata without a version as unchecked", async () => {
    const layer = await tarBytes([
      { path: "var/lib/dpkg/status.d/tzdata", content: tzdata },
      { path: "node_modules/nover/package.json", content: JSON.stringify({ name: "nover" }) },
    ]);
    const { archive } = await dockerSaveArchive([layer]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked.map(({ ecosystem, name, kind }) => ({ ecosystem, name, kind }))).toEqual([
      { ecosystem: "npm", name: "nover", kind: "no_version" },
      { ecosystem: "Debian", name: "tzdata", kind: "unsupported_ecosystem" },
    ]);
  });

  it("follows a multi-platform index to the linux/amd64 image", async () => {
    const image = (content: string) => tarBytes([{ path: "node_modules/arch/package.json", content }]);
    const amd64Layer = gzip(await image(npmPackage("arch", "1.0.0-amd64")));
    const arm64Layer = gzip(await image(npmPackage("arch", "1.0.0-arm64")));
    const manifestOf = (layer: Buffer) => JSON.stringify({ schemaVersion: 2, layers: [{ digest: sha256(layer), size: layer.length }] });
    const [amd64, arm64] = [manifestOf(amd64Layer), manifestOf(arm64Layer)];
    const platformIndex = JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256(arm64),
          platform: { os: "linux", architecture: "arm64" },
        },
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256(amd64),
          platform: { os: "linux", architecture: "amd64" },
        },
      ],
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: sha256(platformIndex) }],
    });
    const blobs = [platformIndex, amd64, arm64, amd64Layer, arm64Layer].map((content) => ({
      path: `blobs/sha256/${sha256(content).slice(7)}`,
      content,
    }));
    const archive = await tarBytes([{ path: "oci-layout", content: "{}" }, { path: "index.json", content: index }, ...blobs]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.digest).toBe(sha256(amd64));
    expect(analysis.packages).toEqual([{ ecosystem: "npm", name: "arch", version: "1.0.0-amd64", layer: sha256(amd64Layer) }]);
  });

  it("follows docker save's links for a repeated layer, never out of the archive", async () => {
    const layer = await tarBytes([{ path: "node_modules/once/package.json", content: npmPackage("once", "1.4.0") }]);
    const manifest = JSON.stringify([{ Config: "config.json", Layers: ["a/layer.tar", "b/layer.tar"] }]);
    const archive = await tarBytes([
      { path: "a/layer.tar", content: layer },
      { path: "b/layer.tar", type: "symlink", linkname: "../a/layer.tar" },
      { path: "c/layer.tar", type: "symlink", linkname: "../../etc/passwd" },
      { path: "../outside.txt", content: "never written" },
      { path: "config.json", content: "{}" },
      { path: "manifest.json", content: manifest },
    ]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.layers).toEqual([
      { digest: sha256(layer), index: 0 },
      { digest: sha256(layer), index: 1 },
    ]);
    expect(analysis.packages).toEqual([{ ecosystem: "npm", name: "once", version: "1.4.0", layer: sha256(layer) }]);
    const escaping = manifest.replace("b/layer.tar", "c/layer.tar");
    const refused = await tarBytes([
      { path: "a/layer.tar", content: layer },
      { path: "c/layer.tar", type: "symlink", linkname: "../../etc/passwd" },
      { path: "manifest.json", content: escaping },
    ]);
    await expect(analyzeImageArchive(chunked(refused), options)).rejects.toMatchObject({ code: "image_archive_invalid" });
  });

  it("reads a gzipped docker save archive (docker save | gzip), bounded when it expands", async () => {
    const layers = await debianLayers();
    const { archive } = await dockerSaveArchive(layers);
    const analysis = await analyzeImageArchive(chunked(gzip(archive)), options);
    expect(analysis.packages).toEqual(debianPackages(layers));
    const bounded = { ...options, maxExpandedBytes: archive.length - 1 };
    await expect(analyzeImageArchive(chunked(gzip(archive)), bounded)).rejects.toMatchObject({ code: "image_too_large" });
  });

  it("refuses an archive over maxBytes while it streams", async () => {
    const { archive } = await dockerSaveArchive(await debianLayers());
    await expect(analyzeImageArchive(chunked(archive), { ...options, maxBytes: archive.length - 1 })).rejects.toMatchObject({
      name: "ImageArchiveError",
      code: "image_too_large",
    });
  });

  it("refuses a layer that expands past the bound (decompression bomb)", async () => {
    const bomb = gzip(await tarBytes([{ path: "zeros", content: Buffer.alloc(4 * 1024 * 1024) }]));
    const { archive } = await dockerSaveArchive([bomb]);
    await expect(analyzeImageArchive(chunked(archive), { ...options, maxExpandedBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: "image_too_large",
    });
  });

  it.each([
    ["random bytes", async () => Buffer.from("this is not a tar archive at all".repeat(40))],
    ["a truncated archive", async () => (await dockerSaveArchive(await debianLayers())).archive.subarray(0, 1500)],
    ["a tar without manifests", async () => tarBytes([{ path: "hello.txt", content: "hi" }])],
    ["a blob that does not match its digest", async () => (await ociLayoutArchive(await debianLayers(), { corruptBlob: true })).archive],
    [
      "a corrupt gzip layer",
      async () => (await dockerSaveArchive([Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 7)])])).archive,
    ],
  ])("refuses %s as image_archive_invalid", async (_name, build) => {
    const error = await analyzeImageArchive(chunked(await build()), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageArchiveError);
    expect(error).toMatchObject({ code: "image_archive_invalid" });
  });

  it("refuses a bzip2 layer as image_layer_unsupported", async () => {
    const { archive } = await dockerSaveArchive([Buffer.concat([Buffer.from("BZh91AY&SY"), Buffer.alloc(100)])]);
    await expect(analyzeImageArchive(chunked(archive), options)).rejects.toMatchObject({ code: "image_layer_unsupported" });
  });

  it("puts metadata files over the per-file cap in unchecked instead of reading them", async () => {
    const layer = await tarBytes([{ path: "node_modules/big/package.json", content: npmPackage("big", "1.0.0").padEnd(2048, " ") }]);
    const { archive } = await dockerSaveArchive([layer]);
    const analysis = await analyzeImageArchive(chunked(archive), { ...options, maxFileBytes: 1024 });
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked).toMatchObject([{ name: "node_modules/big/package.json", kind: "malformed_entry" }]);
  });

  it("lets a later layer's symlink hide lower metadata below it (merged /usr: lib -> usr/lib)", async () => {
    const base = await tarBytes([
      { path: "etc/os-release", content: ALPINE_OS_RELEASE },
      { path: "lib/apk/db/installed", content: "P:busybox\nV:1.36.1-r15\n\n" },
      { path: "usr/lib/node_modules/kept/package.json", content: npmPackage("kept", "1.0.0") },
    ]);
    const top = await tarBytes([{ path: "lib", type: "symlink", linkname: "usr/lib" }]);
    const { archive } = await dockerSaveArchive([base, top]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.packages.map(({ name }) => name)).toEqual(["kept"]);
  });

  describe("with a layer summary store", () => {
    it("keeps each layer's summary by digest and answers the same image from it without reading those layers", async () => {
      const layers = await debianLayers();
      const { archive } = await dockerSaveArchive(layers);
      const store = new InMemoryLayerSummaryStore();
      const cold = await analyzeImageArchive(chunked(archive), { ...options, layerStore: store });
      expect([...store.summaries.keys()]).toEqual(layers.map(sha256));
      // A summary that says something else proves the warm analysis took it from the store.
      const base = JSON.parse(store.summaries.get(sha256(layers[0] as Buffer)) as string) as LayerSummary;
      base.files["var/lib/dpkg/status.d/zlib1g"] = { type: "packages", packages: [] };
      store.summaries.set(sha256(layers[0] as Buffer), JSON.stringify(base));
      const warm = await analyzeImageArchive(chunked(archive), { ...options, layerStore: store });
      expect(warm.packages).toEqual(cold.packages.filter((p) => p.name !== "12/zlib"));
    });

    it("uses a cached summary only for a layer the archive holds, with bytes that hash to its digest", async () => {
      const secret = gzip(
        await tarBytes([{ path: "srv/node_modules/in-house-secret/package.json", content: npmPackage("in-house-secret", "3.1.4") }]),
      );
      const store = new InMemoryLayerSummaryStore();
      const withStore = { ...options, layerStore: store };
      const victim = await analyzeImageArchive(chunked((await ociLayoutArchive([secret])).archive), withStore);
      expect(victim.packages.map(({ name }) => name)).toEqual(["in-house-secret"]);
      expect(store.summaries.has(sha256(secret))).toBe(true);
      // Manifests naming the cached layer, without its blob or with other bytes under its name.
      for (const forged of [{ omitLayerBlobs: true }, { corruptBlob: true }]) {
        const { archive } = await ociLayoutArchive([secret], forged);
        await expect(analyzeImageArchive(chunked(archive), withStore)).rejects.toMatchObject({
          code: "image_archive_invalid",
          message: expect.stringContaining(sha256(secret).slice(7)) as unknown,
        });
      }
    });

    it("ignores summaries of another format version and a store that fails", async () => {
      const layers = await debianLayers();
      const { archive } = await dockerSaveArchive(layers);
      const store = new InMemoryLayerSummaryStore();
      for (const layer of layers) {
        store.summaries.set(
          sha256(layer),
          JSON.stringify({ version: LAYER_SUMMARY_VERSION + 1, files: {}, whiteouts: [], opaqueDirs: [], hidden: [], unchecked: [] }),
        );
      }
      expect((await analyzeImageArchive(chunked(archive), { ...options, layerStore: store })).packages).toEqual(debianPackages(layers));
      const failing = { get: () => Promise.reject(new Error("redis down")), set: () => Promise.reject(new Error("redis down")) };
      expect((await analyzeImageArchive(chunked(archive), { ...options, layerStore: failing })).packages).toEqual(debianPackages(layers));
    });
  });

  describe("Go binaries and Java archives", () => {
    const goBinary = (version: string, modinfo = GO_MODINFO) => syntheticElf(goBuildInfoBlob(version, modinfo));
    const byName = <T extends { name: string }>(packages: T[]) => [...packages].sort((a, b) => (a.name < b.name ? -1 : 1));

    /** A Debian base, then a layer with a Go server, a fat jar and decoys, then one replacing a second Go tool. */
    async function layers(): Promise<Buffer[]> {
      const base = await tarBytes([
        { path: "etc/os-release", content: DEBIAN_OS_RELEASE },
        { path: "usr/bin/bash", content: syntheticElf(Buffer.alloc(0)), mode: 0o755 },
      ]);
      const fatJar = jarBytes([["com.example", "shop", "0.1.0"]], {
        "BOOT-INF/lib/log4j-core-2.14.1.jar": jarBytes([["org.apache.logging.log4j", "log4j-core", "2.14.1"]]),
      });
      const app = await tarBytes([
        { path: "usr/local/bin/server", content: goBinary("go1.21.5"), mode: 0o755 },
        { path: "usr/local/bin/tool", content: goBinary("go1.20", "mod\texample.com/tool\tv0.9.0\t\n"), mode: 0o755 },
        { path: "usr/local/bin/start.sh", content: "#!/bin/sh\nexec server\n", mode: 0o755 },
        // Not executable: not searched, even though it holds build info.
        { path: "usr/share/doc/server.debug", content: goBinary("go1.21.5", "mod\texample.com/debug\tv9.9.9\t\n") },
        { path: "opt/shop/shop.jar", content: fatJar },
      ]);
      const top = await tarBytes([
        { path: "usr/local/bin/tool", content: syntheticElf(Buffer.alloc(0)), mode: 0o755 },
        { path: "opt/old/.wh.legacy.war" },
      ]);
      return [gzip(base), gzip(app), gzip(top)];
    }

    it("finds Go modules, stdlib and Maven artifacts (fat jar included) with the layer that added them", async () => {
      const image = await layers();
      const { archive } = await dockerSaveArchive(image);
      const analysis = await analyzeImageArchive(chunked(archive), options);
      const app = sha256(image[1] as Buffer);
      expect(byName(analysis.packages)).toEqual(
        byName([
          { ecosystem: "Go", name: "example.com/app", version: "v1.2.3", layer: app },
          { ecosystem: "Go", name: "golang.org/x/text", version: "v0.3.7", layer: app },
          { ecosystem: "Go", name: "github.com/new/mod", version: "v1.1.0", layer: app },
          { ecosystem: "Go", name: "stdlib", version: "1.21.5", layer: app },
          { ecosystem: "Maven", name: "com.example:shop", version: "0.1.0", layer: app },
          { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", layer: app },
        ]),
      );
      // The tool's packages (and its go1.20 stdlib) went with it when the top layer replaced it by another ELF.
      expect(analysis.packages.some(({ name }) => name === "example.com/tool")).toBe(false);
      expect(analysis.unchecked).toEqual([]);
      const beforeTop = await analyzeImageArchive(chunked((await dockerSaveArchive(image.slice(0, 2))).archive), options);
      expect(beforeTop.packages).toContainEqual({ ecosystem: "Go", name: "example.com/tool", version: "v0.9.0", layer: app });
      expect(beforeTop.packages).toContainEqual({ ecosystem: "Go", name: "stdlib", version: "1.20.0", layer: app });
    });

    it("reads the same from the layer store (summary version 4) and from an OCI layout", async () => {
      const image = await layers();
      const store = new InMemoryLayerSummaryStore();
      const cold = await analyzeImageArchive(chunked((await dockerSaveArchive(image)).archive), { ...options, layerStore: store });
      const warm = await analyzeImageArchive(chunked((await ociLayoutArchive(image)).archive), { ...options, layerStore: store });
      expect(LAYER_SUMMARY_VERSION).toBe(4);
      expect(warm.packages).toEqual(cold.packages);
      expect(cold.packages).toHaveLength(6);
    });

    it("lists pre-1.18 Go binaries, oversized binaries and unreadable jars as unchecked, never failing the layer", async () => {
      const big = goBinary("go1.21.5");
      const layer = await tarBytes([
        { path: "bin/old", content: syntheticElf(goBuildInfoBlob("go1.16", "", { pointerForm: true })), mode: 0o755 },
        { path: "bin/big", content: Buffer.concat([big, Buffer.alloc(64 * 1024)]), mode: 0o755 },
        { path: "bin/truncated", content: syntheticElf(goBuildInfoBlob("go1.21.5", GO_MODINFO).subarray(0, 40)), mode: 0o755 },
        { path: "lib/broken.jar", content: "PK\u0003\u0004 not really" },
        { path: "lib/huge.ear", content: Buffer.alloc(64 * 1024 + 1) },
      ]);
      const { archive } = await dockerSaveArchive([layer]);
      const analysis = await analyzeImageArchive(chunked(archive), { ...options, maxBinaryBytes: 64 * 1024 });
      expect(analysis.packages).toEqual([]);
      expect(analysis.unchecked).toMatchObject([
        { ecosystem: "Go", name: "bin/old", kind: "malformed_entry", reason: expect.stringContaining("before Go 1.18") },
        { ecosystem: "Go", name: "bin/big", reason: expect.stringContaining("larger than 65536 bytes") },
        { ecosystem: "Maven", name: "lib/broken.jar", reason: expect.stringContaining("not a readable zip") },
        { ecosystem: "Maven", name: "lib/huge.ear", reason: expect.stringContaining("larger than 65536 bytes") },
      ]);
    });

    it("lets a later layer's whiteout or symlink remove a lower Go binary or jar", async () => {
      const base = await tarBytes([
        { path: "usr/bin/server", content: goBinary("go1.21.5"), mode: 0o755 },
        { path: "app/lib/a.jar", content: jarBytes([["g", "a", "1.0"]]) },
        { path: "app/lib/b.jar", content: jarBytes([["g", "b", "1.0"]]) },
      ]);
      const top = await tarBytes([{ path: "usr/bin/.wh.server" }, { path: "app/lib/a.jar", type: "symlink", linkname: "/dev/null" }]);
      const { archive } = await dockerSaveArchive([base, top]);
      const analysis = await analyzeImageArchive(chunked(archive), options);
      expect(analysis.packages).toEqual([{ ecosystem: "Maven", name: "g:b", version: "1.0", layer: sha256(base) }]);
    });
  });
});
