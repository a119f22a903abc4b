import { describe, expect, it } from "vitest";
import { ECOSYSTEMS, ECOSYSTEM_DEFINITIONS, ecosystemDefinition, ecosystemForOsvName, ecosystemForPurlType, isEcosystem } from "./registry.js";
import type { Ecosystem } from "./registry.js";

// One row per ecosystem: a version its scheme must read, and names with their normalised form.
const SAMPLES: Record<Ecosystem, { version: string; names: [written: string, normalized: string][] }> = {
  npm: { version: "4.17.20", names: [["JSONStream", "JSONStream"], [" @types/node ", "@types/node"]] },
  PyPI: { version: "1.0.post1", names: [["Jinja2", "jinja2"], ["zope.interface", "zope-interface"], ["A__b-.C", "a-b-c"]] },
  Go: { version: "v0.0.0-20230101000000-abcdef123456", names: [["github.com/BurntSushi/toml", "github.com/BurntSushi/toml"]] },
  "crates.io": { version: "1.0.0", names: [["serde_json", "serde_json"], ["Inflector", "Inflector"]] },
  // lockfiles-jvm-dotnet
  Maven: { version: "2.0.0.RC1", names: [["org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"], [" com.Example:Lib ", "com.Example:Lib"]] },
  NuGet: { version: "4.1.0.3-beta.1+sha.5", names: [["Newtonsoft.Json", "newtonsoft.json"], [" System.Text.Json ", "system.text.json"]] },
  // lockfiles-go-rust-dart
  Pub: { version: "1.0.0+2", names: [["http", "http"], ["flutter_lints", "flutter_lints"]] },
};

describe("ECOSYSTEM_DEFINITIONS", () => {
  it("names every ecosystem once, by id, OSV name and purl type", () => {
    for (const key of ["id", "osvName", "purlType"] as const) {
      const values = ECOSYSTEM_DEFINITIONS.map((definition) => definition[key]);
      expect([key, new Set(values).size]).toEqual([key, values.length]);
    }
  });

  it("gives the enum of ids in registry order", () => {
    expect(ECOSYSTEMS).toEqual([
      "npm",
      "PyPI",
      "Go",
      "crates.io",
      // lockfiles-jvm-dotnet
      "Maven",
      "NuGet",
      // lockfiles-go-rust-dart
      "Pub",
    ]);
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
      // lockfiles-jvm-dotnet
      ["Maven", "Maven", "maven"],
      ["NuGet", "NuGet", "nuget"],
      // lockfiles-go-rust-dart
      ["Pub", "Pub", "pub"],
    ]);
  });

  it("knows nothing else, and matches spellings exactly", () => {
    expect(ecosystemForOsvName("pypi")).toBeUndefined();
    expect(ecosystemForOsvName("Debian:12")).toBeUndefined();
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
      for (const [written, normalized] of names) expect([definition.id, definition.normalizeName(written)]).toEqual([definition.id, normalized]);
    }
  });

  it("reads a purl's namespace as part of the name where the ecosystem has one", () => {
    expect(ecosystemDefinition("npm").nameFromPurl("@types", "node")).toBe("@types/node");
    expect(ecosystemDefinition("Go").nameFromPurl("github.com/gin-gonic", "gin")).toBe("github.com/gin-gonic/gin");
    expect(ecosystemDefinition("PyPI").nameFromPurl(undefined, "django")).toBe("django");
    // lockfiles-jvm-dotnet
    expect(ecosystemDefinition("Maven").nameFromPurl("org.apache.logging.log4j", "log4j-core")).toBe("org.apache.logging.log4j:log4j-core");
    expect(ecosystemDefinition("NuGet").nameFromPurl(undefined, "Newtonsoft.Json")).toBe("Newtonsoft.Json");
  });
});
