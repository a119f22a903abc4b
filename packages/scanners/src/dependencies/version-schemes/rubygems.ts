import { Version } from "@renovatebot/ruby-semver/dist/ruby/version.js";
import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

// The package's index re-exports only the range helpers; Gem::Version itself lives in this module. The
// canonical segments are what every comparison reads, and computing them is most of its cost: remembered.
const gemSegments = boundedMemo(VERSION_MEMO_LIMIT, (version): readonly (string | number)[] | null => {
  // Gem::Version reads "" as "0"; an empty installed or advisory version says nothing.
  if (version === "") return null;
  try {
    return Version.create(version)?.canonicalSegments() ?? null;
  } catch {
    return null;
  }
});

/**
 * Gem::Version#<=> over canonical segments: a string segment below a number, strings by bytes, numbers by
 * value, a missing segment as 0. The library compares strings with localeCompare, which folds case and
 * depends on the machine's locale (`1.0.Pre` < `1.0.pre` in Ruby), so only its parsing is used.
 */
function compareSegments(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x = 0, y = 0] = [a[i], b[i]];
    if (x === y) continue;
    if (typeof x === "string" && typeof y === "number") return -1;
    if (typeof x === "number" && typeof y === "string") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Gem::Version (parsed by `@renovatebot/ruby-semver`, a port of RubyGems' own class), as OSV's `RubyGems` ranges order:
 * segments split on `.` and between letters and digits, a letter segment makes a pre-release that sorts below
 * numbers, trailing zeros do not count (`1.0` = `1`) and `-` reads as `.pre.`.
 * https://guides.rubygems.org/patterns/#semantic-versioning, https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb
 */
export const rubygemsScheme: VersionScheme = {
  key: (version) => gemSegments(version.trim())?.join(".") ?? null,
  normalize: (version) => (gemSegments(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = gemSegments(a.trim());
    const y = gemSegments(b.trim());
    return x === null || y === null ? Number.NaN : compareSegments(x, y);
  },
};
