import { describe, expect, it } from "vitest";
import { fixtureText } from "../fixtures.fixture.js";
import { matchPackages } from "../match-packages.js";
import { parseAdvisory } from "../parse-advisory.js";
import { extractSbomPackages } from "./extract-sbom-packages.js";

// A container image's OS packages (Debian 12 and Alpine 3.19) and two application packages, as syft writes them.
const bom = () => JSON.parse(fixtureText("sbom/os-packages.cyclonedx-1.5.json")) as unknown;

function osv(id: string, ecosystem: string, name: string, introduced: string, fixed: string): unknown {
  const ranges = [{ type: "ECOSYSTEM", events: [{ introduced }, { fixed }] }];
  return { id, modified: "2026-01-01T00:00:00Z", affected: [{ package: { ecosystem, name }, ranges }] };
}

// The same openssl flaw, fixed at a different version in each release; only the image's release may match.
const ADVISORIES = [
  osv("DSA-5532-1", "Debian:12", "openssl", "0", "3.0.11-1~deb12u3"),
  osv("DSA-5532-2", "Debian:11", "openssl", "0", "3.0.99-1"),
  osv("DEBIAN-CVE-2023-0001", "Debian:12", "zlib", "0", "1:1.2.13.dfsg-1"),
  osv("ALPINE-CVE-2024-0727", "Alpine:v3.19", "openssl", "0", "3.1.4-r6"),
  osv("ALPINE-CVE-2024-9999", "Alpine:v3.18", "openssl", "0", "3.1.9-r0"),
  osv("GHSA-rack", "RubyGems", "rack", "2.0.0", "2.2.8.1"),
  osv("GHSA-kernel", "Packagist", "symfony/http-kernel", "6.4.0", "6.4.2"),
].map(parseAdvisory);

describe("OS packages in an SBOM", () => {
  it("names deb and apk packages by their release and source package; a deb purl without distro is unchecked", () => {
    const set = extractSbomPackages(bom());
    expect(set.packages).toEqual([
      { ecosystem: "Alpine", name: "v3.19/busybox", version: "1.36.1-r15" },
      { ecosystem: "Alpine", name: "v3.19/openssl", version: "3.1.4-r5" },
      { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2" },
      { ecosystem: "Debian", name: "12/zlib", version: "1:1.2.13.dfsg-1" },
      { ecosystem: "Packagist", name: "symfony/http-kernel", version: "v6.4.0" },
      { ecosystem: "RubyGems", name: "rack", version: "2.2.8" },
    ]);
    expect(set.unchecked).toEqual([expect.objectContaining({ ecosystem: "Debian", name: "debian/tzdata", kind: "malformed_entry" })]);
  });

  it("matches each package only with advisories of its own release, by dpkg and apk order", () => {
    const { findings } = matchPackages(extractSbomPackages(bom()), ADVISORIES).result;
    expect(findings.map((f) => [f.ecosystem, f.package, f.version, f.id, f.fixed_in])).toEqual([
      ["Debian", "12/openssl", "3.0.11-1~deb12u2", "DSA-5532-1", "3.0.11-1~deb12u3"],
      ["RubyGems", "rack", "2.2.8", "GHSA-rack", "2.2.8.1"],
      ["Packagist", "symfony/http-kernel", "v6.4.0", "GHSA-kernel", "6.4.2"],
      ["Alpine", "v3.19/openssl", "3.1.4-r5", "ALPINE-CVE-2024-0727", "3.1.4-r6"],
    ]);
  });

  it("stores an advisory under the release-qualified name, and drops a release-less Debian entry", () => {
    expect(ADVISORIES[0]?.affected.map((a) => [a.ecosystem, a.name])).toEqual([["Debian", "12/openssl"]]);
    expect(parseAdvisory(osv("X", "Debian", "openssl", "0", "1.0")).affected).toEqual([]);
  });
});

describe("rpm packages in an SBOM", () => {
  const component = (purl: string) => ({ type: "library", name: purl, purl });
  const rpmBom = {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    components: [
      component("pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm&distro=rocky-9.3"),
      component("pkg:rpm/almalinux/bash@5.1.8-6.el9_1?arch=x86_64&distro=almalinux-9.3"),
      component("pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.3"),
      component("pkg:rpm/fedora/curl@8.6.0-7.fc40?arch=x86_64&distro=fedora-40"),
      component("pkg:rpm/rocky/zlib@1.2.11-40.el9?arch=x86_64"),
    ],
  };

  it("picks Rocky Linux, AlmaLinux or Red Hat by the purl namespace, with the epoch in the version; others stay unsupported", () => {
    const set = extractSbomPackages(rpmBom);
    expect(set.packages).toEqual([
      { ecosystem: "AlmaLinux", name: "9/bash", version: "5.1.8-6.el9_1" },
      { ecosystem: "Red Hat", name: "9/openssl-libs", version: "1:3.0.7-24.el9" },
      { ecosystem: "Rocky Linux", name: "9/openssl", version: "1:3.0.7-24.el9" },
    ]);
    expect(set.unchecked).toEqual([
      expect.objectContaining({ ecosystem: "Rocky Linux", name: "rocky/zlib", kind: "malformed_entry" }),
      expect.objectContaining({ ecosystem: "rpm", name: "fedora/curl", kind: "unsupported_ecosystem" }),
    ]);
    const advisory = osv("RLSA-2024:TEST", "Rocky Linux:9", "openssl", "0", "1:3.0.7-25.el9_3");
    const { findings } = matchPackages(set, [parseAdvisory(advisory)]).result;
    expect(findings.map((f) => [f.ecosystem, f.package, f.version, f.fixed_in])).toEqual([
      ["Rocky Linux", "9/openssl", "1:3.0.7-24.el9", "1:3.0.7-25.el9_3"],
    ]);
  });
});
