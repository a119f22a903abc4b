import type { Ecosystem } from "../ecosystems/registry.js";
import type { PackageSet } from "../package-set.js";

/**
 * One lockfile format a `dependencies` scan reads. The input schema, the OpenAPI document and
 * `extractPackages` take their formats from the registry (`LOCKFILE_FORMAT_DEFINITIONS`), so a new format
 * is its parser and one registry entry.
 */
export interface LockfileFormatDefinition<Format extends string = string> {
  /** The `format` a `dependencies` input names it by: the file's usual name. */
  readonly format: Format;
  /** The ecosystem of the packages it lists. */
  readonly ecosystem: Ecosystem;
  /** Matches the names (without a directory) files in this format go by in a project. */
  readonly fileName: RegExp;
  /** The packages the file lists, not yet canonical. Throws DependencyInputError for a file that is not the format. */
  parse(text: string): PackageSet;
}
