import { alpine } from "./alpine.js";
import { cratesIo } from "./crates-io.js";
import { debian } from "./debian.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { go } from "./go.js";
import { npm } from "./npm.js";
import { pub } from "./pub.js";
import { pypi } from "./pypi.js";
import { maven } from "./maven.js";
import { nuget } from "./nuget.js";
import { packagist } from "./packagist.js";
import { rubygems } from "./rubygems.js";
import { redHat } from "./red-hat.js";
import { rockyLinux } from "./rocky-linux.js";
import { almaLinux } from "./almalinux.js";

/** Every ecosystem the dependency scanner matches, in the order lists and error messages name them. */
export const ECOSYSTEM_DEFINITIONS = [
  npm,
  pypi,
  go,
  cratesIo,
  maven,
  nuget,
  pub,
  rubygems,
  packagist,
  debian,
  alpine,
  redHat,
  rockyLinux,
  almaLinux,
] as const;

/** An ecosystem's id: `npm`, `PyPI`, `Go`, `crates.io`. */
export type Ecosystem = (typeof ECOSYSTEM_DEFINITIONS)[number]["id"];

type Ids<T extends readonly EcosystemDefinition[]> = { readonly [K in keyof T]: T[K]["id"] };

/** The ecosystem ids, for enums (input schemas, the OpenAPI document). */
// `map` loses the tuple's length and order, which z.enum and the literal types need; they are the definitions'.
export const ECOSYSTEMS = ECOSYSTEM_DEFINITIONS.map((definition) => definition.id) as unknown as Ids<typeof ECOSYSTEM_DEFINITIONS>;

const BY_ID = new Map<string, EcosystemDefinition<Ecosystem>>(ECOSYSTEM_DEFINITIONS.map((d) => [d.id, d]));
const BY_OSV_NAME = new Map<string, EcosystemDefinition<Ecosystem>>(ECOSYSTEM_DEFINITIONS.map((d) => [d.osvName, d]));
const BY_PURL_TYPE = new Map<string, EcosystemDefinition<Ecosystem>[]>();
for (const definition of ECOSYSTEM_DEFINITIONS)
  BY_PURL_TYPE.set(definition.purlType, [...(BY_PURL_TYPE.get(definition.purlType) ?? []), definition]);

/** Whether `value` is an ecosystem id (exact spelling). */
export function isEcosystem(value: unknown): value is Ecosystem {
  return typeof value === "string" && BY_ID.has(value);
}

/** The definition of an ecosystem. */
export function ecosystemDefinition(id: Ecosystem): EcosystemDefinition<Ecosystem> {
  const definition = BY_ID.get(id);
  // The type admits only registered ids; a cast value that is not one is a programming error.
  if (definition === undefined) throw new TypeError(`not an ecosystem: ${String(id)}`);
  return definition;
}

/**
 * The ecosystem of OSV records whose `affected[].package.ecosystem` is `name` (exact spelling), if supported,
 * with the release after the `:` (`Debian:12` → Debian, `12`) for ecosystems whose packages are per release.
 */
export function ecosystemForOsvName(name: string): EcosystemDefinition<Ecosystem> | undefined {
  return osvEcosystem(name)?.definition;
}

/** ecosystemForOsvName with the release the name carries (`Alpine:v3.19` → `v3.19`), if the ecosystem has releases. */
export function osvEcosystem(name: string): { definition: EcosystemDefinition<Ecosystem>; release?: string } | undefined {
  const exact = BY_OSV_NAME.get(name);
  if (exact !== undefined) return { definition: exact };
  const colon = name.indexOf(":");
  const release = name.slice(colon + 1);
  const definition = colon > 0 ? BY_OSV_NAME.get(name.slice(0, colon)) : undefined;
  // Only ecosystems that say how a release names its packages take one; `npm:1` stays unknown.
  return definition?.releaseName === undefined || release === "" ? undefined : { definition, release };
}

/**
 * The ecosystem of purls of type `type` (`cargo`, `golang`…), if supported. Where ecosystems share a type (`rpm`),
 * the purl's namespace picks one (`pkg:rpm/rocky/…`); another namespace (`pkg:rpm/fedora/…`) is not supported.
 */
export function ecosystemForPurl(type: string, namespace?: string): EcosystemDefinition<Ecosystem> | undefined {
  const candidates = BY_PURL_TYPE.get(type) ?? [];
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined && only.purlNamespaces === undefined) return only;
  const wanted = namespace?.trim().toLowerCase();
  return wanted === undefined ? undefined : candidates.find((definition) => definition.purlNamespaces?.includes(wanted));
}

/** The purl namespaces that pick an ecosystem among those sharing purl type `type`, for messages. */
export function purlNamespacesOf(type: string): string[] {
  return (BY_PURL_TYPE.get(type) ?? []).flatMap((definition) => definition.purlNamespaces ?? []);
}
