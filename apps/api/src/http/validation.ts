import { findUnstorableText, unstorableReason } from "@secapi/db";
import type { z } from "zod";
import { type IssueReport, describeIssues } from "./describe-issues.js";
import { badRequest, unprocessable } from "./http-error.js";
import { formatPath } from "./json-path.js";

/** A 400 lists at most this many issues (100,000 packages with one typo each must not make a 10 MB answer). */
const MAX_ISSUES = 50;
/** ...and its message sums up the first few. */
const MAX_SUMMARISED = 5;

/**
 * Parses `value` or throws a 400 (`validation_failed`) that lists what is wrong as `issues: [{path, message}]`.
 * When the only problems are values SecAPI does not support (an ecosystem, a lockfile format: the request is
 * well-formed, what it asks for is not read), it is a 422 with their code (`unsupported_ecosystem`,
 * `unsupported_format`) and the same `issues`, whose messages list the supported values.
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
  const unsupported = new Set(issues.map((issue) => issue.unsupported));
  const rendered = issues.slice(0, MAX_ISSUES).map(({ path, message }) => ({ path, message }));
  const summary = issues
    .slice(0, MAX_SUMMARISED)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  const more = issues.length > MAX_SUMMARISED ? ` (and ${issues.length - MAX_SUMMARISED} more)` : "";
  const [code] = unsupported;
  if (unsupported.size === 1 && code !== undefined)
    throw unprocessable(code, `Unsupported value in ${what}: ${summary}${more}`, { issues: rendered });
  throw badRequest("validation_failed", `Invalid ${what}: ${summary}${more}`, { issues: rendered });
}
