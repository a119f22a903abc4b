import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/** A pre-release or build identifier: a number where Dart's `int.tryParse` reads one, else the text. */
type Part = bigint | string;

interface PubVersion {
  readonly release: readonly [bigint, bigint, bigint];
  readonly preRelease: readonly Part[];
  readonly build: readonly Part[];
}

// pub_semver's `completeVersion` (lib/src/patterns.dart): no leading `v`; leading zeros allowed.
const COMPLETE_VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const INT_MAX = (1n << 63n) - 1n;
const DART_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|(\d+))$/;

/**
 * Dart's `int.tryParse` on the VM (64-bit ints): an optional sign, decimal digits or a `0x` hex literal
 * (read as unsigned up to 2^64 − 1, then as the two's-complement int); null outside that range.
 */
function dartIntTryParse(text: string): bigint | null {
  const match = DART_INT.exec(text);
  if (match === null) return null;
  const [, sign, hex, decimal] = match;
  let value: bigint;
  if (hex !== undefined) {
    value = BigInt(`0x${hex}`);
    if (value > (1n << 64n) - 1n) return null;
    value = BigInt.asIntN(64, value);
  } else {
    value = BigInt(decimal ?? "");
  }
  if (sign === "-") value = hex === undefined ? -value : BigInt.asIntN(64, -value);
  return hex === undefined && (value > INT_MAX || value < -INT_MAX - 1n) ? null : value;
}

// `Version._splitParts`: `int.tryParse(part) ?? part`.
function splitParts(text: string | undefined): Part[] {
  return text === undefined ? [] : text.split(".").map((part) => dartIntTryParse(part) ?? part);
}

const parsePubVersion = boundedMemo(VERSION_MEMO_LIMIT, (version): PubVersion | null => {
  const match = COMPLETE_VERSION.exec(version);
  if (match === null) return null;
  const release = [match[1], match[2], match[3]].map((n) => BigInt(n ?? ""));
  // `int.parse` throws above 2^63 − 1, and Version.parse turns that into "could not parse".
  if (release.some((n) => n > INT_MAX)) return null;
  return { release: release as [bigint, bigint, bigint], preRelease: splitParts(match[4]), build: splitParts(match[5]) };
});

// `Version._compareLists`: a missing part sorts first, numbers before strings, strings by UTF-16 code units.
function compareLists(a: readonly Part[], b: readonly Part[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x !== typeof y) return typeof x === "bigint" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function comparePubVersions(x: PubVersion, y: PubVersion): number {
  for (let i = 0; i < 3; i++) {
    const a = x.release[i] ?? 0n;
    const b = y.release[i] ?? 0n;
    if (a !== b) return a < b ? -1 : 1;
  }
  // A pre-release comes before the release.
  if (x.preRelease.length === 0 && y.preRelease.length > 0) return 1;
  if (y.preRelease.length === 0 && x.preRelease.length > 0) return -1;
  const pre = compareLists(x.preRelease, y.preRelease);
  if (pre !== 0) return pre;
  // Unlike SemVer 2.0 §10, pub_semver orders build metadata: a build comes after no build.
  if (x.build.length === 0 && y.build.length > 0) return -1;
  if (y.build.length === 0 && x.build.length > 0) return 1;
  return compareLists(x.build, y.build);
}

function canonical(parts: readonly Part[]): string {
  return parts.map(String).join(".");
}

/**
 * Dart package versions as pub orders them: pub_semver's `Version.compareTo`
 * (https://github.com/dart-lang/pub_semver/blob/master/lib/src/version.dart), which OSV names for the Pub
 * ecosystem (https://ossf.github.io/osv-schema/#affectedrangestype-field). SemVer 2.0 with pub's
 * differences: build metadata orders (`1.0.0 < 1.0.0+1 < 1.0.0+2`), identifiers that Dart reads as
 * integers compare as integers (so `1.0.0-01` equals `1.0.0-1`), leading zeros are allowed and there is no
 * `v`. No npm library implements this ordering, hence by hand.
 */
export const pubSemverScheme: VersionScheme = {
  key: (version) => {
    const parsed = parsePubVersion(version.trim());
    if (parsed === null) return null;
    const pre = parsed.preRelease.length === 0 ? "" : `-${canonical(parsed.preRelease)}`;
    const build = parsed.build.length === 0 ? "" : `+${canonical(parsed.build)}`;
    return `${parsed.release.join(".")}${pre}${build}`;
  },
  // pub_semver reads no shorthand, so an advisory version is used as written or not at all.
  normalize: (version) => (parsePubVersion(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = parsePubVersion(a.trim());
    const y = parsePubVersion(b.trim());
    return x === null || y === null ? Number.NaN : comparePubVersions(x, y);
  },
};
