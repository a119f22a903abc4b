import { rubygemsScheme } from "../version-schemes/rubygems.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { nameAsWritten, namespaceSlashName } from "./package-name-rules.js";

/** RubyGems. Gem names are case-sensitive on rubygems.org (`RedCloth`), so kept as written; Gem::Version order. */
export const rubygems: EcosystemDefinition<"RubyGems"> = {
  id: "RubyGems",
  osvName: "RubyGems",
  purlType: "gem",
  versionScheme: rubygemsScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: namespaceSlashName,
};
