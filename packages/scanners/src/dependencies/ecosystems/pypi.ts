import { pep440Scheme } from "../version-schemes/pep440.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { namespaceSlashName } from "./package-name-rules.js";

/** PEP 503: lower case, runs of `-`, `_`, `.` become one `-` (`Jinja2` → `jinja2`), as pip and osv.dev compare names. */
function pep503Name(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, "-");
}

/** PyPI: PEP 503 names, PEP 440 versions. */
export const pypi: EcosystemDefinition<"PyPI"> = {
  id: "PyPI",
  osvName: "PyPI",
  purlType: "pypi",
  versionScheme: pep440Scheme,
  normalizeName: pep503Name,
  nameFromPurl: namespaceSlashName,
};
