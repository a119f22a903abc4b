import { describe, expect, it } from "vitest";
import { pep440Scheme } from "./pep440.js";
import { itOrdersPairs } from "./version-table.fixture.js";

// PEP 440 (https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering): each
// consecutive pair of packaging's own ordered list (tests/test_version.py), then the normalisation rules
// (https://peps.python.org/pep-0440/#normalization). [lower, higher], both ways round.
const PACKAGING_ORDER = [
  "1.0.dev456",
  "1.0a1",
  "1.0a2.dev456",
  "1.0a12.dev456",
  "1.0a12",
  "1.0b1.dev456",
  "1.0b2",
  "1.0b2.post345.dev456",
  "1.0b2.post345",
  "1.0b2-346",
  "1.0c1.dev456",
  "1.0c1",
  "1.0rc2",
  "1.0c3",
  "1.0",
  "1.0.post456.dev34",
  "1.0.post456",
  "1.1.dev1",
  "1.2+123abc",
  "1.2+123abc456",
  "1.2+abc",
  "1.2+abc123",
  "1.2+abc123def",
  "1.2+1234.abc",
  "1.2+123456",
  "1.2.r32+123456",
  "1.2.rev33+123456",
  // Explicit epoch of 1: above every epoch-0 version.
  "1!1.0.dev456",
  "1!1.0a1",
  "1!1.0",
  "1!1.0.post456",
  "1!1.2.rev33+123456",
];

const ORDERED: [string, string][] = [
  ...PACKAGING_ORDER.slice(1).map((higher, i): [string, string] => [PACKAGING_ORDER[i] as string, higher]),
  ["0.9", "1.0.dev0"],
  ["1.0", "1.0.1"],
  ["1.0.9", "1.0.10"],
  ["1.9", "1.10"],
  ["1.0.dev1", "1.0.dev2"],
  ["1.0a1", "1.0a1.post1"],
  ["1.0a1.post1", "1.0a2"],
  ["1.0", "1.0+local.1"],
  ["1.0+local.1", "1.0.post1.dev1"],
  ["1.0.post1", "1.0.post2"],
  ["2.0", "1!0.1"],
  ["1.0rc1", "1.0"],
  ["1.0.0.0.1", "1.0.1"],
  ["2023.12", "2024.1"],
  ["1.0+abc.5", "1.0+abc.10"],
  ["1.0+5", "1.0+10"],
  ["1.0.dev1", "1.0a1.dev1"],
  ["1.0.post1", "1.1.dev1"],
  ["41.0.7", "42.0.0"],
];

// Spellings PEP 440 normalises to one version.
const EQUAL: [string, string][] = [
  ["1.0", "1.0.0"],
  ["1.01", "1.1"],
  ["0!1.0", "1.0"],
  ["v1.0", "1.0"],
  ["1.0RC1", "1.0rc1"],
  ["1.0c1", "1.0rc1"],
  ["1.0pre1", "1.0rc1"],
  ["1.0preview1", "1.0rc1"],
  ["1.0-alpha1", "1.0a1"],
  ["1.0.alpha.1", "1.0a1"],
  ["1.0b", "1.0b0"],
  ["1.0-post1", "1.0.post1"],
  ["1.0-1", "1.0.post1"],
  ["1.0.rev1", "1.0.post1"],
  ["1.0.post", "1.0.post0"],
  ["1.0-dev1", "1.0.dev1"],
  ["1.0+ubuntu-1", "1.0+ubuntu.1"],
];

describe("pep440Scheme", () => {
  itOrdersPairs(pep440Scheme, ORDERED, EQUAL);

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
