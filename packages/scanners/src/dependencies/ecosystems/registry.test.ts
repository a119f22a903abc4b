import { describe, expect, it } from "vitest";
import {
  ECOSYSTEMS,
  ECOSYSTEM_DEFINITIONS,
  ecosystemDefinition,
  ecosystemForOsvName,
  ecosystemForPurlType,
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
};

describe("ECOSYSTEM_DEFINITIONS", () => {
  it("names every ecosystem once, by id, OSV name and purl type", () => {
    for (const key of ["id", "osvName", "purlType"] as const) {
      const values = ECOSYSTEM_DEFINITIONS.map((definition) => definition[key]);
      expect([key, new Set(values).size]).toEqual([key, values.length]);
    }
  });

  it("gives the enum of ids in registry order", () => {
    expect(ECOSYSTEMS).toEqual(["npm", "PyPI", "Go", "crates.io", "Maven", "NuGet", "Pub", "RubyGems", "Packagist", "Debian", "Alpine"]);
    expect(ECOSYSTEMS).toEqual(ECOSYSTEM_DEFINITIONS.map((definition) => definition.id));
  });

  it("finds each definition again by id, OSV name and purl type", () => {
    for (const definition of ECOSYSTEM_DEFINITIONS) {
      expect(ecosystemDefinition(definition.id)).toBe(definition);
      expect(ecosystemForOsvName(definition.osvName)).toBe(definition);
      expect(ecosystemForPurlType(definition.purlType)).toBe(definition);
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
    ]);
  });

  it("knows nothing else, and matches spellings exactly", () => {
    expect(ecosystemForOsvName("pypi")).toBeUndefined();
    expect(ecosystemForOsvName("npm:12")).toBeUndefined();
    expect(ecosystemForOsvName("Debian:")).toBeUndefined();
    expect(ecosystemForOsvName("debian:12")).toBeUndefined();
    expect(ecosystemForPurlType("PyPI")).toBeUndefined();
    expect(ecosystemForPurlType("hex")).toBeUndefined();
    expect(ecosystemForPurlType("Maven")).toBeUndefined();
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
});
