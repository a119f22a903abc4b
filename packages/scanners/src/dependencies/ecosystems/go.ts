import { goSemverScheme } from "../version-schemes/go-semver.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/**
 * Go modules. Module paths are case-sensitive, so kept as written. Versions order as the go command
 * orders them, with or without the `v` (pseudo-versions are pre-releases); purl versions keep their `v`.
 * The standard library is the package `stdlib`, as OSV's Go records name it.
 */
export const go: EcosystemDefinition<"Go"> = {
  id: "Go",
  osvName: "Go",
  purlType: "golang",
  versionScheme: goSemverScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
