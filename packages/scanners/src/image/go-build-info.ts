import { goReleaseAsSemver } from "../dependencies/lockfiles/go-mod.js";
import type { InstalledPackage } from "./installed-package-files.js";

/**
 * Go build info, read from an ELF executable as its bytes stream by. Hand-written: the only readers are Go's own
 * `debug/buildinfo` and tools built on it; no JavaScript library reads it.
 *
 * Layout (Go's `src/debug/buildinfo/buildinfo.go` reads what `cmd/link/internal/ld/data.go` `(*Link).buildinfo`
 * writes): a 32-byte header at a 16-byte aligned address, `\xff Go buildinf:` (14 bytes), the pointer size
 * (byte 14), a flags byte (15: bit 0 big-endian, bit 1 "inline strings"). Since Go 1.18 the inline form follows the
 * header with two uvarint-length-prefixed strings, `runtime.buildVersion` (`go1.22.1`) and `runtime.modinfo`
 * (framed by 16 sentinel bytes each side). Before 1.18 the header held two pointers to Go string headers elsewhere
 * in the binary (usually in `.rodata`, before the data), which one forward pass cannot follow: those binaries are
 * reported, not read.
 */
export const BUILD_INFO_MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER_BYTES = 32;
const ALIGN = 16;
const FLAG_INLINE = 2;
/** Largest blob held once the header is seen: real modinfo is a few KiB to ~100 KiB (hundreds of `dep` lines). */
export const MAX_BUILD_INFO_BYTES = 1024 * 1024;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const MODINFO_FRAME = 16;

/** What an executable's build info says, in Go's words. */
export interface GoBuildInfo {
  goVersion: string;
  modinfo: string;
}

type Decoded = { kind: "more" } | { kind: "invalid" } | { kind: "pointer-form" } | ({ kind: "inline" } & GoBuildInfo);

/**
 * Finds the build info in a file fed chunk by chunk. It holds at most 13 bytes of overlap while searching and at
 * most MAX_BUILD_INFO_BYTES once a header is found; a file that does not start with the ELF magic is dropped at
 * once. The magic alone is not trusted (the Go toolchain's own binary holds it as a constant): a hit counts only
 * at an aligned offset with a valid pointer size and a version string that starts with `go` or `devel`.
 */
export class GoBuildInfoScanner {
  private held = Buffer.alloc(0);
  private heldOffset = 0;
  private elf: boolean | undefined;
  private found: GoBuildInfo | undefined;
  private pointerForm = false;

  /** True once feeding more bytes cannot change the result. */
  get done(): boolean {
    return this.elf === false || this.found !== undefined;
  }

  /** Whether the file started with the ELF magic (false until 4 bytes were seen). */
  get isElf(): boolean {
    return this.elf === true;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    const base = this.heldOffset;
    const data = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    if (this.elf === undefined) {
      if (base === 0 && data.length < ELF_MAGIC.length) {
        this.held = Buffer.from(data);
        return;
      }
      this.elf = data.subarray(0, ELF_MAGIC.length).equals(ELF_MAGIC);
      if (!this.elf) return;
    }
    this.search(data, base);
  }

  /** The build info, `pointer-form` for a pre-1.18 Go binary, or undefined (not ELF, not Go, or malformed). */
  result(): GoBuildInfo | "pointer-form" | undefined {
    return this.found ?? (this.pointerForm ? "pointer-form" : undefined);
  }

  private search(data: Buffer, base: number): void {
    let from = 0;
    for (;;) {
      const hit = data.indexOf(BUILD_INFO_MAGIC, from);
      if (hit < 0) {
        const keep = Math.max(from, data.length - (BUILD_INFO_MAGIC.length - 1));
        this.hold(data, base, keep);
        return;
      }
      from = hit + 1;
      if ((base + hit) % ALIGN !== 0) continue;
      const decoded = decodeBuildInfo(data.subarray(hit));
      if (decoded.kind === "more" && data.length - hit <= MAX_BUILD_INFO_BYTES) {
        this.hold(data, base, hit);
        return;
      }
      if (decoded.kind === "inline") {
        this.found = { goVersion: decoded.goVersion, modinfo: decoded.modinfo };
        this.held = Buffer.alloc(0);
        return;
      }
      if (decoded.kind === "pointer-form") this.pointerForm = true;
    }
  }

