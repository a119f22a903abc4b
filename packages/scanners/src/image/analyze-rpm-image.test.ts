import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAdvisory } from "../dependencies/parse-advisory.js";
import { matchImage } from "../image-findings/match-image.js";
import { analyzeImageArchive } from "./analyze-image-archive.js";
import type { AnalyzeImageOptions } from "./analyze-image-archive.js";
import { chunked, dockerSaveArchive, gzip, ociLayoutArchive, sha256, tarBytes } from "./image-archive.fixture.js";
import { rpmSqliteDatabase } from "./rpm/rpm-database.fixture.js";
import type { RpmHeaderFields } from "./rpm/rpm-header.js";

// rpm-based images: the rpm database (rpmdb.sqlite) of the top-most layer that has one, named by os-release.

const osRelease = (id: string, versionId: string) => `NAME="${id}"\nID="${id}"\nVERSION_ID="${versionId}"\nID_LIKE="rhel centos fedora"\n`;

const rpm = (name: string, evr: string, source: string): RpmHeaderFields => {
  const [, epoch, version = "", release = ""] = /^(?:(\d+):)?([^-]+)-(.+)$/.exec(evr) ?? [];
  return {
    name,
    ...(epoch !== undefined && { epoch: Number(epoch) }),
    version,
    release,
    arch: "x86_64",
    sourceRpm: `${source}-${version}-${release}.src.rpm`,
  };
};
const opensslLibs = rpm("openssl-libs", "1:3.0.7-24.el9", "openssl");
const openssl = rpm("openssl", "1:3.0.7-24.el9", "openssl");
const bash = rpm("bash", "5.1.8-6.el9_1", "bash");

let workDir: string;
let options: AnalyzeImageOptions;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "secapi-rpm-image-test-"));
  options = { workDir, maxBytes: 10 * 1024 * 1024 };
});

afterEach(async () => {
  expect(await readdir(workDir)).toEqual([]);
  await rm(workDir, { recursive: true, force: true });
});

async function layer(entries: Parameters<typeof tarBytes>[0]): Promise<Buffer> {
  return gzip(await tarBytes(entries));
}

