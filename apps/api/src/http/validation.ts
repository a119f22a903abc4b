import type { z } from "zod";
import { badRequest } from "./http-error.js";

/** Zod issues as `{path, message}` pairs a client can act on. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.join(".") || "(body)",
    message:
      issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}

/** Parses `value` or throws a 400 that lists what is wrong. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw badRequest("validation_failed", `Invalid ${what}: ${summary}`, { issues });
}
