import { describe, expect, it } from "vitest";
import {
  ECOSYSTEMS,
  ECOSYSTEM_DEFINITIONS,
  ecosystemDefinition,
  ecosystemForOsvName,
  ecosystemForPurl,
  isEcosystem,
  osvEcosystem,
} from "./registry.js";
import type { Ecosystem } from "./registry.js";

// One row per ecosystem: a version its scheme must read, and names with their normalised form.
const SAMPLES: Record<Ecosystem, { version: string; names: [written: string, normalized: string][] }> = {
  npm: {
    version: "4.17.20",
    names: [
      ["JSONStream", "JSONStream"],
      [" @types/node ", "@types/node"],
    ],
  },
  PyPI: {
    version: "1.0.post1",
    names: [
      ["Jinja2", "jinja2"],
      ["zope.interface", "zope-interface"],
      ["A__b-.C", "a-b-c"],
    ],
  },
  Go: { version: "v0.0.0-20230101000000-abcdef123456", names: [["github.com/BurntSushi/toml", "github.com/BurntSushi/toml"]] },
  "crates.io": {
    version: "1.0.0",
    names: [
      ["serde_json", "serde_json"],
      ["Inflector", "Inflector"],
    ],
  },
  Maven: {
    version: "2.0.0.RC1",
    names: [
      ["org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"],
      [" com.Example:Lib ", "com.Example:Lib"],
    ],
  },
  NuGet: {
    version: "4.1.0.3-beta.1+sha.5",
    names: [
      ["Newtonsoft.Json", "newtonsoft.json"],
      [" System.Text.Json ", "system.text.json"],
    ],
  },
  Pub: {
    version: "1.0.0+2",
    names: [
      ["http", "http"],
      ["flutter_lints", "flutter_lints"],
    ],
  },
  RubyGems: {
    version: "1.16.0.rc1",
    names: [
      ["RedCloth", "RedCloth"],
      [" rails ", "rails"],
    ],
  },
  Packagist: { version: "v1.2.3-beta1", names: [["Symfony/HTTP-Kernel", "symfony/http-kernel"]] },
  Debian: {
    version: "1:3.0.11-1~deb12u2",
    names: [
      ["12/openssl", "12/openssl"],
      ["12/LibSSL3", "12/libssl3"],
    ],
  },
  Alpine: { version: "3.1.4_rc1-r0", names: [["v3.19/openssl", "v3.19/openssl"]] },
  "Red Hat": { version: "1:3.0.7-25.el9_3", names: [["9/NetworkManager", "9/NetworkManager"]] },
  "Rocky Linux": { version: "3.0.7-25.el9_3", names: [[" 9/openssl ", "9/openssl"]] },
  AlmaLinux: { version: "2:9.0.2081-1.el9_4", names: [["8/vim", "8/vim"]] },
};

