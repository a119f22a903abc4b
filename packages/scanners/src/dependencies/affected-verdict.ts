import type { Ecosystem } from "./ecosystems/registry.js";
import { lowerVersion } from "./lower-version.js";

/**
 * Whether an installed version is affected: `affected` however the versions that could not be read
 * compare, `unverified` only for some of the places they could take in the order, `unaffected` for none.
 */
export type AffectedStatus = "affected" | "unverified" | "unaffected";

/** A status and the lowest readable `fixed` above the version among what decided it (null if none). */
export interface AffectedVerdict {
  status: AffectedStatus;
  fixedIn: string | null;
}

export const UNAFFECTED: AffectedVerdict = { status: "unaffected", fixedIn: null };

const STRENGTH: Record<AffectedStatus, number> = { unaffected: 0, unverified: 1, affected: 2 };

/**
 * Two verdicts on one version joined by "or" (ranges of an entry, entries of an advisory): the stronger
 * status; at equal strength the lower fix, so a verified verdict's fix never comes from an unverified one.
 */
export function eitherVerdict(ecosystem: Ecosystem, a: AffectedVerdict, b: AffectedVerdict): AffectedVerdict {
  const order = STRENGTH[a.status] - STRENGTH[b.status];
  if (order !== 0) return order > 0 ? a : b;
  if (a.status === "unaffected") return a;
  return { status: a.status, fixedIn: lowerVersion(ecosystem, a.fixedIn, b.fixedIn) };
}
