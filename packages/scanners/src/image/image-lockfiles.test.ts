import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AnalyzeImageOptions, type ImageAnalysis, analyzeImageArchive } from "./analyze-image-archive.js";
import { type FixtureEntry, chunked, dockerSaveArchive, gzip, sha256, tarBytes } from "./image-archive.fixture.js";
import { LOCKFILE_FORMAT_DEFINITIONS } from "../dependencies/lockfiles/lockfile-registry.js";
import { NOT_READ_IN_IMAGES, imageLockfileFormat } from "./image-lockfiles.js";
import { InMemoryLayerSummaryStore } from "./layer-summary.js";

const gemfileLock = (gems: [string, string][], git = "") =>
  [
    git,
    "GEM",
    "  remote: https://rubygems.org/",
    "  specs:",
    ...gems.map(([name, version]) => `    ${name} (${version})`),
    "",
    "PLATFORMS",
    "  ruby",
    "",
    "DEPENDENCIES",
    ...gems.map(([name]) => `  ${name}`),
    "",
  ].join("\n");
const RAILS_GIT = [
  "GIT",
  "  remote: https://github.com/rails/rails.git",
  "  revision: 3c8a2e7b0b1f4c5d6e7f8091a2b3c4d5e6f70819",
  "  specs:",
  "    activesupport (7.2.0.alpha)",
  "",
].join("\n");
const composerLock = JSON.stringify({
  packages: [{ name: "guzzlehttp/psr7", version: "1.8.1" }],
  "packages-dev": [{ name: "phpunit/phpunit", version: "9.5.0" }],
});
const packageLock = (packages: Record<string, string>) =>
  JSON.stringify({
    name: "web",
    lockfileVersion: 3,
    packages: {
      "": { name: "web", dependencies: Object.fromEntries(Object.keys(packages).map((name) => [name, "*"])) },
      ...Object.fromEntries(Object.entries(packages).map(([name, version]) => [`node_modules/${name}`, { version }])),
    },
  });
const npmPackage = (name: string, version: string) => JSON.stringify({ name, version });

let workDir: string;
let options: AnalyzeImageOptions;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "secapi-image-lockfiles-"));
  options = { workDir, maxBytes: 10 * 1024 * 1024 };
});

afterEach(async () => {
  expect(await readdir(workDir)).toEqual([]);
  await rm(workDir, { recursive: true, force: true });
});

/** Analyses a `docker save` archive of one gzipped layer per entry list, bottom first; returns the layer digests too. */
async function analyze(layers: FixtureEntry[][], extra: Partial<AnalyzeImageOptions> = {}): Promise<[ImageAnalysis, string[]]> {
  const blobs = await Promise.all(layers.map(async (entries) => gzip(await tarBytes(entries))));
  const { archive } = await dockerSaveArchive(blobs);
  return [await analyzeImageArchive(chunked(archive), { ...options, ...extra }), blobs.map(sha256)];
}

const brief = ({ packages }: ImageAnalysis) =>
  packages.map(({ ecosystem, name, version, layer, file }) => ({ ecosystem, name, version, layer, file }));

