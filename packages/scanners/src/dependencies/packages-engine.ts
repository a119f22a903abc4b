import type { ScanEngine } from "../engines/scan-engine.js";
import { invalidInput } from "../scan-outcome.js";
import { SEVERITIES } from "../scan-result.js";
import type { Advisory } from "./advisory.js";
import { ECOSYSTEMS } from "./ecosystems/registry.js";
import type { PreparedAdvisory } from "./match-index.js";
import { matchPackages, matchPrepared } from "./match-packages.js";
import type { PackageSet } from "./package-set.js";
import { UNCHECKED_KINDS } from "./unchecked-kind.js";

/** A package scan: a canonical package set and the advisories of its packages, loaded by its scan type. */
export interface PackagesTask {
  engine: "packages";
  input: unknown;
  advisories: Advisory[];
  /**
   * The same advisories prepared for matching, as the caller holds them across scans. Used when the scan runs in
   * the caller's thread; never sent to a pool thread (copying it would cost more than it saves).
   */
  prepared?: PreparedAdvisory[];
  now?: number;
}

export function isPackageSet(value: unknown): value is PackageSet {
  const set = value as PackageSet | null;
  return typeof set === "object" && set !== null && Array.isArray(set.packages) && Array.isArray(set.unchecked);
}

/** Matches a package set against advisories, each ecosystem by its own version rules; findings are `VulnerabilityFinding`s. */
export const packagesEngine: ScanEngine<PackagesTask> = {
  name: "packages",
  run(task) {
    if (!isPackageSet(task.input) || !Array.isArray(task.advisories))
      return invalidInput("invalid package scan: expected a package set and advisories");
    const output = Array.isArray(task.prepared)
      ? matchPrepared(task.input, task.prepared, { now: task.now })
      : matchPackages(task.input, task.advisories, { now: task.now });
    return { status: "completed", output };
  },
  result: {
    finding: "VulnerabilityFinding",
    components: {
      VulnerabilityFinding: {
        type: "object",
        description: "One installed package affected by one advisory.",
        required: [
          "id",
          "aliases",
          "ecosystem",
          "package",
          "version",
          "severity",
          "summary",
          "fixed_in",
          "cwes",
          "published",
          "references",
        ],
        properties: {
          id: { type: "string", description: "The advisory's id, e.g. `GHSA-35jh-r3h4-6jhm`" },
          aliases: { type: "array", items: { type: "string" }, description: "Other ids of the advisory, e.g. `CVE-2021-23337`" },
          ecosystem: { type: "string", enum: [...ECOSYSTEMS] },
          package: { type: "string" },
          version: { type: "string", description: "The installed version" },
          severity: { enum: [...SEVERITIES] },
          summary: { type: "string" },
          fixed_in: {
            type: ["string", "null"],
            description: "The lowest fixed version above the installed one; null when the advisory names none that can be read",
          },
          cvss: {
            type: "object",
            description: "The advisory's highest-scoring CVSS vector, when it states one",
            required: ["version", "vector", "score"],
            properties: {
              version: { enum: ["3.0", "3.1", "4.0"] },
              vector: { type: "string", examples: ["CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"] },
              score: { type: "number", minimum: 0, maximum: 10 },
            },
          },
          cwes: {
            type: "array",
            items: { type: "string", pattern: "^CWE-\\d+$" },
            description: "CWE ids; empty when the advisory names none",
          },
          published: {
            type: ["string", "null"],
            format: "date-time",
            description: "When the advisory was published; null when it does not say",
          },
          references: {
            type: "array",
            items: { type: "string", format: "uri" },
            maxItems: 10,
            description: "Advisory, fix and report URLs",
          },
          confidence: {
            const: "unverified",
            description:
              "Whether this version is affected depends on a version that could not be read (an advisory bound or the installed " +
              "version). Absent: verified. Unverified findings count in the summary.",
          },
          direct: {
            type: "boolean",
            description: "Where the input shows it (lockfiles): whether the project asks for the package itself",
          },
          dev: { type: "boolean", description: "Where the input shows it: the package is only a development dependency" },
          path: {
            type: "array",
            items: { type: "string" },
            description: "Where the input shows it: the chain of packages that pulls it in, from a direct dependency to itself",
          },
        },
      },
      UncheckedEntry: {
        type: "object",
        required: ["ecosystem", "name", "spec", "kind", "reason"],
        properties: {
          ecosystem: { type: "string" },
          name: { type: "string" },
          spec: { type: "string", description: "What the input said, e.g. `flask>=2` or `foo@git+https://…`" },
          kind: { type: "string", enum: [...UNCHECKED_KINDS] },
          reason: { type: "string" },
        },
      },
    },
    properties: {
      unchecked: {
        type: "array",
        items: { $ref: "#/components/schemas/UncheckedEntry" },
        description: "Dependency results: entries the input names that could not be checked",
      },
      packages: { type: "integer", description: "Dependency results: how many packages were checked" },
    },
  },
};