  /** Keeps `data[from..]` (copied: a chunk's backing buffer is not ours to pin) for the next chunk. */
  private hold(data: Buffer, base: number, from: number): void {
    this.held = Buffer.from(data.subarray(from));
    this.heldOffset = base + from;
  }
}

/** Decodes a blob that starts with the magic (exported for tests of malformed input). */
export function decodeBuildInfo(data: Buffer): Decoded {
  if (data.length < HEADER_BYTES) return { kind: "more" };
  const pointerSize = data[BUILD_INFO_MAGIC.length];
  const flags = data[BUILD_INFO_MAGIC.length + 1] ?? 0;
  if ((pointerSize !== 4 && pointerSize !== 8) || (flags & ~3) !== 0) return { kind: "invalid" };
  if ((flags & FLAG_INLINE) === 0) return { kind: "pointer-form" };
  const version = readVarintBytes(data, HEADER_BYTES);
  if (version === "more" || version === "invalid") return { kind: version };
  const goVersion = version.bytes.toString("utf8");
  if (!/^(?:go\d|devel)/.test(goVersion)) return { kind: "invalid" };
  const modinfo = readVarintBytes(data, version.end);
  if (modinfo === "more" || modinfo === "invalid") return { kind: modinfo };
  return { kind: "inline", goVersion, modinfo: unframe(modinfo.bytes) };
}

function readVarintBytes(data: Buffer, start: number): { bytes: Buffer; end: number } | "more" | "invalid" {
  let length = 0;
  let position = start;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28) return "invalid";
    const byte = data[position++];
    if (byte === undefined) return "more";
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (length > MAX_BUILD_INFO_BYTES) return "invalid";
  if (data.length < position + length) return "more";
  return { bytes: data.subarray(position, position + length), end: position + length };
}

/** Strips cmd/go's sentinel frame (modload.infoStart / infoEnd), as debug/buildinfo does; unframed text is empty. */
function unframe(bytes: Buffer): string {
  if (bytes.length < 2 * MODINFO_FRAME + 1 || bytes[bytes.length - MODINFO_FRAME - 1] !== 0x0a) return "";
  return bytes.subarray(MODINFO_FRAME, bytes.length - MODINFO_FRAME).toString("utf8");
}

/**
 * The Go packages a binary was built from: the main module (unless `(devel)`, a build from a checkout with no
 * published version), every `dep` as its `=>` replacement when one is given (a replacement by a local directory
 * has no version and names no published module: dropped), and `stdlib` at the toolchain's version as OSV's Go
 * records write it (`go1.22.1` → `1.22.1`, `go1.21rc2` → `1.21.0-rc.2`; a `devel` toolchain has none).
 */
export function goBinaryPackages(info: GoBuildInfo): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  const lines = info.modinfo.split("\n").map((line) => line.split("\t"));
  lines.forEach(([verb, path, version], index) => {
    if (path === undefined || path === "") return;
    if (verb === "mod" && version !== undefined && version !== "" && version !== "(devel)") {
      packages.push({ kind: "go", name: path, version });
    }
    if (verb !== "dep") return;
    const next = lines[index + 1];
    if (next?.[0] === "=>") {
      const [, replacedPath, replacedVersion] = next;
      if (replacedPath !== undefined && replacedVersion !== undefined && replacedVersion !== "") {
        packages.push({ kind: "go", name: replacedPath, version: replacedVersion });
      }
      return;
    }
    packages.push({ kind: "go", name: path, version: version ?? "" });
  });
  const stdlib = goReleaseAsSemver(info.goVersion.split(/\s/)[0]);
  if (stdlib !== undefined) packages.push({ kind: "go", name: "stdlib", version: stdlib });
  return packages;
}
