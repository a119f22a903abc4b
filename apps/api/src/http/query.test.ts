import type { Request } from "express";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HttpError } from "./http-error.js";
import { queryParser } from "./query.js";

const request = (url: string, query: Record<string, unknown> = {}) => ({ url, query }) as unknown as Request;
const schema = z.object({ limit: z.coerce.number().int().min(1).default(20) });

describe("queryParser", () => {
  it("gives a request without a query string the schema's defaults, parsed once and frozen", () => {
    const parse = queryParser(schema, "query");
    const first = parse(request("/scans"));
    expect(first).toEqual({ limit: 20 });
    expect(Object.isFrozen(first)).toBe(true);
    expect(parse(request("/scans"))).toBe(first);
  });

  it("parses a query string, and answers 400 for a bad one", () => {
    const parse = queryParser(schema, "query");
    expect(parse(request("/scans?limit=5", { limit: "5" }))).toEqual({ limit: 5 });
    expect(() => parse(request("/scans?limit=0", { limit: "0" }))).toThrow(HttpError);
  });

  it("parses what `pick` takes from the query", () => {
    const parse = queryParser(z.record(z.string(), z.string()), "labels", (query) => ({ picked: String(query.a) }));
    expect(parse(request("/scans?a=1", { a: "1" }))).toEqual({ picked: "1" });
  });
});
