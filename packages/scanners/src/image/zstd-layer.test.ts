import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AnalyzeImageOptions, analyzeImageArchive } from "./analyze-image-archive.js";
import { chunked, dockerSaveArchive, gzip, sha256, tarBytes } from "./image-archive.fixture.js";

const ZSTD_MISSING = spawnSync("zstd", ["--version"]).status !== 0;
if (ZSTD_MISSING) console.warn("zstd layer tests skipped: the zstd binary is not installed (Debian package zstd; .ci/run installs it)");

/** `zstd -<level>` of `bytes`, by the reference compressor (the frames real images carry). */
function zstd(bytes: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile("zstd", [`-${level}`, "-c", "-q"], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin?.end(bytes);
  });
}

/** The block types of a single zstd frame, in order (0 raw, 1 RLE, 2 compressed), walked by their headers (RFC 8878). */
function zstdBlockTypes(frame: Buffer): number[] {
  const descriptor = frame[4] ?? 0;
  const singleSegment = (descriptor >> 5) & 1;
  const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6] ?? 0;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  let offset = 5 + (singleSegment === 1 ? 0 : 1) + dictionaryBytes + contentSizeBytes;
  const types: number[] = [];
  for (;;) {
    const header = frame.readUIntLE(offset, 3);
    const type = (header >> 1) & 3;
    types.push(type);
    offset += 3 + (type === 1 ? 1 : header >> 3);
    if ((header & 1) === 1) return types;
  }
}

/**
 * Text that compresses like real files do (repeats at many distances, literals worth Huffman coding), from a
 * seeded generator so every run reads the same bytes.
 */
function compressibleText(bytes: number, seed: number): Buffer {
  const words = ["lib", "usr", "share", "locale", "openssl", "x86_64", "linux", "gnu", "python3", "site", "packages", "README"];
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = `${Array.from({ length: 4 + (next() % 8) }, () => words[next() % words.length]).join("/")} ${next().toString(16)}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join("")).subarray(0, bytes);
}

let workDir: string;
let options: AnalyzeImageOptions;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "secapi-image-zstd-"));
  options = { workDir, maxBytes: 64 * 1024 * 1024 };
});

afterEach(async () => {
  expect(await readdir(workDir)).toEqual([]);
  await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(ZSTD_MISSING)("a layer compressed by zstd", () => {
  it("reads a multi-megabyte zstd -3 layer (many compressed blocks) to its last entry, as a gzip layer of the same tar", async () => {
    const tar = await tarBytes([
      { path: "etc/os-release", content: "ID=debian\nVERSION_ID=12\n" },
      { path: "usr/share/big-a.txt", content: compressibleText(3 * 1024 * 1024, 1) },
      { path: "var/lib/dpkg/status", content: "Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1\n" },
      { path: "usr/share/big-b.bin", content: compressibleText(2 * 1024 * 1024 + 777, 2) },
      // Past every block boundary: read only if each block before it decoded to the right length.
      { path: "app/Gemfile.lock", content: "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n\nDEPENDENCIES\n  rack\n" },
    ]);
    const layer = await zstd(tar, 3);
    // A real compressor's frame: zstd's magic, compressed well below the input (not the stored blocks of the fixture).
    expect([...layer.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(tar.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(layer.length).toBeLessThan(tar.length / 2);
    const blocks = zstdBlockTypes(layer);
    expect(blocks.filter((type) => type === 2).length).toBeGreaterThan(20);

    const { archive } = await dockerSaveArchive([layer]);
    const analysis = await analyzeImageArchive(chunked(archive, 64 * 1024), options);
    expect(analysis.packages).toEqual([
      { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1", layer: sha256(layer) },
      { ecosystem: "RubyGems", name: "rack", version: "2.2.3", layer: sha256(layer), file: "/app/Gemfile.lock" },
    ]);
    const gzipped = gzip(tar);
    const same = await analyzeImageArchive(chunked((await dockerSaveArchive([gzipped])).archive, 64 * 1024), options);
    expect(same.packages.map(({ layer: _layer, ...pkg }) => pkg)).toEqual(analysis.packages.map(({ layer: _layer, ...pkg }) => pkg));
  });

  it("refuses a zstd layer cut short as a tar that does not read", async () => {
    const layer = await zstd(await tarBytes([{ path: "usr/share/big.txt", content: compressibleText(1024 * 1024, 3) }]), 3);
    const { archive } = await dockerSaveArchive([layer.subarray(0, Math.floor(layer.length / 2))]);
    await expect(analyzeImageArchive(chunked(archive, 64 * 1024), options)).rejects.toMatchObject({ code: "image_archive_invalid" });
  });
});
