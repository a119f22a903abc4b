import { Version } from "@renovatebot/ruby-semver/dist/ruby/version.js";
import { boundedMemo } from "../bounded-memo.js";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

// The package's index re-exports only the range helpers; Gem::Version itself lives in this module.
const parseGemVersion = boundedMemo(VERSION_MEMO_LIMIT, (version): Version | null => {
  // Gem::Version reads "" as "0"; an empty installed or advisory version says nothing.
  if (version === "") return null;
  try {
    return Version.create(version);
  } catch {
    return null;
  }
});

/**
 * Gem::Version (`@renovatebot/ruby-semver`, a port of RubyGems' own class), as OSV's `RubyGems` ranges order:
 * segments split on `.` and between letters and digits, a letter segment makes a pre-release that sorts below
 * numbers, trailing zeros do not count (`1.0` = `1`) and `-` reads as `.pre.`.
 * https://guides.rubygems.org/patterns/#semantic-versioning, https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb
 */
export const rubygemsScheme: VersionScheme = {
  key: (version) => parseGemVersion(version.trim())?.canonicalSegments().join(".") ?? null,
  normalize: (version) => (parseGemVersion(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = parseGemVersion(a.trim());
    const y = parseGemVersion(b.trim());
    return x === null || y === null ? Number.NaN : x.compare(y);
  },
};
