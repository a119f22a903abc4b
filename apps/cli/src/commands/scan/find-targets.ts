import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { type LockfileFormat, SECRET_RULES, lockfileFormatForFileName } from "@secapi/scanners";
import ignore, { type Ignore } from "ignore";

/** Directories never walked: dependencies installed or vendored, and version control. */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules", "vendor", ".venv", "venv", "__pycache__", "bower_components"]);
/** SBOM file names (CycloneDX and SPDX JSON). */
const SBOM_FILE_NAME = /(?:^bom\.json$|\.cdx\.json$|\.spdx\.json$)/;
/** A text file larger than this is not read for secrets (generated or data files). */
export const MAX_SECRETS_FILE_BYTES = 1024 * 1024;
/** A lockfile or SBOM larger than this is skipped (the API takes at most 5 MB per body). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024 - 64 * 1024;

/** Something under PATH to submit: a lockfile, an SBOM, or (for secrets) a candidate text file. */
export type ScanTarget =
  | { kind: "lockfile"; path: string; format: LockfileFormat; text: string }
  | { kind: "sbom"; path: string; text: string }
  | { kind: "secrets"; path: string; text: string };

export interface FindOptions {
  /** Also collect text files that may hold secrets. */
  secrets: boolean;
}

export interface FoundTargets {
  targets: ScanTarget[];
  /** Files passed over, with why (too large, not text). */
  skipped: { path: string; reason: string }[];
}

const KEYWORDS = [...new Set(SECRET_RULES.flatMap((rule) => rule.keywords))];

/** A file may hold a secret when it is text and names one of the secret rules' keywords. */
function mayHoldSecret(buffer: Buffer): string | undefined {
  if (buffer.includes(0)) return undefined;
  const text = buffer.toString("utf8");
  const lower = text.toLowerCase();
  return KEYWORDS.some((keyword) => lower.includes(keyword)) ? text : undefined;
}

/** `.gitignore` rules of a directory, relative to the root, added to the rules of its parents. */
async function withGitignore(parent: Ignore, root: string, dir: string): Promise<Ignore> {
  const text = await readFile(join(dir, ".gitignore"), "utf8").catch(() => undefined);
  if (text === undefined) return parent;
  const prefix = relative(root, dir).split(sep).join("/");
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      if (prefix === "") return line;
      const negated = line.startsWith("!");
      const pattern = negated ? line.slice(1) : line;
      // A pattern with a slash (other than a trailing one) is anchored to its .gitignore's directory.
      const anchored = pattern.replace(/\/$/, "").includes("/");
      const scoped = anchored ? `${prefix}/${pattern.replace(/^\//, "")}` : `${prefix}/**/${pattern}`;
      return negated ? `!${scoped}` : scoped;
    });
  return ignore().add(parent).add(rules);
}

/** Walks `root` (respecting `.gitignore`, skipping dependency and VCS directories) for what `secapi scan` submits. */
export async function findTargets(root: string, options: FindOptions): Promise<FoundTargets> {
  const targets: ScanTarget[] = [];
  const skipped: FoundTargets["skipped"] = [];

  async function walk(dir: string, rules: Ignore): Promise<void> {
    const here = await withGitignore(rules, root, dir);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name) || here.ignores(`${path}/`)) continue;
        await walk(full, here);
        continue;
      }
      if (!entry.isFile() || here.ignores(path)) continue;
      const lockfile = lockfileFormatForFileName(entry.name);
      const sbom = SBOM_FILE_NAME.test(entry.name);
      if (!lockfile && !sbom && !options.secrets) continue;
      const { size } = await stat(full);
      const limit = lockfile || sbom ? MAX_FILE_BYTES : MAX_SECRETS_FILE_BYTES;
      if (size > limit) {
        skipped.push({ path, reason: `larger than ${limit} bytes` });
        continue;
      }
      const buffer = await readFile(full);
      if (lockfile) targets.push({ kind: "lockfile", path, format: lockfile.format, text: buffer.toString("utf8") });
      else if (sbom) targets.push({ kind: "sbom", path, text: buffer.toString("utf8") });
      if (options.secrets) {
        const text = mayHoldSecret(buffer);
        if (text !== undefined) targets.push({ kind: "secrets", path, text });
      }
    }
  }

  await walk(root, ignore());
  return { targets, skipped };
}
