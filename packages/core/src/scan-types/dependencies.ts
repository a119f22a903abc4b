import { type DependenciesInput, dependenciesInputSchema, extractPackages } from "@secapi/scanners";
import { preparePackageRun } from "./package-run.js";
import type { ScanTypeDefinition } from "./scan-type.js";

/** Vulnerable dependencies of a package list or a lockfile. Shared: equal package sets share one result. */
export const dependencies: ScanTypeDefinition<DependenciesInput> = {
  name: "dependencies",
  private: false,
  inputSchema: dependenciesInputSchema,
  canonicalize: (input) => extractPackages(input),
  prepareRun: preparePackageRun,
};
