import { createRequire } from "node:module";
import type * as YarnLockfile from "@yarnpkg/lockfile";
import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { parseYarnBerryLock } from "./yarn-berry-lock.js";
import { addNpmEntry, aliasTarget, nonStringField, npmUnchecked, splitNameAtSpec } from "./npm-entry.js";

// CommonJS whose exports ESM loaders see differently (Node: only `default`; vitest: named). require
// gives its real exports everywhere.
const yarnLockfile = createRequire(import.meta.url)("@yarnpkg/lockfile") as typeof YarnLockfile;

/**
 * Packages in a yarn.lock: berry (v2+) files, told apart by their `__metadata` entry, go to
 * parseYarnBerryLock; the rest is read as yarn classic (v1). Classic cannot tell direct dependencies (the
 * package.json is not part of the input), so `direct` and paths stay absent. Each entry may list several specifiers
 * (`a@^1.0.0, a@^1.2.0:`); they resolve to one package. Aliases (`b@npm:a@^1`) count as the real
 * package; a key without a range (`a:`) names the package alone. Entries from `file:`, `link:`, git or a
 * non-registry URL, and entries that cannot be read, are unchecked. Merge conflicts are resolved as yarn
 * does when both sides parse.
 */
export function parseYarnLock(text: string): PackageSet {
  // Berry lockfiles are YAML with a __metadata entry; the classic parser would misread them.
  if (/^"?__metadata"?:/m.test(text)) return parseYarnBerryLock(text);
  const parsed = parseClassic(text);
  // Any `key value` text parses; in a lockfile, entries are blocks. Not one block: not a yarn.lock.
  const values = Object.values(parsed);
  if (values.length > 0 && !values.some(isJsonObject)) throw malformed("no entry is a package block (name@range: with version …)");
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [key, entry] of Object.entries(parsed)) {
    const specifier = splitNameAtSpec(key) ?? { name: key, spec: "" };
    const alias = aliasTarget(specifier.spec);
    const name = alias?.name ?? specifier.name;
    if (!isJsonObject(entry)) {
      set.unchecked.push(npmUnchecked(name, key, "malformed_entry", "the yarn.lock entry is not a mapping"));
      continue;
    }
    const wrongType = nonStringField(entry, ["version", "resolved"]);
    if (wrongType !== undefined) {
      set.unchecked.push(npmUnchecked(name, key, "malformed_entry", `the yarn.lock entry's ${wrongType} is not a string`));
      continue;
    }
    const version = typeof entry.version === "string" ? entry.version : undefined;
    addNpmEntry(set, name, version, [typeof entry.resolved === "string" ? entry.resolved : undefined, alias?.spec ?? specifier.spec]);
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
