import type { Severity } from "../scan-result.js";
import type { Ecosystem } from "./ecosystems/registry.js";

/** One event of a range, as in OSV but with the kind spelled out. */
export interface RangeEvent {
  kind: "introduced" | "fixed" | "last_affected" | "limit";
  version: string;
}

/**
 * A `SEMVER` or `ECOSYSTEM` range. `events` are those whose version the range's ordering reads (short
 * semvers padded: `1` is stored as `1.0.0`), sorted by it (`introduced: "0"` first; events at equal
 * versions in the record's order).
 */
export interface AffectedRange {
  type: "SEMVER" | "ECOSYSTEM";
  events: RangeEvent[];
  /**
   * Events whose version the ordering cannot read, as written, in the record's order (absent when none).
   * They could sit anywhere in the order, so the range can only say "possibly affected" where they
   * matter (isAffected: `unverified`).
   */
  unreadable?: RangeEvent[];
}

/** One `affected[]` entry of an OSV advisory, for a supported ecosystem. */
export interface AffectedPackage {
  ecosystem: Ecosystem;
  /** Normalised (the ecosystem definition's normalizeName). */
  name: string;
  /** GIT ranges are dropped: they cannot be evaluated without the repository. */
  ranges: AffectedRange[];
  /**
   * The explicit `versions` list as equality keys of the ecosystem's ordering (npm/crates.io/Go: semver
   * without `v` or build metadata, short versions padded; PyPI: PEP 440 canonical form), so membership
   * is a string lookup. Versions that do not parse are kept as written.
   */
  versions: string[];
  /** Every readable `fixed` version of the ranges, lowest first, de-duplicated. */
  fixed: string[];
}

/** A parsed, validated, normalised OSV advisory; plain JSON. */
/** The CVSS vector an advisory states, with its base score. */
export interface AdvisoryCvss {
  version: "3.0" | "3.1" | "4.0";
  vector: string;
  score: number;
}

export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  /** When the advisory is withdrawn (RFC 3339): it matches before that moment, never from it on. */
  withdrawn?: string;
  aliases: string[];
  /** The OSV summary, else the first line of the details, else "". */
  summary: string;
  severity: Severity;
  /** Entries for ecosystems outside ECOSYSTEM_DEFINITIONS, and release-less ones of ecosystems with releases, are left out. */
  affected: AffectedPackage[];
  /** The highest-scoring CVSS v3/v4 vector (parser version 3 on; absent when none can be scored). */
  cvss?: AdvisoryCvss;
  /** CWE ids (`database_specific.cwe_ids`); absent in copies prepared before parser version 3. */
  cwes?: string[];
  /** Reference URLs, de-duplicated, at most MAX_REFERENCES; absent in copies prepared before parser version 3. */
  references?: string[];
}
