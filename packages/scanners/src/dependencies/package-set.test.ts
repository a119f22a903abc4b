import { describe, expect, it } from "vitest";
import { extractPackages } from "./extract-packages.js";
import { fixtureText } from "./fixtures.fixture.js";
import { canonicalPackageSet } from "./package-set.js";
import type { PackageSet } from "./package-set.js";

// A deterministic shuffle (mulberry32), so a failure reproduces.
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("canonicalPackageSet", () => {
  const set = extractPackages({ lockfile: fixtureText("lockfiles/npm-v3.package-lock.json"), format: "package-lock.json" });
  const unchecked: PackageSet["unchecked"] = [
    { ecosystem: "PyPI", name: "flask", spec: "Flask>=2", kind: "unpinned", reason: "not pinned" },
    {
      ecosystem: "maven",
      name: "org.example/lib",
      spec: "pkg:maven/org.example/lib@1",
      kind: "unsupported_ecosystem",
      reason: "unsupported",
    },
  ];

  it("gives the same set and the same JSON for shuffled, duplicated input", () => {
    const canonical = canonicalPackageSet({ packages: set.packages, unchecked });
    for (const seed of [1, 2, 3]) {
      const messy = canonicalPackageSet({
        packages: shuffled([...set.packages, ...set.packages.slice(0, 10)], seed),
        unchecked: shuffled([...unchecked, ...unchecked], seed),
      });
      expect(messy).toEqual(canonical);
      expect(JSON.stringify(messy)).toBe(JSON.stringify(canonical));
    }
  });

  it("normalises PyPI names before de-duplicating, and sorts by ecosystem, name, version in code-unit order", () => {
    expect(
      canonicalPackageSet({
        packages: [
          { ecosystem: "npm", name: "b", version: "1.0.0" },
          { ecosystem: "PyPI", name: "Zope.Interface", version: "6.0" },
          { ecosystem: "PyPI", name: "zope_interface", version: "6.0" },
          { ecosystem: "npm", name: "B", version: "1.0.0" },
          { ecosystem: "npm", name: "b", version: "1.0.0 " },
          { ecosystem: "Go", name: "github.com/x/y", version: "v1.0.0" },
        ],
        unchecked: [{ ecosystem: "PyPI", name: "Flask", spec: "Flask>=2", kind: "unpinned", reason: "not pinned" }],
      }),
    ).toEqual({
      packages: [
        { ecosystem: "Go", name: "github.com/x/y", version: "v1.0.0" },
        { ecosystem: "PyPI", name: "zope-interface", version: "6.0" },
        { ecosystem: "npm", name: "B", version: "1.0.0" },
        { ecosystem: "npm", name: "b", version: "1.0.0" },
      ],
      unchecked: [{ ecosystem: "PyPI", name: "flask", spec: "Flask>=2", kind: "unpinned", reason: "not pinned" }],
    });
  });

  it("keeps unchecked entries that differ only in kind, sorted by kind before reason, with kind in the JSON", () => {
    const entry = { ecosystem: "npm", name: "a", spec: "a@x" } as const;
    const canonical = canonicalPackageSet({
      packages: [],
      unchecked: [
        { ...entry, kind: "url", reason: "a" },
        { ...entry, kind: "git", reason: "b" },
        { ...entry, kind: "url", reason: "a" },
      ],
    });
    expect(canonical.unchecked).toEqual([
      { ...entry, kind: "git", reason: "b" },
      { ...entry, kind: "url", reason: "a" },
    ]);
    expect(JSON.stringify(canonical.unchecked[0])).toBe('{"ecosystem":"npm","name":"a","spec":"a@x","kind":"git","reason":"b"}');
  });

  it("is idempotent", () => {
    expect(canonicalPackageSet(set)).toEqual(set);
  });
});

describe("canonicalPackageSet: one package installed in several places", () => {
  const at = (extra: Partial<PackageSet["packages"][number]>) => ({ ecosystem: "npm" as const, name: "ms", version: "2.1.3", ...extra });

  it("is one entry: direct if any copy is, dev-only only if every copy is, reached by the shortest path", () => {
    const { packages } = canonicalPackageSet({
      packages: [
        at({ direct: false, dev: true, path: ["a", "b", "ms"] }),
        at({ direct: true, dev: false, path: ["ms"] }),
        at({ direct: false, dev: true, path: ["c", "ms"] }),
      ],
      unchecked: [],
    });
    expect(packages).toEqual([at({ direct: true, dev: false, path: ["ms"] })]);
  });

  it("stays dev-only when every copy is, and leaves out what no copy states", () => {
    expect(
      canonicalPackageSet({ packages: [at({ dev: true, path: ["x", "ms"] }), at({ dev: true, path: ["a", "ms"] })], unchecked: [] })
        .packages,
    ).toEqual([at({ dev: true, path: ["a", "ms"] })]);
    expect(canonicalPackageSet({ packages: [at({}), at({})], unchecked: [] }).packages).toEqual([at({})]);
    expect(Object.keys(canonicalPackageSet({ packages: [at({})], unchecked: [] }).packages[0] ?? {})).toEqual([
      "ecosystem",
      "name",
      "version",
    ]);
  });

  it("gives the same set whatever order the copies come in", () => {
    const copies = [at({ direct: false, path: ["b", "ms"] }), at({ direct: false, path: ["a", "ms"] }), at({ dev: false })];
    const expected = canonicalPackageSet({ packages: copies, unchecked: [] });
    for (let seed = 1; seed <= 6; seed++)
      expect(canonicalPackageSet({ packages: shuffled(copies, seed), unchecked: [] })).toEqual(expected);
  });
});
