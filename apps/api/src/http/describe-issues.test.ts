import { ECOSYSTEMS, LOCKFILE_FORMATS, dependenciesInputSchema, sbomInputSchema, secretsInputSchema } from "@secapi/scanners";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type IssueReport, describeIssues } from "./describe-issues.js";

function issuesOf(schema: z.ZodType, value: unknown, root = "input"): IssueReport[] {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return describeIssues(parsed.error.issues, { schema, value, root });
}

const pkg = (ecosystem: string) => ({ ecosystem, name: "lodash", version: "4.17.20" });

describe("describeIssues: dependencies (a union told apart by its fields)", () => {
  it("names the wrong-case ecosystem at its path, with the spelling it meant", () => {
    expect(issuesOf(dependenciesInputSchema, { packages: [pkg("npm"), pkg("npm"), pkg("npm"), pkg("pypi")] })).toEqual([
      {
        path: "input.packages[3].ecosystem",
        message: `"pypi" is not one of ${ECOSYSTEMS.join(", ")}; did you mean "PyPI"?`,
        unsupported: "unsupported_ecosystem",
      },
    ]);
  });

  it("lists the supported ecosystems for one it does not know", () => {
    expect(issuesOf(dependenciesInputSchema, { packages: [pkg("CocoaPods")] })).toEqual([
      {
        path: "input.packages[0].ecosystem",
        message: `"CocoaPods" is not supported; supported: ${ECOSYSTEMS.join(", ")}`,
        unsupported: "unsupported_ecosystem",
      },
    ]);
  });

  it("lists the supported formats for one it does not know, and suggests a near miss", () => {
    expect(issuesOf(dependenciesInputSchema, { lockfile: "{}", format: "mix.lock" })).toEqual([
      {
        path: "input.format",
        message: `"mix.lock" is not supported; supported: ${LOCKFILE_FORMATS.join(", ")}`,
        unsupported: "unsupported_format",
      },
    ]);
    expect(issuesOf(dependenciesInputSchema, { lockfile: "{}", format: "Yarn.lock" })).toEqual([
      {
        path: "input.format",
        message: expect.stringMatching(/^"Yarn.lock" is not one of .*; did you mean "yarn.lock"\?$/),
        unsupported: "unsupported_format",
      },
    ]);
  });

  it("suggests the field a typo meant when no form matches", () => {
    expect(issuesOf(dependenciesInputSchema, { package: [pkg("npm")] })).toEqual([
      { path: "input", message: 'unknown field "package" (did you mean "packages"?)' },
    ]);
  });

  it("says which forms exist when nothing sent resembles one", () => {
    expect(issuesOf(dependenciesInputSchema, {})).toEqual([{ path: "input", message: 'expected "packages", or "lockfile" and "format"' }]);
    expect(issuesOf(dependenciesInputSchema, { deps: [] })).toEqual([
      { path: "input", message: 'unknown field "deps"' },
      { path: "input", message: 'expected "packages", or "lockfile" and "format"' },
    ]);
  });

  it("refuses fields of both forms at once, naming them", () => {
    expect(issuesOf(dependenciesInputSchema, { packages: [pkg("npm")], lockfile: "{}", format: "yarn.lock" })).toEqual([
      {
        path: "input",
        message: 'fields "packages", "lockfile", "format" belong to different forms; send "packages", or "lockfile" and "format"',
      },
    ]);
  });

  it("reports only the chosen form's problems: a missing format, a misspelt lockfile", () => {
    expect(issuesOf(dependenciesInputSchema, { lockfile: "{}" })).toEqual([
      { path: "input.format", message: `required; one of ${LOCKFILE_FORMATS.join(", ")}` },
    ]);
    expect(issuesOf(dependenciesInputSchema, { lockFile: "{}", format: "yarn.lock" })).toEqual([
      { path: "input.lockfile", message: "required (string)" },
      { path: "input", message: 'unknown field "lockFile" (did you mean "lockfile"?)' },
    ]);
  });

  it("names missing and extra fields of one package", () => {
    expect(issuesOf(dependenciesInputSchema, { packages: [{ ecosystem: "npm", name: "a", versoin: "1" }] })).toEqual([
      { path: "input.packages[0].version", message: "required (string)" },
      { path: "input.packages[0]", message: 'unknown field "versoin" (did you mean "version"?)' },
    ]);
  });

  it("says what it got when the input is not an object at all", () => {
    expect(issuesOf(dependenciesInputSchema, ["lodash"])).toEqual([{ path: "input", message: "expected object, received array" }]);
  });
});

