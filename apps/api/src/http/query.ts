import type { Request } from "express";
import type { z } from "zod";
import { parseOr400 } from "./validation.js";

/**
 * A parser of what a route reads from the query string (`pick` chooses it from `req.query`), with parseOr400's
 * 400s. A request without a query string gets what the schema makes of nothing, parsed once and frozen: most
 * reads carry no query, and express parses `req.query` afresh on every access.
 */
export function queryParser<T>(
  schema: z.ZodType<T>,
  what: string,
  pick: (query: Record<string, unknown>) => unknown = (query) => query,
  root?: string,
): (req: Request) => T {
  let withoutQuery: T | undefined;
  return (req) => {
    if (req.url.includes("?")) return parseOr400(schema, pick(req.query as Record<string, unknown>), what, root);
    withoutQuery ??= Object.freeze(parseOr400(schema, pick({}), what, root));
    return withoutQuery;
  };
}
