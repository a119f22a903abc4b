import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { npmEntry } from "./npm-version.js";
import { parseYamlText } from "./parse-yaml-text.js";

// pnpm 7 writes 5.x, pnpm 8 6.x, pnpm 9 and 10 9.x. 7 and 8 were never released; accepted for the
// same layout as their neighbours.
const SUPPORTED_MAJORS = new Set([5, 6, 7, 8, 9]);

/**
 * Packages in a pnpm-lock.yaml (lockfileVersion 5.x to 9.x), from the keys of `packages`:
 * `/name/version_peers` (5.x), `/name@version(peers)` (6.x), `name@version` (9.x, whose peer variants
 * live in `snapshots`). Local `file:`/`link:` packages are the project's own code and are skipped.
 */
export function parsePnpmLock(text: string): PackageSet {
  const lock = parseYamlText(text, "pnpm-lock.yaml");
  if (!isJsonObject(lock)) throw malformed("the top level is not a mapping");
  const major = Math.trunc(Number.parseFloat(String(lock.lockfileVersion)));
  if (lock.lockfileVersion === undefined || Number.isNaN(major)) throw malformed("lockfileVersion is missing");
  if (!SUPPORTED_MAJORS.has(major)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `pnpm-lock.yaml lockfileVersion ${excerpt(String(lock.lockfileVersion))} is not supported (supported: 5.x to 9.x)`,
    );
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  if (lock.packages === undefined || lock.packages === null) return set;
  if (!isJsonObject(lock.packages)) throw malformed("`packages` is not a mapping");
  for (const [key, entry] of Object.entries(lock.packages)) {
    const meta = isJsonObject(entry) ? entry : {};
    const parsed = major < 6 ? splitSlashKey(key) : (splitAtKey(key) ?? splitSlashKey(key));
    // Tarball and git packages carry their real name and version in the entry.
    const name = typeof meta.name === "string" ? meta.name : parsed?.name;
    const version = typeof meta.version === "string" ? meta.version : parsed?.version;
    if (name === undefined || version === undefined) throw malformed(`package key ${excerpt(key)} has no name and version`);
    if (/^(?:file|link):/.test(version) || (isJsonObject(meta.resolution) && typeof meta.resolution.directory === "string")) continue;
    npmEntry(name, version, set);
  }
  return set;
}

/** `/@scope/name@1.0.0(peer@2.0.0)` or `name@1.0.0` → name and version without peer suffixes. */
function splitAtKey(key: string): { name: string; version: string } | null {
  const bare = key.startsWith("/") ? key.slice(1) : key;
  const at = bare.indexOf("@", 1);
  if (at <= 0) return null;
  return { name: bare.slice(0, at), version: stripPeers(bare.slice(at + 1)) };
}

/** `/@scope/name/1.0.0_peer@2.0.0+other@1.0.0` → name and version. Peer suffixes spell `/` as `+`. */
function splitSlashKey(key: string): { name: string; version: string } | null {
  const bare = key.startsWith("/") ? key.slice(1) : key;
  const slash = bare.lastIndexOf("/");
  if (slash <= 0) return null;
  return { name: bare.slice(0, slash), version: stripPeers(bare.slice(slash + 1)) };
}

// A semver never contains "(" or "_", so everything from the first of them is a peer suffix or hash.
function stripPeers(version: string): string {
  return version.replace(/[(_].*$/, "");
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `pnpm-lock.yaml: ${problem}`);
}
