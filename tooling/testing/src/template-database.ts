import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MIGRATIONS_DIR = `${REPO_ROOT}packages/db/migrations`;

/**
 * Name of the migrated template that test databases are cloned from. It changes with the migrations,
 * so a stale template is never used and concurrent runs of the same tree share one.
 */
export function templateDatabaseName(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(readFileSync(`${MIGRATIONS_DIR}/${file}`));
  }
  return `secapi_tpl_${hash.digest("hex").slice(0, 12)}`;
}
