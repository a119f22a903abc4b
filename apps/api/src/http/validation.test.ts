import { dependenciesInputSchema, sbomInputSchema } from "@secapi/scanners";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HttpError } from "./http-error.js";
import { parseOr400 } from "./validation.js";

function refusal(schema: z.ZodType, value: unknown, root?: string): HttpError {
  try {
    parseOr400(schema, value, "test input", root);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("parseOr400", () => {
  it("returns what the schema parsed", () => {
    const input = { packages: [{ ecosystem: "npm", name: " lodash ", version: "1" }] };
    expect(parseOr400(dependenciesInputSchema, input, "test input", "input")).toEqual({
      packages: [{ ecosystem: "npm", name: "lodash", version: "1" }],
    });
  });

  it("refuses a value Postgres cannot store even where the schema accepts anything, naming its path", () => {
    const sbom = { sbom: { bomFormat: "CycloneDX", metadata: { tools: [{ name: "gen\u0000" }] }, "x\ud800": 1 } };
    const error = refusal(sbomInputSchema, sbom, "input");
    expect(error.status).toBe(400);
    expect(error.code).toBe("validation_failed");
    expect(error.details.issues).toEqual([
      {
        path: 'input.sbom["x\\ud800"]',
        message: expect.stringMatching(/^key contains an unpaired UTF-16 surrogate \(U\+D800\) at character 2/),
      },
      { path: "input.sbom.metadata.tools[0].name", message: expect.stringMatching(/^contains U\+0000 \(NUL\) at character 4/) },
    ]);
    expect(error.message).toMatch(/^Invalid test input: input\.sbom\["x\\ud800"\]: key contains/);
  });

  it("lists the unstorable values and the schema's problems together", () => {
    const error = refusal(dependenciesInputSchema, { packages: [{ ecosystem: "pypi", name: "a\u0000", version: "1" }] }, "input");
    expect(error.details.issues).toEqual([
      { path: "input.packages[0].name", message: expect.stringMatching(/U\+0000/) },
      { path: "input.packages[0].ecosystem", message: expect.stringMatching(/did you mean "PyPI"/) },
    ]);
  });

  it("answers 422 with the value's code when the only problems are unsupported ecosystems or formats", () => {
    const ecosystems = refusal(dependenciesInputSchema, { packages: [{ ecosystem: "CocoaPods", name: "a", version: "1" }] }, "input");
    expect([ecosystems.status, ecosystems.code]).toEqual([422, "unsupported_ecosystem"]);
    expect(ecosystems.details.issues).toEqual([
      { path: "input.packages[0].ecosystem", message: expect.stringMatching(/^"CocoaPods" is not supported; supported: npm, /) },
    ]);
    expect(ecosystems.message).toMatch(/^Unsupported value in test input: input\.packages\[0\]\.ecosystem: "CocoaPods"/);
    const format = refusal(dependenciesInputSchema, { lockfile: "x", format: "mix.lock" }, "input");
    expect([format.status, format.code]).toEqual([422, "unsupported_format"]);
    expect(format.details.issues).toEqual([{ path: "input.format", message: expect.stringMatching(/supported: package-lock\.json, /) }]);
  });

  it("stays a 400 when an unsupported value comes with a malformed part, or a closed set's value is missing", () => {
    const mixed = refusal(dependenciesInputSchema, { packages: [{ ecosystem: "CocoaPods", name: "a" }] }, "input");
    expect([mixed.status, mixed.code]).toEqual([400, "validation_failed"]);
    expect(mixed.details.issues).toHaveLength(2);
    const missing = refusal(dependenciesInputSchema, { lockfile: "x" }, "input");
    expect([missing.status, missing.code]).toEqual([400, "validation_failed"]);
    // A closed set with no registered code (a scan status, a tier) is a malformed request as before.
    const other = refusal(z.strictObject({ tier: z.enum(["free", "pro"]) }), { tier: "gold" });
    expect([other.status, other.code]).toEqual([400, "validation_failed"]);
  });

  it("keeps the answer small when every one of many entries is wrong", () => {
    const packages = Array.from({ length: 5000 }, () => ({ ecosystem: "maven", name: "a", version: "1" }));
    const error = refusal(dependenciesInputSchema, { packages }, "input");
    expect(error.code).toBe("unsupported_ecosystem");
    expect(error.details.issues).toHaveLength(50);
    expect(error.message).toContain("input.packages[4].ecosystem");
    expect(error.message).not.toContain("input.packages[5].ecosystem");
    expect(error.message).toMatch(/\(and 4995 more\)$/);
  });

  it("uses no prefix without a root, and suggests only fields not sent already", () => {
    const schema = z.strictObject({ email: z.string(), name: z.string().optional() });
    expect(refusal(schema, { emial: "b" }).details.issues).toEqual([
      { path: "email", message: "required (string)" },
      { path: "(body)", message: 'unknown field "emial" (did you mean "email"?)' },
    ]);
    expect(refusal(schema, { email: "a", emial: "b" }).details.issues).toEqual([{ path: "(body)", message: 'unknown field "emial"' }]);
  });
});
