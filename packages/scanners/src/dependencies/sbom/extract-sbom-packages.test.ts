import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { extractPackages } from "../extract-packages.js";
import { allOsvFixtures, fixtureText, withoutPlacement } from "../fixtures.fixture.js";
import { matchPackages } from "../match-packages.js";
import { parseAdvisory } from "../parse-advisory.js";
import { extractSbomPackages } from "./extract-sbom-packages.js";

// Produced by `npm sbom` from the same install as the npm v3 lockfile fixture (see its README).
const cycloneDx = (): Record<string, unknown> => JSON.parse(fixtureText("sbom/npm.cyclonedx-1.5.json")) as Record<string, unknown>;
const spdx = (): Record<string, unknown> => JSON.parse(fixtureText("sbom/npm.spdx-2.3.json")) as Record<string, unknown>;
// An SBOM lists components, not what the project declared: compare without the lockfile's placement.
const lockSet = () =>
  withoutPlacement(extractPackages({ lockfile: fixtureText("lockfiles/npm-v3.package-lock.json"), format: "package-lock.json" }));

function findings(sbom: unknown) {
  return matchPackages(extractSbomPackages(sbom), allOsvFixtures()).result;
}

describe("extractSbomPackages", () => {
  it.each(["1.4", "1.5", "1.6"])("gives a CycloneDX %s BOM the lockfile's package set and findings", (specVersion) => {
    const bom = { ...cycloneDx(), specVersion };
    expect(extractSbomPackages(bom)).toEqual(lockSet());
    expect(findings(bom)).toEqual(matchPackages(lockSet(), allOsvFixtures()).result);
  });

  it("gives the SPDX 2.3 document the lockfile's package set and findings, leaving out the described root", () => {
    expect(extractSbomPackages(spdx())).toEqual(lockSet());
    expect(findings(spdx()).summary.total).toBe(8);
  });

  it("reads nested components and maps purl types to ecosystems", () => {
    const bom = {
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      metadata: { component: { type: "container", name: "app", purl: "pkg:oci/app@sha256%3Aabc" } },
      components: [
        {
          type: "library",
          name: "core",
          purl: "pkg:npm/%40babel/core@7.22.0",
          components: [{ type: "library", name: "Jinja2", purl: "pkg:pypi/Jinja2@3.1.2" }],
        },
        { type: "library", name: "gin", purl: "pkg:golang/github.com/gin-gonic/gin@v1.9.0" },
        { type: "library", name: "serde", purl: "pkg:cargo/serde@1.0.188" },
        { type: "library", name: "log4j-core", purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar" },
        { type: "library", name: "Newtonsoft.Json", purl: "pkg:nuget/Newtonsoft.Json@13.0.1" },
      ],
    };
    expect(extractSbomPackages(bom)).toEqual({
      packages: [
        { ecosystem: "Go", name: "github.com/gin-gonic/gin", version: "v1.9.0" },
        { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1" },
        { ecosystem: "NuGet", name: "newtonsoft.json", version: "13.0.1" },
        { ecosystem: "PyPI", name: "jinja2", version: "3.1.2" },
        { ecosystem: "crates.io", name: "serde", version: "1.0.188" },
        { ecosystem: "npm", name: "@babel/core", version: "7.22.0" },
      ],
      unchecked: [],
    });
  });

  it("reports other purl types, missing purls and missing versions as unchecked", () => {
    const bom = {
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      components: [
        { type: "library", name: "phoenix", purl: "pkg:hex/phoenix@1.6.0" },
        { type: "library", name: "curl", purl: "pkg:rpm/fedora/curl@7.74.0-1.fc35?arch=x86_64" },
        { type: "library", name: "vendored", version: "1.0" },
        { type: "library", name: "lodash", purl: "pkg:npm/lodash" },
        { type: "library", name: "broken", purl: "not a purl" },
      ],
    };
    expect(extractSbomPackages(bom)).toEqual({
      packages: [],
      unchecked: [
        {
          ecosystem: "hex",
          name: "phoenix",
          spec: "pkg:hex/phoenix@1.6.0",
          kind: "unsupported_ecosystem",
          reason: expect.stringMatching(/purl type hex/),
        },
        { ecosystem: "npm", name: "lodash", spec: "pkg:npm/lodash", kind: "no_version", reason: "the purl has no version" },
        {
          ecosystem: "rpm",
          name: "fedora/curl",
          spec: "pkg:rpm/fedora/curl@7.74.0-1.fc35?arch=x86_64",
          kind: "unsupported_ecosystem",
          reason: expect.stringMatching(/rpm purls of namespace fedora are not supported/),
        },
        { ecosystem: "unknown", name: "broken", spec: "not a purl", kind: "malformed_entry", reason: "the purl does not parse" },
        {
          ecosystem: "unknown",
          name: "vendored",
          spec: "vendored@1.0",
          kind: "no_purl",
          reason: "no purl; components are matched by purl",
        },
      ],
    });
  });

  it("reads SPDX purls whatever the reference category spelling, and DESCRIBES relationships", () => {
    const document = {
      spdxVersion: "SPDX-2.3",
      SPDXID: "SPDXRef-DOCUMENT",
      relationships: [{ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: "SPDXRef-root" }],
      packages: [
        {
          SPDXID: "SPDXRef-root",
          name: "image",
          externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:npm/root-app@1.0.0" }],
        },
        {
          SPDXID: "SPDXRef-a",
          name: "minimist",
          externalRefs: [{ referenceCategory: "PACKAGE_MANAGER", referenceType: "purl", referenceLocator: "pkg:npm/minimist@1.2.5" }],
        },
        { SPDXID: "SPDXRef-b", name: "no-refs", versionInfo: "2.0" },
      ],
    };
    expect(extractSbomPackages(document)).toEqual({
      packages: [{ ecosystem: "npm", name: "minimist", version: "1.2.5" }],
      unchecked: [
        { ecosystem: "unknown", name: "no-refs", spec: "no-refs@2.0", kind: "no_purl", reason: "no purl; components are matched by purl" },
      ],
    });
  });

  it("keeps described packages when the document describes every package it lists", () => {
    const ref = (purl: string) => [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purl }];
    const document = {
      spdxVersion: "SPDX-2.3",
      documentDescribes: ["SPDXRef-a", "SPDXRef-b"],
      packages: [
        { SPDXID: "SPDXRef-a", name: "lodash", externalRefs: ref("pkg:npm/lodash@4.17.20") },
        { SPDXID: "SPDXRef-b", name: "minimist", externalRefs: ref("pkg:npm/minimist@1.2.5") },
      ],
    };
    expect(extractSbomPackages(document).packages.map((p) => p.name)).toEqual(["lodash", "minimist"]);
  });

  it.each([
    ["null", null, "sbom_malformed"],
    ["an array", [], "sbom_malformed"],
    ["neither CycloneDX nor SPDX", { hello: "world" }, "sbom_unsupported"],
    ["CycloneDX 1.3", { bomFormat: "CycloneDX", specVersion: "1.3", components: [] }, "sbom_unsupported"],
    ["SPDX 2.2", { spdxVersion: "SPDX-2.2", packages: [] }, "sbom_unsupported"],
    ["components that are not an array", { bomFormat: "CycloneDX", specVersion: "1.5", components: {} }, "sbom_malformed"],
    [
      "a component that is not an object",
      { bomFormat: "CycloneDX", specVersion: "1.5", components: [{ name: "ok", components: [7] }] },
      "sbom_malformed",
    ],
    ["SPDX packages that are not an array", { spdxVersion: "SPDX-2.3", packages: "x" }, "sbom_malformed"],
    ["SPDX externalRefs that are not an array", { spdxVersion: "SPDX-2.3", packages: [{ name: "a", externalRefs: 1 }] }, "sbom_malformed"],
  ])("rejects %s with %s", (_name, sbom, code) => {
    const attempt = () => extractSbomPackages(sbom);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ["pkg:golang/github.com/gin-gonic/gin@v1.9.0", { ecosystem: "Go", name: "github.com/gin-gonic/gin", version: "v1.9.0" }],
    ["pkg:golang/stdlib@1.21.3", { ecosystem: "Go", name: "stdlib", version: "1.21.3" }],
    ["pkg:cargo/serde@1.0.188", { ecosystem: "crates.io", name: "serde", version: "1.0.188" }],
    ["pkg:pub/http@0.13.6", { ecosystem: "Pub", name: "http", version: "0.13.6" }],
  ])("checks the CycloneDX component %s by its purl type", (purl, listed) => {
    const bom = { bomFormat: "CycloneDX", specVersion: "1.5", components: [{ type: "library", name: "x", purl }] };
    expect(extractSbomPackages(bom)).toEqual({ packages: [listed], unchecked: [] });
  });

  it("says where a malformed component is", () => {
    expect(() =>
      extractSbomPackages({ bomFormat: "CycloneDX", specVersion: "1.5", components: [{ name: "ok", components: [7] }] }),
    ).toThrow("CycloneDX: components[0].components[0] is not an object");
  });

  // lockfile-gaps: RubyGems, Packagist and Pub through both SBOM formats, down to findings.
  describe("pkg:gem, pkg:composer and pkg:pub components", () => {
    const PURLS = [
      "pkg:gem/rails@7.0.8",
      // Bundler locks a native gem per platform; the purl says which in a qualifier, the version is the gem's.
      "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux",
      "pkg:gem/RedCloth@4.3.2",
      // Composer names are case-insensitive (kept lower-cased); a `v` version stays as written.
      "pkg:composer/Symfony/HTTP-Kernel@v6.3.0",
      "pkg:composer/laravel/framework@10.0.0",
      "pkg:composer/psr/log",
      "pkg:pub/http@0.13.6",
      "pkg:pub/flutter_secure_storage@9.0.0-beta.1",
    ];
    const cycloneDxBom = {
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      components: PURLS.map((purl, i) => ({ type: "library", "bom-ref": `c${i}`, name: `c${i}`, purl })),
    };
    const spdxDocument = {
      spdxVersion: "SPDX-2.3",
      SPDXID: "SPDXRef-DOCUMENT",
      packages: PURLS.map((purl, i) => ({
        SPDXID: `SPDXRef-c${i}`,
        name: `c${i}`,
        externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purl }],
      })),
    };
    const advisory = (id: string, ecosystem: string, name: string, fixed: string) =>
      parseAdvisory({
        schema_version: "1.6.0",
        id,
        modified: "2026-12-03T00:00:00Z",
        affected: [{ package: { ecosystem, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
      });
    const ADVISORIES = [
      advisory("TEST-GEM-1", "RubyGems", "rails", "7.0.8.1"), // Gem::Version: 7.0.8 < 7.0.8.1
      advisory("TEST-GEM-2", "RubyGems", "nokogiri", "1.16.0.rc1"), // 1.16.0 is past its release candidate
      advisory("TEST-COMPOSER-1", "Packagist", "symfony/http-kernel", "6.3.8"),
      advisory("TEST-COMPOSER-2", "Packagist", "laravel/framework", "10.0.0-RC1"),
      advisory("TEST-PUB-1", "Pub", "flutter_secure_storage", "9.0.0"), // a pre-release sorts before its release
      advisory("TEST-PUB-2", "Pub", "http", "0.13.3"),
    ];

    it.each([
      ["CycloneDX", cycloneDxBom],
      ["SPDX", spdxDocument],
    ])("%s: checks each by its ecosystem's name rules, the purl's version as written", (_format, sbom) => {
      expect(extractSbomPackages(sbom)).toEqual({
        packages: [
          { ecosystem: "Packagist", name: "laravel/framework", version: "10.0.0" },
          { ecosystem: "Packagist", name: "symfony/http-kernel", version: "v6.3.0" },
          { ecosystem: "Pub", name: "flutter_secure_storage", version: "9.0.0-beta.1" },
          { ecosystem: "Pub", name: "http", version: "0.13.6" },
          { ecosystem: "RubyGems", name: "RedCloth", version: "4.3.2" },
          { ecosystem: "RubyGems", name: "nokogiri", version: "1.16.0" },
          { ecosystem: "RubyGems", name: "rails", version: "7.0.8" },
        ],
        unchecked: [
          { ecosystem: "Packagist", name: "psr/log", spec: "pkg:composer/psr/log", kind: "no_version", reason: "the purl has no version" },
        ],
      });
    });

    it.each([
      ["CycloneDX", cycloneDxBom],
      ["SPDX", spdxDocument],
    ])("%s: matches them against advisories in their OSV ecosystems, each ordered by its own rules", (_format, sbom) => {
      const { result } = matchPackages(extractSbomPackages(sbom), ADVISORIES);
      expect(result.findings.map((f) => [f.package, f.version, f.id])).toEqual([
        ["flutter_secure_storage", "9.0.0-beta.1", "TEST-PUB-1"],
        ["rails", "7.0.8", "TEST-GEM-1"],
        ["symfony/http-kernel", "v6.3.0", "TEST-COMPOSER-1"],
      ]);
    });
  });
});
