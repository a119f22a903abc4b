import { createRequire } from "node:module";
import type * as CvssCalculator from "ae-cvss-calculator";
import { boundedMemo } from "@secapi/toolkit";

// A CommonJS (UMD) bundle whose exports ESM loaders see differently (Node: only `default`; vitest: named).
// require gives its real exports everywhere.
const { Cvss3P0, Cvss3P1, Cvss4P0 } = createRequire(import.meta.url)("ae-cvss-calculator") as typeof CvssCalculator;

// Checked before the library sees a vector: it logs warnings for malformed parts instead of failing.
const CVSS_VECTOR = /^CVSS:(3\.0|3\.1|4\.0)((?:\/[A-Za-z]+:[A-Za-z]+)+)$/;

// Advisories share a few hundred distinct vectors; scoring one is the slowest step of parsing an advisory.
/** The CVSS v3.0, v3.1 or v4.0 base score of a vector, or null when it is not a complete, valid vector. */
export const cvssBaseScore = boundedMemo(10_000, computeBaseScore);

function computeBaseScore(vector: string): number | null {
  const version = CVSS_VECTOR.exec(vector)?.[1];
  if (version === undefined) return null;
  try {
    const cvss = version === "4.0" ? new Cvss4P0(vector) : version === "3.1" ? new Cvss3P1(vector) : new Cvss3P0(vector);
    const base: unknown = cvss.calculateScores().base;
    return typeof base === "number" && Number.isFinite(base) ? base : null;
  } catch {
    // Unknown metric values throw inside the library.
    return null;
  }
}
