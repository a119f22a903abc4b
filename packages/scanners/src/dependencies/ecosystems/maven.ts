import { mavenScheme } from "../version-schemes/maven.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten } from "./package-name-rules.js";

/**
 * Maven (Maven Central and every repository laid out like it). A package is `groupId:artifactId`, as OSV
 * names it; both parts are case-sensitive, so kept as written. A purl's namespace is the group:
 * `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1` is `org.apache.logging.log4j:log4j-core`.
 */
export const maven: EcosystemDefinition<"Maven"> = {
  id: "Maven",
  osvName: "Maven",
  purlType: "maven",
  versionScheme: mavenScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: (namespace, name) => (namespace ? `${namespace}:${name}` : name),
};