describe("lockfiles in an image", () => {
  it("reads an application's Gemfile.lock and composer.lock with the layer that added each and the lockfile's path", async () => {
    const [analysis, [, ruby, php]] = await analyze([
      [{ path: "etc/os-release", content: "ID=debian\nVERSION_ID=12\n" }],
      [{ path: "app/Gemfile.lock", content: gemfileLock([["rack", "2.2.3"]], RAILS_GIT) }],
      [{ path: "./srv/composer.lock", content: composerLock }],
    ]);
    expect(brief(analysis)).toEqual([
      { ecosystem: "RubyGems", name: "rack", version: "2.2.3", layer: ruby, file: "/app/Gemfile.lock" },
      { ecosystem: "Packagist", name: "guzzlehttp/psr7", version: "1.8.1", layer: php, file: "/srv/composer.lock" },
      { ecosystem: "Packagist", name: "phpunit/phpunit", version: "9.5.0", layer: php, file: "/srv/composer.lock" },
    ]);
    // A gem from git cannot be checked: listed, with the lockfile it is in.
    expect(analysis.unchecked).toEqual([
      expect.objectContaining({
        ecosystem: "RubyGems",
        name: "activesupport",
        kind: "git",
        spec: expect.stringMatching(/^\/app\/Gemfile\.lock: activesupport@https:/) as unknown,
      }),
    ]);
  });

  it("drops a lockfile's packages when a later layer deletes the file, hides its directory or replaces it", async () => {
    const gems = { path: "app/Gemfile.lock", content: gemfileLock([["rack", "2.2.3"]], RAILS_GIT) };
    const composer = { path: "srv/composer.lock", content: composerLock };
    const [deleted] = await analyze([[gems, composer], [{ path: "app/.wh.Gemfile.lock" }]]);
    expect(deleted.packages.map(({ ecosystem }) => ecosystem)).toEqual(["Packagist", "Packagist"]);
    // The unchecked git gem went with its lockfile.
    expect(deleted.unchecked).toEqual([]);
    const [opaque] = await analyze([[gems, composer], [{ path: "srv/.wh..wh..opq" }]]);
    expect(opaque.packages.map(({ name }) => name)).toEqual(["rack"]);
    const [linked] = await analyze([[gems], [{ path: "app", type: "symlink", linkname: "/opt/app" }]]);
    expect(linked.packages).toEqual([]);
  });

  it("reads again a layer whose cached summary predates lockfiles (version 3), and caches what it read", async () => {
    const layer = gzip(await tarBytes([{ path: "app/Gemfile.lock", content: gemfileLock([["rack", "2.2.3"]]) }]));
    const store = new InMemoryLayerSummaryStore();
    const stale = { version: 3, files: {}, whiteouts: [], opaqueDirs: [], hidden: [], unchecked: [] };
    store.summaries.set(sha256(layer), JSON.stringify(stale));
    const { archive } = await dockerSaveArchive([layer]);
    const analysis = await analyzeImageArchive(chunked(archive), { ...options, layerStore: store });
    expect(analysis.packages.map(({ name }) => name)).toEqual(["rack"]);
    expect(JSON.parse(store.summaries.get(sha256(layer)) ?? "{}")).toMatchObject({
      version: 4,
      files: { "app/Gemfile.lock": { type: "lockfile", format: "Gemfile.lock" } },
    });
  });

  it("keeps the layer that first listed a package when a later layer rewrites the lockfile", async () => {
    const [analysis, [first, second]] = await analyze([
      [
        {
          path: "app/Gemfile.lock",
          content: gemfileLock([
            ["rack", "2.2.3"],
            ["rake", "13.0.0"],
          ]),
        },
      ],
      [
        {
          path: "app/Gemfile.lock",
          content: gemfileLock([
            ["rack", "2.2.3"],
            ["rake", "13.1.0"],
          ]),
        },
      ],
    ]);
    expect(analysis.packages.map(({ name, version, layer }) => [name, version, layer])).toEqual([
      ["rack", "2.2.3", first],
      ["rake", "13.1.0", second],
    ]);
  });

  it("names a package installed in node_modules by its package.json, not by the lockfile that also lists it", async () => {
    const [analysis, [locked, installed]] = await analyze([
      [{ path: "app/package-lock.json", content: packageLock({ lodash: "4.17.20", "left-pad": "1.3.0" }) }],
      [{ path: "app/node_modules/lodash/package.json", content: npmPackage("lodash", "4.17.20") }],
    ]);
    expect(brief(analysis)).toEqual([
      { ecosystem: "npm", name: "lodash", version: "4.17.20", layer: installed, file: undefined },
      { ecosystem: "npm", name: "left-pad", version: "1.3.0", layer: locked, file: "/app/package-lock.json" },
    ]);
  });

  it("skips lockfiles of dependencies, caches and the distribution, and the formats an image says better", async () => {
    const gems = gemfileLock([["rack", "2.2.3"]]);
    const [analysis] = await analyze([
      [
        { path: "app/node_modules/some-lib/package-lock.json", content: packageLock({ "left-pad": "1.3.0" }) },
        { path: "usr/local/bundle/gems/rails-7.1.0/Gemfile.lock", content: gems },
        { path: "usr/lib/python3/dist-packages/tool/Pipfile.lock", content: "{}" },
        { path: "root/go/pkg/mod/github.com/a/b@v1.0.0/Cargo.lock", content: "x" },
        { path: "usr/local/cargo/registry/src/index/crate-1.0.0/Cargo.lock", content: "x" },
        { path: "var/www/vendor/acme/lib/composer.lock", content: composerLock },
        { path: "usr/share/doc/ruby/examples/Gemfile.lock", content: gems },
        { path: "proc/1/root/Gemfile.lock", content: gems },
        { path: "app/go.mod", content: "module example.com/app\n\nrequire golang.org/x/text v0.3.7\n" },
        { path: "app/requirements.txt", content: "django==3.2.0\n" },
        { path: "app/pom.xml", content: "<project/>" },
      ],
    ]);
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked).toEqual([]);
  });

  it("skips a malformed lockfile with a note and reads the rest of the image", async () => {
    const [analysis] = await analyze([
      [
        { path: "app/Cargo.lock", content: "this is not toml [[[" },
        { path: "app/Gemfile.lock", content: gemfileLock([["rack", "2.2.3"]]) },
      ],
    ]);
    expect(analysis.packages.map(({ name }) => name)).toEqual(["rack"]);
    expect(analysis.unchecked).toEqual([
      {
        ecosystem: "crates.io",
        name: "app/Cargo.lock",
        spec: "/app/Cargo.lock",
        kind: "malformed_entry",
        reason: expect.stringMatching(/^not a readable Cargo\.lock, skipped: /) as unknown,
      },
    ]);
    // Deleting the malformed file deletes its note.
    const [cleaned] = await analyze([[{ path: "app/Cargo.lock", content: "[[[" }], [{ path: "app/.wh.Cargo.lock" }]]);
    expect(cleaned.unchecked).toEqual([]);
  });

  it("does not read a lockfile over maxFileBytes, and the oversized copy hides the one below it", async () => {
    const small = gemfileLock([["rack", "2.2.3"]]);
    const big = gemfileLock([["rack", "2.2.3"], ...Array.from({ length: 200 }, (_, i): [string, string] => [`gem${i}`, "1.0.0"])]);
    const [analysis] = await analyze([[{ path: "app/Gemfile.lock", content: small }], [{ path: "app/Gemfile.lock", content: big }]], {
      maxFileBytes: small.length + 10,
    });
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked).toEqual([expect.objectContaining({ spec: "/app/Gemfile.lock", kind: "malformed_entry" })]);
  });
});

