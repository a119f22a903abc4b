import { semverScheme } from "../version-schemes/semver.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/**
 * npm. Names are kept as written: they are case-sensitive for the legacy packages that have capitals
 * (`JSONStream`).
 */
export const npm: EcosystemDefinition<"npm"> = {
  id: "npm",
  osvName: "npm",
  purlType: "npm",
  versionScheme: semverScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
