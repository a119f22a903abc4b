import {
  type DependenciesInput,
  type SbomInput,
  type SecretsInput,
  dependenciesInputSchema,
  extractPackages,
  extractSbomPackages,
  sbomInputSchema,
  secretsInputSchema,
} from "@secapi/scanners";
import { findUnstorableText } from "@secapi/db";
import type { z } from "zod";
import { UnstorableInputError } from "./unstorable-input-error.js";

/** What SecAPI needs to know about a scan type to accept, address and route it. */
export interface ScanTypeDefinition<I = unknown> {
  name: string;
  /** Results belong to the submitting user alone: keys, jobs and results are scoped by owner. */
  private: boolean;
  inputSchema: z.ZodType<I>;
  /**
   * The form whose hash addresses the input and which the worker scans: equal content, equal form,
   * whatever the order given. May throw the scanner's input errors (unusable lockfile, SBOM...) and,
   * for every type, UnstorableInputError.
   */
  canonicalize(input: I): unknown;
  /** For input that lacks something the client can produce: a message saying how (answered 422). */
  missingInputHint?(raw: unknown): string | undefined;
}

const secrets: ScanTypeDefinition<SecretsInput> = {
  name: "secrets",
  private: true,
  inputSchema: secretsInputSchema,
  canonicalize: (input) => ({
    files: [...input.files].sort((a, b) =>
      a.path === b.path ? (a.content < b.content ? -1 : a.content > b.content ? 1 : 0) : a.path < b.path ? -1 : 1,
    ),
  }),
};

const dependencies: ScanTypeDefinition<DependenciesInput> = {
  name: "dependencies",
  private: false,
  inputSchema: dependenciesInputSchema,
  canonicalize: (input) => extractPackages(input),
};

const sbom: ScanTypeDefinition<SbomInput> = {
  name: "sbom",
  private: false,
  inputSchema: sbomInputSchema,
  canonicalize: (input) => extractSbomPackages(input.sbom),
  missingInputHint: (raw) => {
    const input = raw as { image?: unknown; sbom?: unknown } | null;
    if (typeof input !== "object" || input === null || input.sbom !== undefined) return undefined;
    // Any other field is a mistake (`"SBOM"`, `"bom"`) that validation names better than this hint.
    if (Object.keys(input).some((key) => key !== "image")) return undefined;
    const image = typeof input.image === "string" ? input.image : "IMAGE";
    return (
      `An image scan needs the image's SBOM: SecAPI does not pull images. Produce one with ` +
      `\`syft ${image} -o cyclonedx-json > sbom.json\` (or \`trivy image --format cyclonedx ${image}\`) ` +
      `and send {"image": "${image}", "sbom": <its JSON>}.`
    );
  },
};

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

/** The scan types this build runs, by name. */
export const SCAN_TYPES: Readonly<Record<string, ScanTypeDefinition>> = {
  secrets: refusingUnstorable(secrets),
  dependencies: refusingUnstorable(dependencies),
  sbom: refusingUnstorable(sbom),
};

/** Other names clients may use, e.g. `POST /api/v1/scan/docker`. */
const ALIASES: Readonly<Record<string, string>> = { docker: "sbom", image: "sbom" };

/** The definition for a name or alias, or undefined if this build has no such type. */
export function resolveScanType(name: string): ScanTypeDefinition | undefined {
  return SCAN_TYPES[ALIASES[name] ?? name];
}
