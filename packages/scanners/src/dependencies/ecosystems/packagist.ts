import { composerScheme } from "../version-schemes/composer.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { namespaceSlashName } from "./package-name-rules.js";

/** Composer names are `vendor/package`, case-insensitive: Packagist and osv.dev keep them in lower case. */
function composerName(name: string): string {
  return name.trim().toLowerCase();
}

/** Packagist (Composer). The purl's namespace is the vendor: `pkg:composer/symfony/http-kernel`. */
export const packagist: EcosystemDefinition<"Packagist"> = {
  id: "Packagist",
  osvName: "Packagist",
  purlType: "composer",
  versionScheme: composerScheme,
  normalizeName: composerName,
  nameFromPurl: (namespace, name) => composerName(namespaceSlashName(namespace, name)),
};
