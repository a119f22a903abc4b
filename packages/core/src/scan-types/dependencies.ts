import { type DependenciesInput, dependenciesInputSchema, extractPackages } from "@secapi/scanners";
import { preparePackageRun } from "./package-run.js";
import type { ScanTypeDefinition } from "./scan-type.js";

const packageLock = JSON.stringify(
  {
    name: "web",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "web", version: "1.0.0", dependencies: { express: "4.17.1" }, devDependencies: { lodash: "4.17.20" } },
      "node_modules/express": { version: "4.17.1" },
      "node_modules/lodash": { version: "4.17.20", dev: true },
    },
  },
  null,
  2,
);

/** Vulnerable dependencies of a package list or a lockfile. Shared: equal package sets share one result. */
export const dependencies: ScanTypeDefinition<DependenciesInput, "packages"> = {
  name: "dependencies",
  private: false,
  inputSchema: dependenciesInputSchema,
  canonicalize: (input) => extractPackages(input),
  engine: "packages",
  prepareRun: preparePackageRun,
  docs: {
    examples: {
      lockfile: {
        summary: "A lockfile's text with its format (the file's usual name)",
        value: { lockfile: packageLock, format: "package-lock.json" },
      },
      requirements: {
        summary: "A requirements.txt",
        value: { lockfile: "flask==2.0.1\nrequests==2.25.0\n", format: "requirements.txt" },
      },
      packages: {
        summary: "A package list",
        value: {
          packages: [
            { ecosystem: "npm", name: "lodash", version: "4.17.20" },
            { ecosystem: "PyPI", name: "flask", version: "2.0.1" },
          ],
        },
      },
    },
  },
};