describe("describeIssues: sbom and secrets", () => {
  it("suggests the field a typo meant", () => {
    expect(issuesOf(sbomInputSchema, { SBOM: {} })).toEqual([
      { path: "input.sbom", message: "required (object)" },
      { path: "input", message: 'unknown field "SBOM" (did you mean "sbom"?)' },
    ]);
    expect(issuesOf(secretsInputSchema, { file: [] })).toEqual([
      { path: "input.files", message: "required (array)" },
      { path: "input", message: 'unknown field "file" (did you mean "files"?)' },
    ]);
  });

  it("never echoes a secrets input's values, only where the problem is", () => {
    const secret = "AKIAIOSFODNN7EXAMPLE";
    const reports = issuesOf(secretsInputSchema, {
      files: [
        { path: secret, content: 7 },
        { path: 8, content: secret },
      ],
    });
    expect(reports).toEqual([
      { path: "input.files[0].content", message: "expected string, received number" },
      { path: "input.files[1].path", message: "expected string, received number" },
    ]);
    expect(JSON.stringify(reports)).not.toContain(secret);
  });
});

describe("describeIssues: other shapes", () => {
  it("reads paths without a root, and suggests the envelope's fields", () => {
    const envelope = z.strictObject({ type: z.string(), input: z.unknown() });
    expect(issuesOf(envelope, { typ: "secrets", input: {} }, "")).toEqual([
      { path: "type", message: "required (string)" },
      { path: "(body)", message: 'unknown field "typ" (did you mean "type"?)' },
    ]);
  });

  it("follows a union nested inside arrays, and one nested inside a chosen branch", () => {
    const inner = z.union([z.strictObject({ alpha: z.enum(["x", "y"]) }), z.strictObject({ beta: z.number() })]);
    const outer = z.strictObject({ items: z.array(z.union([z.strictObject({ one: inner }), z.strictObject({ two: z.string() })])) });
    expect(issuesOf(outer, { items: [{ two: "ok" }, { one: { alpha: "X" } }] })).toEqual([
      { path: "input.items[1].one.alpha", message: '"X" is not one of x, y; did you mean "x"?' },
    ]);
    expect(issuesOf(outer, { items: [{ one: { betta: 1 } }] })).toEqual([
      { path: "input.items[0].one", message: 'unknown field "betta" (did you mean "beta"?)' },
    ]);
  });

  it("reports the branch the input got furthest into when fields cannot tell the branches apart", () => {
    const schema = z.union([z.string(), z.strictObject({ name: z.string().min(3) })]);
    expect(issuesOf(schema, { name: "ab" })).toEqual([{ path: "input.name", message: expect.stringMatching(/>=3 characters/) }]);
    expect(issuesOf(schema, 7)).toEqual([
      expect.objectContaining({ path: "input", message: expect.stringMatching(/expected (string|object), received number/) }),
    ]);
  });

  it("shortens an echoed value", () => {
    const [report] = issuesOf(z.object({ kind: z.enum(["a", "b"]) }), { kind: "z".repeat(500) });
    expect(report?.message.length).toBeLessThan(100);
  });

  it("keeps a refinement's own message", () => {
    const schema = z.object({ tier: z.string().optional() }).refine((body) => body.tier !== undefined, "send tier");
    expect(issuesOf(schema, {}, "")).toEqual([{ path: "(body)", message: "send tier" }]);
  });
});
