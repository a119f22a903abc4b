import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

interface GoVersion {
  /** Decimal digits without leading zeros: Go compares them by length, then as text, so no size limit. */
  readonly release: readonly [string, string, string];
  readonly prerelease: readonly string[];
}

const NUMBER = /^(?:0|[1-9]\d*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;
// Go's grammar (golang.org/x/mod/semver parse): numbers without leading zeros, pre-release identifiers
// without leading zeros when numeric, build identifiers of any alphanumerics. The `v` is optional here:
// go.mod versions carry it, OSV's Go records write their bounds without it.
const FULL = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;
// `v1` and `v1.2` are Go's shorthands for v1.0.0 and v1.2.0; a shorthand takes no pre-release or build.
const SHORT = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;

const parseGoVersion = boundedMemo(VERSION_MEMO_LIMIT, (version): GoVersion | null => {
  const match = FULL.exec(version);
  if (match === null) return null;
  const [, major = "", minor = "", patch = "", pre, build] = match;
  const prerelease = pre === undefined ? [] : pre.split(".");
  if (!prerelease.every((id) => IDENTIFIER.test(id) && (!/^\d+$/.test(id) || NUMBER.test(id)))) return null;
  if (build !== undefined && !build.split(".").every((id) => IDENTIFIER.test(id))) return null;
  return { release: [major, minor, patch], prerelease };
});

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

// semver §11, as Go's comparePrerelease: no pre-release ranks highest; numeric identifiers below
// alphanumeric ones; a longer list wins when one is a prefix of the other.
function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x === y) continue;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) return compareNumbers(x, y);
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compareGoVersions(x: GoVersion, y: GoVersion): number {
  for (let i = 0; i < 3; i++) {
    const order = compareNumbers(x.release[i] ?? "", y.release[i] ?? "");
    if (order !== 0) return Math.sign(order);
  }
  return Math.sign(comparePrerelease(x.prerelease, y.prerelease));
}

/**
 * Go module versions as the go command orders them (golang.org/x/mod/semver, which OSV names for the Go
 * ecosystem: https://ossf.github.io/osv-schema/#affectedrangestype-field and
 * https://go.dev/ref/mod#versions). Hand-written because npm's `semver` differs at the edges Go allows:
 * it refuses numbers above 2^53 (Go compares digits of any length) and loses precision on long numeric
 * pre-release identifiers. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`) are ordinary pre-releases; build metadata (`+incompatible`) does
 * not order.
 */
export const goSemverScheme: VersionScheme = {
  key: (version) => {
    const parsed = parseGoVersion(version.trim());
    if (parsed === null) return null;
    const release = parsed.release.join(".");
    return parsed.prerelease.length === 0 ? release : `${release}-${parsed.prerelease.join(".")}`;
  },
  normalize: (version) => {
    const trimmed = version.trim();
    if (parseGoVersion(trimmed) !== null) return version;
    const short = SHORT.exec(trimmed);
    return short === null ? null : `${short[1]}.${short[2] ?? "0"}.0`;
  },
  compare: (a, b) => {
    const x = parseGoVersion(a.trim());
    const y = parseGoVersion(b.trim());
    return x === null || y === null ? Number.NaN : compareGoVersions(x, y);
  },
};