const rockyAdvisory = parseAdvisory({
  id: "RLSA-2024:TEST",
  modified: "2024-01-01T00:00:00Z",
  summary: "openssl flaw",
  affected: [
    {
      package: { ecosystem: "Rocky Linux:9", name: "openssl" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:3.0.7-25.el9_3" }] }],
    },
  ],
});

describe("rpm-based images", () => {
  it("reads a Rocky Linux 9 rpmdb.sqlite, names packages by source rpm and release, and matches Rocky Linux:9 advisories", async () => {
    const base = await layer([
      { path: "etc/os-release", content: osRelease("rocky", "9.3") },
      { path: "var/lib/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([opensslLibs, openssl, bash]) },
    ]);
    const app = await layer([{ path: "app/VERSION", content: "1" }]);
    const { archive } = await dockerSaveArchive([base, app]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.os).toEqual({ family: "rocky", version: "9.3" });
    // openssl and openssl-libs come from one source package: one entry.
    expect(analysis.packages).toEqual([
      { ecosystem: "Rocky Linux", name: "9/openssl", version: "1:3.0.7-24.el9", layer: sha256(base) },
      { ecosystem: "Rocky Linux", name: "9/bash", version: "5.1.8-6.el9_1", layer: sha256(base) },
    ]);
    expect(analysis.unchecked).toEqual([]);

    const { result } = matchImage({ ...analysis, digest: sha256("rocky") }, [rockyAdvisory]);
    expect(result.findings.map((f) => [f.ecosystem, f.id, f.package, f.version, f.fixed_in, f.layer])).toEqual([
      ["Rocky Linux", "RLSA-2024:TEST", "9/openssl", "1:3.0.7-24.el9", "1:3.0.7-25.el9_3", sha256(base)],
    ]);
  });

  it("takes the top-most layer's database: an update fixes the finding, unchanged packages keep their layer", async () => {
    const fixed = { ...opensslLibs, release: "25.el9_3", sourceRpm: "openssl-3.0.7-25.el9_3.src.rpm" };
    const base = await layer([
      { path: "etc/os-release", content: osRelease("rocky", "9.3") },
      { path: "var/lib/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([opensslLibs, bash]) },
    ]);
    const update = await layer([{ path: "var/lib/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([fixed, bash]) }]);
    const { archive } = await ociLayoutArchive([base, update]);
    const analysis = await analyzeImageArchive(chunked(archive), options);
    expect(analysis.packages).toEqual([
      { ecosystem: "Rocky Linux", name: "9/openssl", version: "1:3.0.7-25.el9_3", layer: sha256(update) },
      { ecosystem: "Rocky Linux", name: "9/bash", version: "5.1.8-6.el9_1", layer: sha256(base) },
    ]);
    expect(matchImage({ ...analysis, digest: sha256("updated") }, [rockyAdvisory]).result.findings).toEqual([]);
  });

  it("reads AlmaLinux's database under /usr/lib/sysimage/rpm, and names Red Hat (UBI) packages by binary", async () => {
    const alma = await layer([
      { path: "etc/os-release", content: osRelease("almalinux", "9.4") },
      { path: "usr/lib/sysimage/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([opensslLibs]) },
    ]);
    const almaAnalysis = await analyzeImageArchive(chunked((await dockerSaveArchive([alma])).archive), options);
    expect(almaAnalysis.packages).toEqual([{ ecosystem: "AlmaLinux", name: "9/openssl", version: "1:3.0.7-24.el9", layer: sha256(alma) }]);

    const ubi = await layer([
      { path: "etc/os-release", content: osRelease("rhel", "9.3") },
      { path: "var/lib/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([opensslLibs, bash]) },
    ]);
    const ubiAnalysis = await analyzeImageArchive(chunked((await dockerSaveArchive([ubi])).archive), options);
    expect(ubiAnalysis.packages.map((p) => [p.ecosystem, p.name, p.version])).toEqual([
      ["Red Hat", "9/openssl-libs", "1:3.0.7-24.el9"],
      ["Red Hat", "9/bash", "5.1.8-6.el9_1"],
    ]);
    const redHatAdvisory = parseAdvisory({
      id: "RHSA-2024:TEST",
      modified: "2024-01-01T00:00:00Z",
      affected: [
        {
          package: { ecosystem: "Red Hat:enterprise_linux:9::baseos", name: "openssl-libs" },
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:3.0.7-25.el9_3" }] }],
        },
      ],
    });
    const { findings } = matchImage({ ...ubiAnalysis, digest: sha256("ubi") }, [redHatAdvisory]).result;
    expect(findings.map((f) => [f.package, f.fixed_in])).toEqual([["9/openssl-libs", "1:3.0.7-25.el9_3"]]);
  });

  it("lists the packages of an rpm distribution without OSV advisories (Fedora, CentOS) as unchecked", async () => {
    const fedora = await layer([
      { path: "etc/os-release", content: osRelease("fedora", "40") },
      { path: "usr/lib/sysimage/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([bash]) },
    ]);
    const analysis = await analyzeImageArchive(chunked((await dockerSaveArchive([fedora])).archive), options);
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked).toEqual([
      {
        ecosystem: "rpm",
        name: "bash",
        spec: "/usr/lib/sysimage/rpm/rpmdb.sqlite: bash@5.1.8-6.el9_1",
        kind: "unsupported_ecosystem",
        reason: "rpm package in an image whose distribution (fedora 40) has no supported advisory release",
      },
    ]);
  });

  it("lists a BerkeleyDB or ndb database as one unchecked entry while it is visible", async () => {
    const alma8 = await layer([
      { path: "etc/os-release", content: osRelease("almalinux", "8.9") },
      { path: "var/lib/rpm/Packages", content: Buffer.alloc(4096, 0x61) },
      { path: "var/lib/rpm/Name", content: Buffer.alloc(512) },
    ]);
    const analysis = await analyzeImageArchive(chunked((await dockerSaveArchive([alma8])).archive), options);
    expect(analysis.packages).toEqual([]);
    expect(analysis.unchecked).toEqual([
      {
        ecosystem: "rpm",
        name: "var/lib/rpm/Packages",
        spec: "/var/lib/rpm/Packages",
        kind: "unsupported_ecosystem",
        reason: expect.stringMatching(/^rpm BerkeleyDB database \(rpm < 4\.16.*not read: the image's rpm packages are not checked$/),
      },
    ]);

    const ndb = await layer([{ path: "usr/lib/sysimage/rpm/Packages.db", content: "ndb" }]);
    const suse = await analyzeImageArchive(chunked((await dockerSaveArchive([ndb])).archive), options);
    expect(suse.unchecked).toMatchObject([{ name: "usr/lib/sysimage/rpm/Packages.db", reason: expect.stringContaining("ndb") }]);

    // Deleted by a later layer (whiteout), or superseded by a SQLite database a later layer writes: not listed.
    const removed = await layer([{ path: "var/lib/rpm/.wh.Packages" }]);
    const afterRemoval = await analyzeImageArchive(chunked((await dockerSaveArchive([alma8, removed])).archive), options);
    expect(afterRemoval.unchecked).toEqual([]);
    const rebuilt = await layer([{ path: "var/lib/rpm/rpmdb.sqlite", content: await rpmSqliteDatabase([bash]) }]);
    const afterRebuild = await analyzeImageArchive(chunked((await dockerSaveArchive([alma8, rebuilt])).archive), options);
    expect(afterRebuild.unchecked).toEqual([]);
    expect(afterRebuild.packages).toEqual([{ ecosystem: "AlmaLinux", name: "8/bash", version: "5.1.8-6.el9_1", layer: sha256(rebuilt) }]);
  });

  it("notes an rpm database too big or unreadable, and headers that do not read, without failing the image", async () => {
    const database = await rpmSqliteDatabase([bash], [Buffer.from("not a header")]);
    const image = await layer([
      { path: "etc/os-release", content: osRelease("rocky", "9.3") },
      { path: "var/lib/rpm/rpmdb.sqlite", content: database },
    ]);
    const partly = await analyzeImageArchive(chunked((await dockerSaveArchive([image])).archive), options);
    expect(partly.packages).toEqual([{ ecosystem: "Rocky Linux", name: "9/bash", version: "5.1.8-6.el9_1", layer: sha256(image) }]);
    expect(partly.unchecked).toMatchObject([
      { ecosystem: "rpm", kind: "malformed_entry", reason: "1 package header(s) of the rpm database could not be read" },
    ]);

    const tooBig = await analyzeImageArchive(chunked((await dockerSaveArchive([image])).archive), { ...options, maxBinaryBytes: 1024 });
    expect(tooBig.packages).toEqual([]);
    expect(tooBig.unchecked).toMatchObject([
      { name: "var/lib/rpm/rpmdb.sqlite", reason: expect.stringContaining("larger than 1024 bytes") },
    ]);

    const garbage = await layer([
      { path: "etc/os-release", content: osRelease("rocky", "9.3") },
      { path: "var/lib/rpm/rpmdb.sqlite", content: "not SQLite" },
    ]);
    const unreadable = await analyzeImageArchive(chunked((await dockerSaveArchive([garbage])).archive), options);
    expect(unreadable.packages).toEqual([]);
    expect(unreadable.unchecked).toMatchObject([
      { name: "var/lib/rpm/rpmdb.sqlite", reason: expect.stringContaining("not a readable rpm SQLite database") },
    ]);
  });
});
