import { createHash } from "node:crypto";

/**
 * A stable id for one secret in one file under one rule: the first 32 hex characters of
 * SHA-256(`ruleId \0 path \0 secret`), so a client can track it across scans without seeing it.
 */
export function fingerprint(ruleId: string, path: string, secret: string): string {
  return createHash("sha256").update(`${ruleId}\0${path}\0${secret}`).digest("hex").slice(0, 32);
}
