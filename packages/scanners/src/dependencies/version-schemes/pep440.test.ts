import { describe, expect, it } from "vitest";
import { pep440Scheme } from "./pep440.js";

describe("pep440Scheme", () => {
  it("keys PEP 440 spellings of one version alike", () => {
    const same = (a: string, b: string) => expect([a, b, pep440Scheme.key(a)]).toEqual([a, b, pep440Scheme.key(b)]);
    same("1.0", "1.0.0");
    same("1.0RC1", "1.0rc1");
    same("v1.2", "1.2");
    same("1.0-post1", "1.0.post1");
    expect(pep440Scheme.key("1.0")).not.toBe(pep440Scheme.key("1.0.post1"));
    expect(pep440Scheme.key("1!1.0")).not.toBe(pep440Scheme.key("1.0"));
  });

  it("keeps versions as written, since PEP 440 reads short ones itself", () => {
    expect(pep440Scheme.normalize("1")).toBe("1");
    expect(pep440Scheme.normalize("v1.2")).toBe("v1.2");
    expect(pep440Scheme.normalize("latest")).toBeNull();
    expect(pep440Scheme.key("latest")).toBeNull();
  });

  it("orders by PEP 440, and gives NaN when either side does not parse", () => {
    expect(pep440Scheme.compare("1.0.dev1", "1.0a1")).toBeLessThan(0);
    expect(pep440Scheme.compare("1.0.post1", "1.0")).toBeGreaterThan(0);
    expect(pep440Scheme.compare("1.0", "1.0.0")).toBe(0);
    expect(pep440Scheme.compare("1!0.1", "2.0")).toBeGreaterThan(0);
    expect(pep440Scheme.compare("1.0", "not a version")).toBeNaN();
  });
});
