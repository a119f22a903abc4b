import { findUnstorableText } from "@secapi/db";
import { UnstorableInputError } from "../unstorable-input-error.js";
import { dependencies } from "./dependencies.js";
import { image } from "./image.js";
import { sbom } from "./sbom.js";
import type { ScanTypeDefinition } from "./scan-type.js";
import { secrets } from "./secrets.js";

/**
 * A value Postgres cannot store (U+0000, an unpaired surrogate) in the canonical form fails the run on every
 * retry, so it is refused at submission instead. Raw input was checked before parsing; this catches what
 * parsing decoded (a purl's `%00`, a `\u0000` escape inside a lockfile), for every type alike.
 */
function refusingUnstorable<I>(type: ScanTypeDefinition<I>): ScanTypeDefinition {
  return {
    ...type,
    canonicalize: (input) => {
      const canonical = type.canonicalize(input as I);
      const [found] = findUnstorableText(canonical, 1);
      if (found) throw new UnstorableInputError(type.name, found, canonical, !type.private);
      return canonical;
    },
  } as ScanTypeDefinition;
}

/** The scan types this build runs, by name. A new type is one module here and one line in this list. */
export const SCAN_TYPES: Readonly<Record<string, ScanTypeDefinition>> = Object.fromEntries(
  [secrets, dependencies, sbom, image].map((type) => [type.name, refusingUnstorable(type as ScanTypeDefinition)]),
);

const BY_ALIAS: Readonly<Record<string, ScanTypeDefinition>> = Object.fromEntries(
  Object.values(SCAN_TYPES).flatMap((type) => (type.aliases ?? []).map((alias) => [alias, type])),
);

/** The definition for a name or alias, or undefined if this build has no such type. */
export function resolveScanType(name: string): ScanTypeDefinition | undefined {
  return SCAN_TYPES[name] ?? BY_ALIAS[name];
}
