import { describe, expect, it } from "vitest";
import { dependenciesInputSchema } from "./dependencies-input.js";
import { sbomInputSchema } from "./sbom/sbom-input.js";

describe("dependenciesInputSchema", () => {
  it("accepts a package list or a lockfile with its format", () => {
    expect(dependenciesInputSchema.parse({ packages: [{ ecosystem: "npm", name: "lodash", version: "4.17.20" }] })).toEqual({
      packages: [{ ecosystem: "npm", name: "lodash", version: "4.17.20" }],
    });
    for (const format of ["package-lock.json", "pnpm-lock.yaml", "yarn.lock", "requirements.txt"]) {
      expect(dependenciesInputSchema.safeParse({ lockfile: "x", format }).success).toBe(true);
    }
  });

  it.each([
    ["an empty package list", { packages: [] }],
    ["an unknown ecosystem", { packages: [{ ecosystem: "Hex", name: "a", version: "1" }] }],
    ["an ecosystem spelled differently", { packages: [{ ecosystem: "pypi", name: "a", version: "1" }] }],
    ["an empty name", { packages: [{ ecosystem: "npm", name: " ", version: "1" }] }],
    ["a missing version", { packages: [{ ecosystem: "npm", name: "a" }] }],
    ["an extra package key", { packages: [{ ecosystem: "npm", name: "a", version: "1", purl: "x" }] }],
    ["an unknown format", { lockfile: "x", format: "Gemfile" }],
    ["an empty lockfile", { lockfile: "", format: "yarn.lock" }],
    ["both shapes at once", { lockfile: "x", format: "yarn.lock", packages: [{ ecosystem: "npm", name: "a", version: "1" }] }],
    ["an extra top-level key", { lockfile: "x", format: "yarn.lock", extra: 1 }],
  ])("rejects %s", (_name, input) => {
    expect(dependenciesInputSchema.safeParse(input).success).toBe(false);
  });

  it("accepts 100,000 packages and rejects 100,001", () => {
    const packages = Array.from({ length: 100_000 }, (_, i) => ({ ecosystem: "npm" as const, name: `p${i}`, version: "1.0.0" }));
    expect(dependenciesInputSchema.safeParse({ packages }).success).toBe(true);
    expect(dependenciesInputSchema.safeParse({ packages: [...packages, { ecosystem: "npm", name: "x", version: "1" }] }).success).toBe(
      false,
    );
  });
});

describe("sbomInputSchema", () => {
  it("accepts an SBOM object with an optional image", () => {
    expect(sbomInputSchema.safeParse({ sbom: { bomFormat: "CycloneDX" } }).success).toBe(true);
    expect(sbomInputSchema.safeParse({ sbom: {}, image: "nginx:1.24" }).success).toBe(true);
  });

  it.each([
    ["no sbom", { image: "nginx:1.24" }],
    ["an sbom that is a string", { sbom: "{}" }],
    ["an sbom that is an array", { sbom: [] }],
    ["an empty image", { sbom: {}, image: "" }],
    ["an extra key", { sbom: {}, format: "cyclonedx" }],
  ])("rejects %s", (_name, input) => {
    expect(sbomInputSchema.safeParse(input).success).toBe(false);
  });
});
