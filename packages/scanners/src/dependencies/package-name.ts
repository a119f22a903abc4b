import type { Ecosystem } from "./ecosystem.js";

/**
 * The name a package is matched and tagged by.
 *
 * - PyPI: PEP 503 (lower case, runs of `-`, `_`, `.` become one `-`), as pip and osv.dev compare names.
 * - npm, Go: as is. npm names are case-sensitive for the legacy packages that have capitals
 *   (`JSONStream`); Go module paths are case-sensitive.
 * - crates.io: as is. crates.io refuses a crate whose name differs from an existing one only by case or
 *   `-`/`_`, so each crate has one spelling, which Cargo.lock, purls and OSV records all use;
 *   osv.dev matches crate names exactly too.
 */
export function normalizePackageName(ecosystem: Ecosystem, name: string): string {
  const trimmed = name.trim();
  return ecosystem === "PyPI" ? trimmed.toLowerCase().replace(/[-_.]+/g, "-") : trimmed;
}
