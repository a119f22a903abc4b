import { semverScheme } from "../version-schemes/semver.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/**
 * crates.io. Names are kept as written: crates.io refuses a crate whose name differs from an existing one
 * only by case or `-`/`_`, so each crate has one spelling, which Cargo.lock, purls and OSV records all use;
 * osv.dev matches crate names exactly too.
 */
export const cratesIo: EcosystemDefinition<"crates.io"> = {
  id: "crates.io",
  osvName: "crates.io",
  purlType: "cargo",
  versionScheme: semverScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
