import { semverScheme } from "../version-schemes/semver.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/**
 * Go modules. Module paths are case-sensitive, so kept as written. Versions are semver with or without
 * the `v` (pseudo-versions order as pre-releases); purl versions keep their `v`.
 */
export const go: EcosystemDefinition<"Go"> = {
  id: "Go",
  osvName: "Go",
  purlType: "golang",
  versionScheme: semverScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
