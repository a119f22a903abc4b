import { expect } from "vitest";
import type { Stack } from "./stack.js";

/** An OSV advisory of our own: every version below 2.0.0 of each named npm package affected. */
export function npmTestAdvisory(id: string, names: string[], extra: Record<string, unknown> = {}) {
  return {
    id,
    modified: new Date().toISOString(),
    summary: `test advisory ${id}`,
    affected: names.map((name) => ({
      package: { ecosystem: "npm", name },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "2.0.0" }] }],
    })),
    ...extra,
  };
}

/** Imports one advisory through the admin route, as an operator would, and checks it was taken. */
export async function importAdvisory(stack: Stack, adminKey: string, osv: unknown): Promise<void> {
  const response = await stack.request("POST", "/api/v1/admin/advisories", adminKey, [osv]);
  expect(response.status).toBe(200);
  expect(response.body.imported).toBe(1);
}