describe("imageLockfileFormat", () => {
  it("reads every lockfile format of the registry but go.mod, requirements.txt and pom.xml, by its usual name", () => {
    const read = LOCKFILE_FORMAT_DEFINITIONS.filter(({ format }) => imageLockfileFormat(`app/${format}`)?.format === format);
    const skipped = LOCKFILE_FORMAT_DEFINITIONS.filter((definition) => !read.includes(definition)).map(({ format }) => format);
    expect(skipped.sort()).toEqual([...NOT_READ_IN_IMAGES].sort());
    expect(imageLockfileFormat("app/gems.locked")?.format).toBe("Gemfile.lock");
    expect(imageLockfileFormat("app/buildscript-gradle.lockfile")?.format).toBe("gradle.lockfile");
  });

  it.each([
    ["app/Gemfile.lock", "Gemfile.lock"],
    ["Cargo.lock", "Cargo.lock"],
    ["srv/api/packages.lock.json", "packages.lock.json"],
    ["opt/app/uv.lock", "uv.lock"],
    ["workspace/bun.lock", "bun.lock"],
    ["home/app/build/gradle.lockfile", "gradle.lockfile"],
    ["usr/src/app/yarn.lock", "yarn.lock"],
  ])("reads %s as %s", (path, format) => {
    expect(imageLockfileFormat(path)?.format).toBe(format);
  });

  it.each([
    "app/node_modules/x/yarn.lock",
    "usr/lib/python3.12/site-packages/pkg/poetry.lock",
    "app/vendor/bundle/ruby/3.3.0/gems/puma-6.0.0/Gemfile.lock",
    "root/.cargo/registry/src/x/Cargo.lock",
    "root/.pub-cache/hosted/pub.dev/http-1.0.0/pubspec.lock",
    "usr/share/nodejs/x/package-lock.json",
    "app/go.mod",
    "app/requirements-dev.txt",
    "app/Gemfile",
  ])("does not read %s", (path) => {
    expect(imageLockfileFormat(path)).toBeUndefined();
  });
});
