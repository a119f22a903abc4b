import { advisoryRecord, parseAdvisories } from "@secapi/core";
import type { AdvisoryRecord } from "@secapi/db";
import { z } from "zod";
import { unprocessable } from "../http/http-error.js";
import { parseOr400 } from "../http/validation.js";

/** The most advisories one `POST /api/v1/admin/advisories` takes; dumps go through the CLI. */
export const MAX_ADVISORIES_PER_REQUEST = 10_000;

const bodySchema = z
  .array(z.unknown())
  .min(1, "send at least one advisory")
  .max(
    MAX_ADVISORIES_PER_REQUEST,
    `at most ${MAX_ADVISORIES_PER_REQUEST.toLocaleString("en-US")} per request; use \`pnpm secapi advisories import\` for dumps`,
  );

/**
 * The advisories of a `POST /api/v1/admin/advisories` body, parsed, validated and in the form the database
 * stores (JSON text: cheap to hand across threads): all of them, or a 422 naming the invalid ones (nothing is
 * stored then). Pure, so that a large body can take it off the event loop.
 */
export function parseAdvisoryBody(body: unknown): { records: AdvisoryRecord[]; received: number } {
  const items = parseOr400(bodySchema, body, "request body (an array of OSV advisories)");
  const { advisories, invalid } = parseAdvisories(items.map((json, index) => ({ source: `[${index}]`, json })));
  if (invalid.length > 0) {
    throw unprocessable("advisory_invalid", `${invalid.length} of ${items.length} advisories are not valid OSV; nothing was stored`, {
      issues: invalid.slice(0, 50),
    });
  }
  return { records: advisories.map(advisoryRecord), received: items.length };
}
