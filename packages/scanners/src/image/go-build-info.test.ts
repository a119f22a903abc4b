import { describe, expect, it } from "vitest";
import { BUILD_INFO_MAGIC, GoBuildInfoScanner, decodeBuildInfo, goBinaryPackages } from "./go-build-info.js";
import { GO_MODINFO, GO_PACKAGES, goBuildInfoBlob, syntheticElf } from "./language-binaries.fixture.js";

/** Feeds `bytes` in chunks of `size` (tar-stream hands entries over in arbitrary pieces). */
function scan(bytes: Buffer, size: number) {
  const scanner = new GoBuildInfoScanner();
  for (let offset = 0; offset < bytes.length && !scanner.done; offset += size) scanner.push(bytes.subarray(offset, offset + size));
  return scanner.result();
}

describe("GoBuildInfoScanner", () => {
  const binary = syntheticElf(goBuildInfoBlob("go1.21.5", GO_MODINFO));

  it.each([1, 7, 16, 4096, 1 << 20])("finds 1.18+ build info fed in %i-byte chunks, past an unaligned decoy", (size) => {
    expect(scan(binary, size)).toEqual({ goVersion: "go1.21.5", modinfo: GO_MODINFO });
  });

  it("turns build info into Go packages: main module, deps as replaced, stdlib as OSV writes it", () => {
    expect(goBinaryPackages({ goVersion: "go1.21.5", modinfo: GO_MODINFO })).toEqual(GO_PACKAGES);
    expect(goBinaryPackages({ goVersion: "go1.22", modinfo: "mod\texample.com/x\t(devel)\t\n" })).toEqual([
      { kind: "go", name: "stdlib", version: "1.22.0" },
    ]);
    expect(goBinaryPackages({ goVersion: "go1.23rc2 X:boringcrypto", modinfo: "" })).toEqual([
      { kind: "go", name: "stdlib", version: "1.23.0-rc.2" },
    ]);
    expect(goBinaryPackages({ goVersion: "devel go1.24-abcdef", modinfo: "" })).toEqual([]);
  });

  it("reports a pre-1.18 binary (pointer form) without reading it", () => {
    expect(scan(syntheticElf(goBuildInfoBlob("go1.16", "", { pointerForm: true })), 4096)).toBe("pointer-form");
  });

  it("ignores files that are not ELF, ELFs without build info, and stops early", () => {
    const script = Buffer.concat([Buffer.from("#!/bin/sh\n"), goBuildInfoBlob("go1.21.5", GO_MODINFO)]);
    expect(scan(script, 3)).toBeUndefined();
    expect(scan(syntheticElf(Buffer.alloc(64)), 4096)).toBeUndefined();
    const scanner = new GoBuildInfoScanner();
    scanner.push(Buffer.from("MZ\x90\x00"));
    expect(scanner.done).toBe(true);
  });

  it("survives malformed and truncated build info without throwing", () => {
    const blob = goBuildInfoBlob("go1.21.5", GO_MODINFO);
    const truncated = [8, 20, 32, 33, 40, blob.length - 20].map((end) => syntheticElf(blob.subarray(0, end)));
    for (const file of truncated) expect(() => scan(file, 512)).not.toThrow();
    const badPointer = Buffer.from(blob);
    badPointer[14] = 3;
    expect(scan(syntheticElf(badPointer), 512)).toBeUndefined();
    const notAVersion = goBuildInfoBlob("hello", GO_MODINFO);
    expect(scan(syntheticElf(notAVersion), 512)).toBeUndefined();
    // A length prefix claiming gigabytes is refused, not waited for.
    const huge = Buffer.concat([blob.subarray(0, 32), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]);
    expect(decodeBuildInfo(huge)).toEqual({ kind: "invalid" });
    expect(decodeBuildInfo(Buffer.concat([BUILD_INFO_MAGIC, Buffer.from([8, 2])]))).toEqual({ kind: "more" });
    // Unframed modinfo (no sentinels) reads as no modules, as debug/buildinfo does.
    const unframed = Buffer.concat([blob.subarray(0, 32), Buffer.from([8]), Buffer.from("go1.21.5"), Buffer.from([3]), Buffer.from("abc")]);
    expect(decodeBuildInfo(unframed)).toEqual({ kind: "inline", goVersion: "go1.21.5", modinfo: "" });
  });
});
