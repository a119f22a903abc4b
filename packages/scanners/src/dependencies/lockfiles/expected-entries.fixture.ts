// Test support: a parser's expected PackageSet entries of one ecosystem, written as rows.
import type { PackageSet } from "../package-set.js";

type Package = PackageSet["packages"][number];
type Unchecked = PackageSet["unchecked"][number];

/** Builders of one ecosystem's expected entries: `npm.packages(["left-pad", "1.3.0", false])`. */
export function expectedEntries(ecosystem: Package["ecosystem"]) {
  return {
    /** Packages as [name, version] rows, with a third `dev` column where the format tells it. */
    packages: (...rows: [name: string, version: string, dev?: boolean][]): Package[] =>
      rows.map(([name, version, dev]) => ({ ecosystem, name, version, ...(dev === undefined ? {} : { dev }) })),
    /** Unchecked entries as [name, spec, kind, reason] rows. */
    unchecked: (...rows: [name: string, spec: string, kind: Unchecked["kind"], reason: string][]): Unchecked[] =>
      rows.map(([name, spec, kind, reason]) => ({ ecosystem, name, spec, kind, reason })),
  };
}
