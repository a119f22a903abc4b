import { createRequire } from "node:module";
import type * as YarnLockfile from "@yarnpkg/lockfile";
import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { placeInGraph } from "./dependency-graph.js";
import type { DependencyGraph } from "./dependency-graph.js";
import { parseYarnBerryLock } from "./yarn-berry-lock.js";
import { addNpmEntry, aliasTarget, nonStringField, npmUnchecked, splitNameAtSpec } from "./npm-entry.js";

// CommonJS whose exports ESM loaders see differently (Node: only `default`; vitest: named). require
// gives its real exports everywhere.
const yarnLockfile = createRequire(import.meta.url)("@yarnpkg/lockfile") as typeof YarnLockfile;

/**
 * Packages in a yarn.lock: berry (v2+) files, told apart by their `__metadata` entry, go to
 * parseYarnBerryLock; the rest is read as yarn classic (v1). Classic does not name the project's own
 * dependencies (they are in the package.json, which the input does not hold), but yarn keeps only entries
 * the project needs, so one that no other entry depends on is direct (as poetry.lock is read); paths run from
 * those through each entry's `dependencies` and `optionalDependencies`. Others keep `direct` absent: a
 * package both the project and another package ask for cannot be told from a transitive one. dev-only cannot
 * be told either. Each entry may list several specifiers
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
  const graph = classicGraph(parsed);
  const placement = placeInGraph(graph);
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
    const place = placement.get(graph.idOf(entry) ?? "");
    addNpmEntry(set, name, version, [typeof entry.resolved === "string" ? entry.resolved : undefined, alias?.spec ?? specifier.spec], {
      ...(place?.direct === true && { direct: true }),
      ...(place !== undefined && { path: place.path }),
    });
  }
  return set;
}

/**
 * The entries of a classic lockfile as a graph. The parser gives each specifier of an entry
 * (`a@^1.0.0, a@^1.2.0:`) its own key holding the same object, so an entry is identified by its object, named
 * by its first key. A dependency `b: "^2"` points at the entry keyed `b@^2` (an alias `b: "npm:c@^2"` at
 * `b@npm:c@^2`), exactly as yarn writes the keys. The roots are the entries no other entry points at.
 */
function classicGraph(parsed: Record<string, unknown>): DependencyGraph & { idOf(entry: unknown): string | undefined } {
  const ids = new Map<object, string>();
  const names = new Map<string, string>();
  for (const [key, entry] of Object.entries(parsed)) {
    if (!isJsonObject(entry) || ids.has(entry)) continue;
    ids.set(entry, key);
    const specifier = splitNameAtSpec(key) ?? { name: key, spec: "" };
    names.set(key, aliasTarget(specifier.spec)?.name ?? specifier.name);
  }
  const children = new Map<string, string[]>();
  for (const [entry, id] of ids) {
    const record = entry as Record<string, unknown>;
    children.set(
      id,
      [record.dependencies, record.optionalDependencies].filter(isJsonObject).flatMap((declared) =>
        Object.entries(declared).flatMap(([name, range]) => {
          const target = typeof range === "string" ? parsed[`${name}@${range}`] : undefined;
          const targetId = isJsonObject(target) ? ids.get(target) : undefined;
          return targetId === undefined || targetId === id ? [] : [targetId];
        }),
      ),
    );
  }
  const needed = new Set([...children.values()].flat());
  return {
    roots: [...ids.values()].filter((id) => !needed.has(id)).map((id) => ({ id, dev: false })),
    children: (id) => children.get(id) ?? [],
    name: (id) => names.get(id) ?? id,
    idOf: (entry) => (isJsonObject(entry) ? ids.get(entry) : undefined),
  };
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
