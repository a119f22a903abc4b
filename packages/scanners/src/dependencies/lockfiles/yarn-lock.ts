import { createRequire } from "node:module";
import type * as YarnLockfile from "@yarnpkg/lockfile";
import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { npmEntry, splitNameAtSpec } from "./npm-version.js";

// CommonJS whose exports ESM loaders see differently (Node: only `default`; vitest: named). require
// gives its real exports everywhere.
const yarnLockfile = createRequire(import.meta.url)("@yarnpkg/lockfile") as typeof YarnLockfile;

/**
 * Packages in a yarn classic (v1) yarn.lock. Each entry may list several specifiers
 * (`a@^1.0.0, a@^1.2.0:`); they resolve to one package. Aliases (`b@npm:a@^1`) count as the real
 * package; local `file:`/`link:` packages are the project's own code and are skipped. Merge conflicts
 * are resolved as yarn does when both sides parse.
 */
export function parseYarnLock(text: string): PackageSet {
  // Berry lockfiles are YAML with a __metadata entry; the classic parser would misread them.
  if (/^"?__metadata"?:/m.test(text)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      "yarn.lock is a yarn berry (v2+) lockfile; only yarn classic (v1) lockfiles are supported",
    );
  }
  const parsed = parseClassic(text);
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [key, entry] of Object.entries(parsed)) {
    const specifier = splitNameAtSpec(key);
    if (specifier === null) throw malformed(`entry ${excerpt(key)} is not name@range`);
    if (/^(?:file|link):/.test(specifier.spec)) continue;
    if (!isJsonObject(entry) || typeof entry.version !== "string") throw malformed(`entry ${excerpt(key)} has no version`);
    const alias = specifier.spec.startsWith("npm:") ? splitNameAtSpec(specifier.spec.slice(4)) : null;
    npmEntry(alias?.name ?? specifier.name, entry.version, set);
  }
  return set;
}

function parseClassic(text: string): Record<string, unknown> {
  let result: ReturnType<typeof yarnLockfile.parse>;
  try {
    result = yarnLockfile.parse(text);
  } catch (error) {
    if (error instanceof TypeError || error instanceof ReferenceError) throw error;
    // The parser's message quotes the offending token; keep only its position.
    const where = /(\d+):(\d+) in lockfile/.exec(error instanceof Error ? error.message : "");
    throw malformed(`not a valid yarn v1 lockfile${where === null ? "" : ` (line ${where[1]}, column ${where[2]})`}`);
  }
  if (result.type === "conflict") throw malformed("contains unresolved merge conflict markers");
  return result.object as Record<string, unknown>;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `yarn.lock: ${problem}`);
}
