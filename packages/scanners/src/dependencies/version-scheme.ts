import { compare as comparePep440, explain as explainPep440 } from "@renovatebot/pep440";
import semver from "semver";
import { boundedMemo } from "./bounded-memo.js";
import type { Ecosystem } from "./ecosystem.js";

/**
 * How one ecosystem's versions parse and order. Versions stay strings everywhere else (advisories and
 * results are JSON); a scheme parses them at the point of comparison.
 */
export interface VersionScheme {
  /** A string equal for exactly the versions that compare equal, or null if `version` does not parse. */
  key(version: string): string | null;
  /**
   * An advisory's version as matching stores it: as written if it parses, else in the longer form the
   * ecosystem's rules give it if that parses (semver `1.2` → `1.2.0`), else null.
   */
  normalize(version: string): string | null;
  /** Orders two versions: negative, zero or positive; NaN if either does not parse, so every `<`, `>=` test on it is false. */
  compare(a: string, b: string): number;
}

// Matching compares the same few strings (installed versions, advisory bounds) many times and parsing
// dominates, so parses and PEP 440 comparisons are memoised (about 3× faster matching).
const MEMO_LIMIT = 100_000;

const parseSemver = boundedMemo(MEMO_LIMIT, (version) => semver.parse(version));

// One or two release numbers and nothing else: Go's semver accepts exactly these shorthands.
const SHORT_SEMVER = /^v?(\d+)(?:\.(\d+))?$/;

/**
 * `1` → `1.0.0`, `v1.2` → `1.2.0`: a left-out minor or patch is 0, as Go's semver reads `v1.2` and as
 * npm's `semver.coerce` and osv-scanner pad. Nothing else is guessed: a short version with a pre-release
 * (`1.2-beta`, which Go rejects and `semver.coerce` truncates), `1.2.3.4`, `01.2` or a date stays unreadable.
 */
function padSemver(version: string): string | null {
  const short = SHORT_SEMVER.exec(version);
  if (short === null) return null;
  const padded = `${short[1]}.${short[2] ?? "0"}.0`;
  return parseSemver(padded) === null ? null : padded;
}

// semver.parse already accepts one leading "v"; Go module versions always carry it, OSV bounds never do.
const SEMVER: VersionScheme = {
  key: (version) => parseSemver(version.trim())?.version ?? null,
  normalize: (version) => (parseSemver(version.trim()) === null ? padSemver(version.trim()) : version),
  compare: (a, b) => {
    const x = parseSemver(a.trim());
    const y = parseSemver(b.trim());
    return x === null || y === null ? Number.NaN : x.compare(y);
  },
};

/** PEP 440 key: release without trailing zeros (1.0 == 1.0.0), normalised pre/post/dev/local parts. */
const pep440Key = boundedMemo(MEMO_LIMIT, (version): string | null => {
  const parts = explainPep440(version.trim());
  if (parts === null) return null;
  const release = [...parts.release];
  while (release.length > 1 && release.at(-1) === 0) release.pop();
  const pre = segment("", parts.pre);
  const post = segment(".post", parts.post);
  const dev = segment(".dev", parts.dev);
  const local = parts.local === null ? "" : `+${parts.local}`;
  return `${parts.epoch}!${release.join(".")}${pre}${post}${dev}${local}`;
});

// The library's types say arrays; at runtime pre is ["rc", 1] and post/dev are plain numbers.
function segment(prefix: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  return prefix + (Array.isArray(value) ? value.join("") : String(value));
}

// The library parses both versions on every call, hence the memo by pair.
const comparePep440Pair = boundedMemo(MEMO_LIMIT, (pair) => {
  const [a = "", b = ""] = pair.split("\u0000");
  try {
    return comparePep440(a, b);
  } catch {
    // The library throws on a version it cannot parse.
    return Number.NaN;
  }
});

const PEP440: VersionScheme = {
  key: pep440Key,
  // PEP 440 itself reads `1` and `v1.2`.
  normalize: (version) => (pep440Key(version) === null ? null : version),
  compare: (a, b) => comparePep440Pair(`${a.trim()}\u0000${b.trim()}`),
};

/** The ordering of `ECOSYSTEM` ranges and of installed versions: PEP 440 for PyPI, semver for the rest. */
export function ecosystemScheme(ecosystem: Ecosystem): VersionScheme {
  return ecosystem === "PyPI" ? PEP440 : SEMVER;
}

/** The ordering of `SEMVER` ranges, whatever the ecosystem. */
export const SEMVER_SCHEME: VersionScheme = SEMVER;
