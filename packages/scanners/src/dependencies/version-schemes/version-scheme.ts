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

/**
 * How many parses (and PEP 440 comparisons) a scheme remembers. Matching compares the same few strings
 * (installed versions, advisory bounds) many times and parsing dominates: memoised, matching is about 3× faster.
 */
export const VERSION_MEMO_LIMIT = 100_000;
