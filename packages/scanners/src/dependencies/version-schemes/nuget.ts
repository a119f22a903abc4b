import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/**
 * NuGet's version order (NuGet.Versioning's VersionComparer), which OSV's `NuGet` ecosystem uses:
 * https://learn.microsoft.com/en-us/nuget/concepts/package-versioning. SemVer 2.0.0 with up to four
 * numeric parts, a missing one being 0 (`1.0` = `1.0.0` = `1.0.0.0`; leading zeros do not count); a
 * pre-release sorts before its release, its dot-separated labels compared one by one (numeric ones by
 * value and before alphanumeric ones, the rest case-insensitively), fewer labels first when all match;
 * build metadata (`+…`) is ignored. Written by hand: the npm packages for it are unmaintained.
 */
interface NuGetVersion {
  /** Four numbers, without leading zeros. */
  release: bigint[];
  /** Lower-cased labels; empty for a release. */
  labels: string[];
}

const VERSION = /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const NUMERIC = /^\d+$/;

const parseNuGet = boundedMemo(VERSION_MEMO_LIMIT, (version): NuGetVersion | null => {
  const match = VERSION.exec(version.trim());
  if (match === null) return null;
  const release = (match[1] as string).split(".").map((part) => BigInt(part));
  while (release.length < 4) release.push(0n);
  return { release, labels: match[2] === undefined ? [] : match[2].toLowerCase().split(".") };
});

function compareLabel(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareParsed(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const x = a.release[i] as bigint;
    const y = b.release[i] as bigint;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.labels.length === 0 || b.labels.length === 0) return Math.sign(b.labels.length - a.labels.length);
  for (let i = 0; i < Math.min(a.labels.length, b.labels.length); i++) {
    const result = compareLabel(a.labels[i] as string, b.labels[i] as string);
    if (result !== 0) return result;
  }
  return Math.sign(a.labels.length - b.labels.length);
}

/** NuGet's normalised form (`1.0` → `1.0.0`, a zero fourth part dropped), labels lower-cased and numeric ones by value. */
function nugetKey(version: string): string | null {
  const parsed = parseNuGet(version);
  if (parsed === null) return null;
  const [major, minor, patch, revision] = parsed.release;
  const release = `${major}.${minor}.${patch}${revision === 0n ? "" : `.${revision}`}`;
  const labels = parsed.labels.map((label) => (NUMERIC.test(label) ? String(BigInt(label)) : label));
  return labels.length === 0 ? release : `${release}-${labels.join(".")}`;
}

/** NuGet's SemVer 2.0.0 with four parts: OSV `NuGet` ranges and installed NuGet versions. */
export const nugetScheme: VersionScheme = {
  key: nugetKey,
  normalize: (version) => (parseNuGet(version) === null ? null : version),
  compare: (a, b) => {
    const x = parseNuGet(a);
    const y = parseNuGet(b);
    return x === null || y === null ? Number.NaN : compareParsed(x, y);
  },
};
