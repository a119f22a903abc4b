import { nugetScheme } from "../version-schemes/nuget.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { namespaceSlashName } from "./package-name-rules.js";

/**
 * NuGet. Package ids are case-insensitive (nuget.org treats `Newtonsoft.Json` and `newtonsoft.json` as one
 * package, and lock files, purls and OSV records spell them either way), so they are matched lower-cased.
 */
export const nuget: EcosystemDefinition<"NuGet"> = {
  id: "NuGet",
  osvName: "NuGet",
  purlType: "nuget",
  versionScheme: nugetScheme,
  normalizeName: (name) => name.trim().toLowerCase(),
  nameFromPurl: namespaceSlashName,
};
