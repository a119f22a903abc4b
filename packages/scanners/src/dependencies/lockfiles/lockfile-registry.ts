import type { Ecosystem } from "../ecosystems/registry.js";
import { parseComposerLock } from "./composer-lock.js";
import { parseGemfileLock } from "./gemfile-lock.js";
import type { LockfileFormatDefinition } from "./lockfile-format.js";
import { parsePackageLock } from "./package-lock.js";
import { parsePnpmLock } from "./pnpm-lock.js";
import { parseRequirementsTxt } from "./requirements-txt.js";
import { parseYarnLock } from "./yarn-lock.js";
import { parseGradleLockfile } from "./gradle-lockfile.js";
import { parseNuGetPackagesLock } from "./nuget-packages-lock.js";
import { parsePomXml } from "./pom-xml.js";
import { parseCargoLock } from "./cargo-lock.js";
import { parseGoMod } from "./go-mod.js";
import { parsePubspecLock } from "./pubspec-lock.js";
import { parseBunLock } from "./bun-lock.js";
import { parsePdmLock } from "./pdm-lock.js";
import { parsePipfileLock } from "./pipfile-lock.js";
import { parsePoetryLock } from "./poetry-lock.js";
import { parseUvLock } from "./uv-lock.js";

/** Every lockfile format a `dependencies` scan accepts, in the order lists and error messages name them. */
export const LOCKFILE_FORMAT_DEFINITIONS = [
  { format: "package-lock.json", ecosystem: "npm", fileName: /^package-lock\.json$/, parse: parsePackageLock },
  { format: "pnpm-lock.yaml", ecosystem: "npm", fileName: /^pnpm-lock\.yaml$/, parse: parsePnpmLock },
  // Classic (v1) and berry (v2+) lockfiles share the name; the parser tells them apart by berry's __metadata.
  { format: "yarn.lock", ecosystem: "npm", fileName: /^yarn\.lock$/, parse: parseYarnLock },
  // Projects split their pins by purpose: requirements-dev.txt, test-requirements.txt, requirements.in.txt.
  {
    format: "requirements.txt",
    ecosystem: "PyPI",
    fileName: /^(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.txt$/,
    parse: parseRequirementsTxt,
  },
  { format: "pom.xml", ecosystem: "Maven", fileName: /^pom\.xml$/, parse: parsePomXml },
  // buildscript-gradle.lockfile locks the build script's own classpath (plugins), in the same format.
  { format: "gradle.lockfile", ecosystem: "Maven", fileName: /^(?:buildscript-)?gradle\.lockfile$/, parse: parseGradleLockfile },
  { format: "packages.lock.json", ecosystem: "NuGet", fileName: /^packages\.lock\.json$/, parse: parseNuGetPackagesLock },
  { format: "go.mod", ecosystem: "Go", fileName: /^go\.mod$/, parse: parseGoMod },
  { format: "Cargo.lock", ecosystem: "crates.io", fileName: /^Cargo\.lock$/, parse: parseCargoLock },
  { format: "pubspec.lock", ecosystem: "Pub", fileName: /^pubspec\.lock$/, parse: parsePubspecLock },
  // gems.locked is the lockfile of a gems.rb (Bundler's newer name for the Gemfile); same format.
  { format: "Gemfile.lock", ecosystem: "RubyGems", fileName: /^(?:Gemfile\.lock|gems\.locked)$/, parse: parseGemfileLock },
  { format: "composer.lock", ecosystem: "Packagist", fileName: /^composer\.lock$/, parse: parseComposerLock },
  // npm writes the same format under this name when a package publishes its lock.
  { format: "npm-shrinkwrap.json", ecosystem: "npm", fileName: /^npm-shrinkwrap\.json$/, parse: parsePackageLock },
  { format: "bun.lock", ecosystem: "npm", fileName: /^bun\.lock$/, parse: parseBunLock },
  { format: "poetry.lock", ecosystem: "PyPI", fileName: /^poetry\.lock$/, parse: parsePoetryLock },
  { format: "Pipfile.lock", ecosystem: "PyPI", fileName: /^Pipfile\.lock$/, parse: parsePipfileLock },
  { format: "uv.lock", ecosystem: "PyPI", fileName: /^uv\.lock$/, parse: parseUvLock },
  { format: "pdm.lock", ecosystem: "PyPI", fileName: /^pdm\.lock$/, parse: parsePdmLock },
] as const satisfies readonly LockfileFormatDefinition[];

/** A lockfile format's name: `package-lock.json`, `pnpm-lock.yaml`, `yarn.lock`, `requirements.txt`. */
export type LockfileFormat = (typeof LOCKFILE_FORMAT_DEFINITIONS)[number]["format"];

type Formats<T extends readonly LockfileFormatDefinition[]> = { readonly [K in keyof T]: T[K]["format"] };

/** The lockfile format names, for enums (the `dependencies` input schema, the OpenAPI document). */
// `map` loses the tuple's length and order, which z.enum and the literal types need; they are the definitions'.
export const LOCKFILE_FORMATS = LOCKFILE_FORMAT_DEFINITIONS.map((definition) => definition.format) as unknown as Formats<
  typeof LOCKFILE_FORMAT_DEFINITIONS
>;

const BY_FORMAT = new Map<string, LockfileFormatDefinition<LockfileFormat>>(LOCKFILE_FORMAT_DEFINITIONS.map((d) => [d.format, d]));

/** The definition of a lockfile format. */
export function lockfileFormatDefinition(format: LockfileFormat): LockfileFormatDefinition<LockfileFormat> {
  const definition = BY_FORMAT.get(format);
  // The type admits only registered formats; a cast value that is not one is a programming error.
  if (definition === undefined) throw new TypeError(`not a lockfile format: ${String(format)}`);
  return definition;
}

/** The format of a file found in a project, by its name (a path's directories are ignored), if it is a lockfile. */
export function lockfileFormatForFileName(path: string): LockfileFormatDefinition<LockfileFormat> | undefined {
  const fileName = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  return LOCKFILE_FORMAT_DEFINITIONS.find((definition) => definition.fileName.test(fileName));
}

/** The lockfile formats that list packages of `ecosystem`. */
export function lockfileFormatsFor(ecosystem: Ecosystem): LockfileFormatDefinition<LockfileFormat>[] {
  return LOCKFILE_FORMAT_DEFINITIONS.filter((definition) => definition.ecosystem === ecosystem);
}
