import { findUnstorableText, unstorableReason } from "@secapi/db";
import type { z } from "zod";
import { type IssueReport, describeIssues } from "./describe-issues.js";
import { badRequest } from "./http-error.js";
import { formatPath } from "./json-path.js";

/** A 400 lists at most this many issues (100,000 packages with one typo each must not make a 10 MB answer). */
const MAX_ISSUES = 50;
/** ...and its message sums up the first few. */
const MAX_SUMMARISED = 5;

/**
 * Parses `value` or throws a 400 (`validation_failed`) that lists what is wrong as `issues: [{path, message}]`.
 * A string or key Postgres cannot store (U+0000, an unpaired surrogate) is refused here too, wherever it
 * sits: nothing that reaches a handler can fail later for it. `root` prefixes every path (`input` for a
 * scan input, on both submission routes).
 */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string, root = ""): T {
  const unstorable: IssueReport[] = findUnstorableText(value, MAX_ISSUES).map((found) => ({
    path: formatPath(root, found.path),
    message: unstorableReason(found),
  }));
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success && unstorable.length === 0) return parsed.data;
  const issues = [...unstorable, ...(parsed.success ? [] : describeIssues(parsed.error.issues, { schema, value, root }))];
  const summary = issues
    .slice(0, MAX_SUMMARISED)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  const more = issues.length > MAX_SUMMARISED ? ` (and ${issues.length - MAX_SUMMARISED} more)` : "";
  throw badRequest("validation_failed", `Invalid ${what}: ${summary}${more}`, { issues: issues.slice(0, MAX_ISSUES) });
}
