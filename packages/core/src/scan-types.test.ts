import { describe, expect, it } from "vitest";
import { inputHash } from "./canonical-input.js";
import { resolveScanType } from "./scan-types.js";

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
