import { pubSemverScheme } from "../version-schemes/pub-semver.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/**
 * Dart and Flutter packages (pub.dev). Names are kept as written: pub allows only lowercase letters,
 * digits and `_`, so each package has one spelling. Versions order as pub_semver orders them.
 */
export const pub: EcosystemDefinition<"Pub"> = {
  id: "Pub",
  osvName: "Pub",
  purlType: "pub",
  versionScheme: pubSemverScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