describe("ECOSYSTEM_DEFINITIONS", () => {
  it("names every ecosystem once, by id, OSV name and purl type (or purl type and namespace)", () => {
    const purls = ECOSYSTEM_DEFINITIONS.flatMap((d) => (d.purlNamespaces ?? [""]).map((namespace) => `${d.purlType}/${namespace}`));
    for (const [key, values] of [
      ["id", ECOSYSTEM_DEFINITIONS.map((d) => d.id)],
      ["osvName", ECOSYSTEM_DEFINITIONS.map((d) => d.osvName)],
      ["purl", purls],
    ] as const) {
      expect([key, new Set(values).size]).toEqual([key, values.length]);
    }
  });

  it("gives the enum of ids in registry order", () => {
    expect(ECOSYSTEMS).toEqual([
      "npm",
      "PyPI",
      "Go",
      "crates.io",
      "Maven",
      "NuGet",
      "Pub",
      "RubyGems",
      "Packagist",
      "Debian",
      "Alpine",
      "Red Hat",
      "Rocky Linux",
      "AlmaLinux",
    ]);
    expect(ECOSYSTEMS).toEqual(ECOSYSTEM_DEFINITIONS.map((definition) => definition.id));
  });

  it("finds each definition again by id, OSV name and purl type", () => {
    for (const definition of ECOSYSTEM_DEFINITIONS) {
      expect(ecosystemDefinition(definition.id)).toBe(definition);
      expect(ecosystemForOsvName(definition.osvName)).toBe(definition);
      for (const namespace of definition.purlNamespaces ?? ["any"])
        expect(ecosystemForPurl(definition.purlType, namespace)).toBe(definition);
      expect(isEcosystem(definition.id)).toBe(true);
    }
  });

  it("maps purl types and OSV names as OSV and the purl spec spell them", () => {
    expect(ECOSYSTEM_DEFINITIONS.map((d) => [d.id, d.osvName, d.purlType])).toEqual([
      ["npm", "npm", "npm"],
      ["PyPI", "PyPI", "pypi"],
      ["Go", "Go", "golang"],
      ["crates.io", "crates.io", "cargo"],
      ["Maven", "Maven", "maven"],
      ["NuGet", "NuGet", "nuget"],
      ["Pub", "Pub", "pub"],
      ["RubyGems", "RubyGems", "gem"],
      ["Packagist", "Packagist", "composer"],
      ["Debian", "Debian", "deb"],
      ["Alpine", "Alpine", "apk"],
      ["Red Hat", "Red Hat", "rpm"],
      ["Rocky Linux", "Rocky Linux", "rpm"],
      ["AlmaLinux", "AlmaLinux", "rpm"],
    ]);
  });

  it("knows nothing else, and matches spellings exactly", () => {
    expect(ecosystemForOsvName("pypi")).toBeUndefined();
    expect(ecosystemForOsvName("npm:12")).toBeUndefined();
    expect(ecosystemForOsvName("Debian:")).toBeUndefined();
    expect(ecosystemForOsvName("debian:12")).toBeUndefined();
    expect(ecosystemForPurl("PyPI")).toBeUndefined();
    expect(ecosystemForPurl("hex")).toBeUndefined();
    expect(ecosystemForPurl("Maven")).toBeUndefined();
    expect(isEcosystem("go")).toBe(false);
    expect(isEcosystem(undefined)).toBe(false);
  });

  it("has a sample row for every ecosystem: its scheme reads the version, names normalise as the ecosystem compares them", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ECOSYSTEMS].sort());
    for (const definition of ECOSYSTEM_DEFINITIONS) {
      const { version, names } = SAMPLES[definition.id];
      expect([definition.id, definition.versionScheme.key(version)]).not.toEqual([definition.id, null]);
      for (const [written, normalized] of names)
        expect([definition.id, definition.normalizeName(written)]).toEqual([definition.id, normalized]);
    }
  });

  it("reads a purl's namespace as part of the name where the ecosystem has one", () => {
    expect(ecosystemDefinition("npm").nameFromPurl("@types", "node")).toBe("@types/node");
    expect(ecosystemDefinition("Go").nameFromPurl("github.com/gin-gonic", "gin")).toBe("github.com/gin-gonic/gin");
    expect(ecosystemDefinition("PyPI").nameFromPurl(undefined, "django")).toBe("django");
    expect(ecosystemDefinition("Maven").nameFromPurl("org.apache.logging.log4j", "log4j-core")).toBe("org.apache.logging.log4j:log4j-core");
    expect(ecosystemDefinition("NuGet").nameFromPurl(undefined, "Newtonsoft.Json")).toBe("Newtonsoft.Json");
    expect(ecosystemDefinition("Packagist").nameFromPurl("Symfony", "Console")).toBe("symfony/console");
  });

  it("finds ecosystems with releases by their OSV name with a release, and names their packages with it", () => {
    expect(osvEcosystem("Debian:12")).toEqual({ definition: ecosystemDefinition("Debian"), release: "12" });
    expect(osvEcosystem("Alpine:v3.19")).toEqual({ definition: ecosystemDefinition("Alpine"), release: "v3.19" });
    expect(ecosystemForOsvName("Debian:11")).toBe(ecosystemDefinition("Debian"));
    expect(osvEcosystem("RubyGems")).toEqual({ definition: ecosystemDefinition("RubyGems") });
    expect(ecosystemDefinition("Debian").releaseName?.("12", "openssl")).toBe("12/openssl");
  });

  it("takes an OS package's release from the purl's distro, and its source package from upstream", () => {
    const debian = ecosystemDefinition("Debian");
    expect(debian.nameFromPurl("debian", "openssl", { distro: "debian-12" })).toBe("12/openssl");
    expect(debian.nameFromPurl("debian", "openssl", { distro: "debian-12.4" })).toBe("12/openssl");
    expect(debian.nameFromPurl("debian", "openssl", { distro: "bookworm" })).toBe("12/openssl");
    expect(debian.nameFromPurl("debian", "libssl3", { distro: "debian-12", upstream: "openssl" })).toBe("12/openssl");
    expect(debian.nameFromPurl("debian", "libc6", { distro: "debian-12", upstream: "glibc@2.36-9" })).toBe("12/glibc");
    expect(debian.nameFromPurl("debian", "openssl", {})).toBeNull();
    expect(debian.nameFromPurl("debian", "openssl", { distro: "ubuntu-22.04x" })).toBeNull();
    const alpine = ecosystemDefinition("Alpine");
    expect(alpine.nameFromPurl("alpine", "openssl", { distro: "alpine-3.19" })).toBe("v3.19/openssl");
    expect(alpine.nameFromPurl("alpine", "libcrypto3", { distro: "alpine-3.19.1", upstream: "openssl" })).toBe("v3.19/openssl");
    expect(alpine.nameFromPurl("alpine", "openssl", undefined)).toBeNull();
  });

  it("picks the rpm ecosystem by purl namespace, and none for a namespace no ecosystem claims", () => {
    expect(ecosystemForPurl("rpm", "rocky")?.id).toBe("Rocky Linux");
    expect(ecosystemForPurl("rpm", "AlmaLinux")?.id).toBe("AlmaLinux");
    expect(ecosystemForPurl("rpm", "redhat")?.id).toBe("Red Hat");
    expect(ecosystemForPurl("rpm", "fedora")).toBeUndefined();
    expect(ecosystemForPurl("rpm", "centos")).toBeUndefined();
    expect(ecosystemForPurl("rpm")).toBeUndefined();
    expect(ecosystemForPurl("deb", "ubuntu")?.id).toBe("Debian");
  });

  it("reads OSV's rpm-based ecosystem names: one release per major version, Red Hat's main stream by its CPE", () => {
    expect(osvEcosystem("Rocky Linux:9")).toEqual({ definition: ecosystemDefinition("Rocky Linux"), release: "9" });
    expect(osvEcosystem("AlmaLinux:8")).toEqual({ definition: ecosystemDefinition("AlmaLinux"), release: "8" });
    // Without a release an advisory could be any release's: parse-advisory leaves such entries out.
    expect(osvEcosystem("Rocky Linux")).toEqual({ definition: ecosystemDefinition("Rocky Linux") });
    const redHat = osvEcosystem("Red Hat:enterprise_linux:9::appstream");
    expect(redHat).toEqual({ definition: ecosystemDefinition("Red Hat"), release: "enterprise_linux:9::appstream" });
    expect(redHat?.definition.releaseName?.("enterprise_linux:9::appstream", "openssl-libs")).toBe("9/openssl-libs");
    expect(redHat?.definition.releaseName?.("enterprise_linux:9::baseos", "openssl-libs")).toBe("9/openssl-libs");
    expect(redHat?.definition.releaseName?.("enterprise_linux:8", "openssl-libs")).toBe("8/openssl-libs");
    // Extended-support streams fix on their own branch: kept apart from the main stream an image is named by.
    expect(redHat?.definition.releaseName?.("rhel_eus:9.2::baseos", "openssl-libs")).toBe("rhel_eus:9.2::baseos/openssl-libs");
  });

  it("names rpm purls by distro major and source rpm (Red Hat by binary), with the epoch qualifier in the version", () => {
    const rocky = ecosystemDefinition("Rocky Linux");
    const upstream = "openssl-3.0.7-25.el9_3.src.rpm";
    expect(rocky.nameFromPurl("rocky", "openssl-libs", { distro: "rocky-9.3", upstream })).toBe("9/openssl");
    expect(rocky.nameFromPurl("rocky", "openssl-libs", { distro: "9.3" })).toBe("9/openssl-libs");
    expect(rocky.nameFromPurl("rocky", "openssl-libs", { distro: "almalinux-9.3" })).toBeNull();
    expect(rocky.nameFromPurl("rocky", "openssl-libs", {})).toBeNull();
    const alma = ecosystemDefinition("AlmaLinux");
    expect(alma.nameFromPurl("almalinux", "openssl-libs", { distro: "almalinux-8.9", upstream })).toBe("8/openssl");
    const redHat = ecosystemDefinition("Red Hat");
    expect(redHat.nameFromPurl("redhat", "openssl-libs", { distro: "rhel-9.3", upstream })).toBe("9/openssl-libs");
    expect(redHat.versionFromPurl?.("3.0.7-25.el9_3", { epoch: "1" })).toBe("1:3.0.7-25.el9_3");
    expect(redHat.versionFromPurl?.("3.0.7-25.el9_3", { epoch: "0" })).toBe("3.0.7-25.el9_3");
    expect(redHat.versionFromPurl?.("1:3.0.7-25.el9_3", { epoch: "1" })).toBe("1:3.0.7-25.el9_3");
    expect(redHat.versionFromPurl?.("3.0.7-25.el9_3", undefined)).toBe("3.0.7-25.el9_3");
  });

  it("names an image's OS ecosystem by os-release ID and VERSION_ID", () => {
    const rules = ECOSYSTEM_DEFINITIONS.flatMap((d) =>
      d.image === undefined ? [] : [[d.id, d.image.osIds, d.image.packageKind, d.image.release("9.3.1")]],
    );
    expect(rules).toEqual([
      ["Debian", ["debian"], "dpkg", "9"],
      ["Alpine", ["alpine"], "apk", "v9.3"],
      ["Red Hat", ["rhel"], "rpm", "9"],
      ["Rocky Linux", ["rocky"], "rpm", "9"],
      ["AlmaLinux", ["almalinux"], "rpm", "9"],
    ]);
  });
});
