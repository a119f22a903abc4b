import { describe, expect, it } from "vitest";
import { inputHash } from "../canonical-input.js";
import { archiveInput } from "./image.js";
import { resolveScanType } from "./registry.js";
import { keepsInputAfterRun } from "./scan-type.js";
import { UnstorableInputError } from "../unstorable-input-error.js";

function scanType(name: string) {
  const type = resolveScanType(name);
  if (!type) throw new Error(`${name} type missing`);
  return type;
}

function refusal(attempt: () => unknown): UnstorableInputError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof UnstorableInputError) return error;
    throw error;
  }
  throw new Error("expected UnstorableInputError");
}

describe("scan types", () => {
  it("knows secrets as a private type and rejects unknown names", () => {
    expect(resolveScanType("secrets")?.private).toBe(true);
    expect(resolveScanType("nope")).toBeUndefined();
  });

  it("canonicalises secrets input so file order does not change the hash", () => {
    const secrets = resolveScanType("secrets");
    if (!secrets) throw new Error("secrets type missing");
    const a = { path: "a.txt", content: "1" };
    const b = { path: "b.txt", content: "2" };
    expect(inputHash(secrets.canonicalize({ files: [a, b] }))).toBe(inputHash(secrets.canonicalize({ files: [b, a] })));
    expect(inputHash(secrets.canonicalize({ files: [a] }))).not.toBe(inputHash(secrets.canonicalize({ files: [b] })));
  });
});

describe("image and its aliases", () => {
  it("is the image type under `image` and `docker`, private, keeping its (analysed) input for re-runs", () => {
    const image = scanType("image");
    expect(scanType("docker")).toBe(image);
    expect(image.private).toBe(true);
    expect(keepsInputAfterRun(image)).toBe(true);
    expect(keepsInputAfterRun(scanType("secrets"))).toBe(false);
    expect(keepsInputAfterRun(scanType("dependencies"))).toBe(true);
  });

  it("hands an input with an SBOM to the sbom type, and keeps the rest", () => {
    const image = scanType("image");
    expect(image.delegateTo?.({ image: "nginx:1.24", sbom: {} })).toBe("sbom");
    expect(image.delegateTo?.({ image: "nginx:1.24" })).toBeUndefined();
    expect(image.delegateTo?.("nginx")).toBeUndefined();
  });

  it("addresses an uploaded archive by its hash alone: equal archives, equal key", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(inputHash(archiveInput(digest))).toBe(inputHash({ archive: digest }));
    expect(inputHash(archiveInput(digest))).not.toBe(inputHash(archiveInput(`sha256:${"cd".repeat(32)}`)));
  });
});

describe("every scan type refuses a canonical form Postgres cannot store", () => {
  const lockfile = (name: string) =>
    JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" }, [`node_modules/${name}`]: { version: "1.0.0" } } });
  const bom = (...purls: string[]) => ({
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    components: purls.map((purl, i) => ({ type: "library", name: `c${i}`, purl })),
  });

  it("a NUL decoded from a lockfile's JSON escape, naming the entry", () => {
    const error = refusal(() => scanType("dependencies").canonicalize({ lockfile: lockfile("a\u0000b"), format: "package-lock.json" }));
    expect(error.code).toBe("input_unstorable");
    expect(error.message).toBe(
      'dependencies input: a value read from it contains U+0000 (NUL) at character 2, which cannot be stored (Postgres text and jsonb refuse it): "name" of {"ecosystem":"npm","name":"a\\u0000b","version":"1.0.0","dev":false}',
    );
  });

  it("a NUL decoded from a purl's name or version", () => {
    expect(refusal(() => scanType("sbom").canonicalize({ sbom: bom("pkg:npm/lodash@4.17.20", "pkg:npm/%00@1") })).message).toMatch(
      /^sbom input: a value read from it contains U\+0000 \(NUL\).*"name" of \{"ecosystem":"npm","name":"\\u0000","version":"1"\}$/,
    );
    expect(refusal(() => scanType("sbom").canonicalize({ sbom: bom("pkg:npm/a@1%00") })).message).toMatch(/"version" of/);
  });

  it("accepts what decodes to storable text", () => {
    expect(scanType("sbom").canonicalize({ sbom: bom("pkg:npm/%40babel/core@7.22.0") })).toEqual({
      packages: [{ ecosystem: "npm", name: "@babel/core", version: "7.22.0" }],
      unchecked: [],
    });
  });

  it("never echoes a private type's values", () => {
    const error = refusal(() => scanType("secrets").canonicalize({ files: [{ path: "a.txt", content: "s3cr3t\u0000" }] }));
    expect(error.message).toMatch(/^secrets input: a value read from it contains U\+0000 \(NUL\) at character 7, which cannot be stored/);
    expect(error.message).not.toContain("s3cr3t");
  });
});

describe("cacheEntryTtlSeconds", () => {
  it("is the longest tier TTL, whichever tier that is", async () => {
    const { loadConfig } = await import("@secapi/config");
    const { cacheEntryTtlSeconds } = await import("../cached-entries.js");
    expect(cacheEntryTtlSeconds(loadConfig({}).tiers)).toBe(604800);
    expect(cacheEntryTtlSeconds(loadConfig({ CACHE_TTL_BUSINESS: "60", CACHE_TTL_PRO: "9000" }).tiers)).toBe(86400);
    expect(cacheEntryTtlSeconds(loadConfig({ CACHE_TTL_FREE: "999999" }).tiers)).toBe(999999);
  });
});
