import semver from "semver";
import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

const parseSemver = boundedMemo(VERSION_MEMO_LIMIT, (version) => semver.parse(version));

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

/**
 * Semantic Versioning 2.0.0 (the `semver` package): npm, crates.io and every OSV `SEMVER` range.
 * semver.parse already accepts one leading "v", which some tools write and OSV bounds never do.
 */
export const semverScheme: VersionScheme = {
  key: (version) => parseSemver(version.trim())?.version ?? null,
  normalize: (version) => (parseSemver(version.trim()) === null ? padSemver(version.trim()) : version),
  compare: (a, b) => {
    const x = parseSemver(a.trim());
    const y = parseSemver(b.trim());
    return x === null || y === null ? Number.NaN : x.compare(y);
  },
};
