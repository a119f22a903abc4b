import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parsePomXml } from "./pom-xml.js";

const pom = (body: string) =>
  `<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>${body}</project>`;
const dependency = (groupId: string, artifactId: string, version?: string, extra = "") =>
  `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>${version === undefined ? "" : `<version>${version}</version>`}${extra}</dependency>`;

describe("parsePomXml", () => {
  it("reads declared versions, resolving properties within the file; the rest is unchecked with the reason", () => {
    expect(parsePomXml(fixtureText("lockfiles/maven.pom.xml"))).toEqual({
      packages: [
        {
          ecosystem: "Maven",
          name: "org.apache.logging.log4j:log4j-core",
          version: "2.14.1",
          direct: true,
          dev: false,
          path: ["org.apache.logging.log4j:log4j-core"],
        },
        { ecosystem: "Maven", name: "org.yaml:snakeyaml", version: "1.33", direct: true, dev: false, path: ["org.yaml:snakeyaml"] },
        {
          ecosystem: "Maven",
          name: "com.example:example-common",
          version: "3.1.0",
          direct: true,
          dev: false,
          path: ["com.example:example-common"],
        },
        {
          ecosystem: "Maven",
          name: "com.google.guava:guava",
          version: "31.1-jre",
          direct: true,
          dev: false,
          path: ["com.google.guava:guava"],
        },
        {
          ecosystem: "Maven",
          name: "org.junit.jupiter:junit-jupiter",
          version: "5.9.2",
          direct: true,
          dev: true,
          path: ["org.junit.jupiter:junit-jupiter"],
        },
        {
          ecosystem: "Maven",
          name: "com.fasterxml.jackson:jackson-bom",
          version: "2.13.0",
          direct: true,
          path: ["com.fasterxml.jackson:jackson-bom"],
        },
      ],
      unchecked: [
        {
          ecosystem: "Maven",
          name: "com.fasterxml.jackson.core:jackson-databind",
          spec: "com.fasterxml.jackson.core:jackson-databind",
          kind: "no_version",
          reason: "no version in this file (it comes from a parent POM or an imported BOM)",
        },
        {
          ecosystem: "Maven",
          name: "commons-io:commons-io",
          spec: "commons-io:commons-io@[2.7,3.0)",
          kind: "unpinned",
          reason: "a version range, not one version",
        },
        {
          ecosystem: "Maven",
          name: "org.springframework:spring-core",
          spec: "org.springframework:spring-core@${spring.version}",
          kind: "no_version",
          reason: "the version is a property this file does not define",
        },
      ],
    });
  });

  it("resolves project.version from the project before the parent, and nested and legacy pom.* properties", () => {
    const text = pom(`
      <parent><groupId>p</groupId><artifactId>parent</artifactId><version>1.0</version></parent>
      <groupId>g</groupId><version>2.0</version>
      <properties><a>\${b}</a><b>3.0</b><self>\${self}</self></properties>
      <dependencies>
        ${dependency("${project.groupId}", "own", "${project.version}")}
        ${dependency("x", "from-parent", "${project.parent.version}")}
        ${dependency("x", "legacy", "${pom.version}")}
        ${dependency("x", "nested", "${a}")}
        ${dependency("x", "cycle", "${self}")}
      </dependencies>`);
    const set = parsePomXml(text);
    expect(set.packages.map((p) => [p.name, p.version])).toEqual([
      ["g:own", "2.0"],
      ["x:from-parent", "1.0"],
      ["x:legacy", "2.0"],
      ["x:nested", "3.0"],
    ]);
    expect(set.unchecked.map((u) => [u.name, u.kind])).toEqual([["x:cycle", "no_version"]]);
  });

  it("keeps a managed version used only by tests dev-only, and one also used otherwise not", () => {
    const text = pom(`
      <dependencyManagement><dependencies>${dependency("x", "tested", "1.0")}${dependency("x", "both", "2.0")}${dependency("x", "managed", "3.0")}</dependencies></dependencyManagement>
      <dependencies>${dependency("x", "tested", undefined, "<scope>test</scope>")}${dependency("x", "both", undefined, "<scope>test</scope>")}${dependency("x", "both", "2.0", "<scope>runtime</scope>")}</dependencies>`);
    expect(parsePomXml(text).packages.map((p) => [p.name, p.version, p.dev])).toEqual([
      ["x:tested", "1.0", true],
      ["x:both", "2.0", false],
      ["x:managed", "3.0", undefined],
    ]);
  });

  it("reports a dependency without coordinates or of the wrong shape as unchecked and reads the rest", () => {
    const text = pom(
      `<dependencies><dependency>text</dependency><dependency><artifactId>lonely</artifactId><version>1</version></dependency>${dependency("x", "ok", "1")}</dependencies>`,
    );
    const set = parsePomXml(text);
    expect(set.packages.map((p) => p.name)).toEqual(["x:ok"]);
    expect(set.unchecked.map((u) => [u.name, u.kind, u.reason])).toEqual([
      ["", "malformed_entry", "the <dependency> is not an element with children"],
      ["lonely", "malformed_entry", "the <dependency> lacks a groupId or artifactId"],
    ]);
  });

  it("reads a pom without dependencies as empty, and keeps versions such as 1.10 as written", () => {
    expect(parsePomXml(pom(""))).toEqual({ packages: [], unchecked: [] });
    expect(parsePomXml(pom(`<dependencies>${dependency("x", "y", "1.10")}</dependencies>`)).packages[0]?.version).toBe("1.10");
  });

  it.each([
    ["not XML", '{"lockfileVersion": 3}'],
    ["broken XML", "<project><dependencies></project>"],
    ["XML without a project", "<settings><mirrors/></settings>"],
  ])("refuses %s as a malformed file", (_name, text) => {
    expect(() => parsePomXml(text)).toThrow(DependencyInputError);
    expect(() => parsePomXml(text)).toThrow(/^pom\.xml: /);
  });
});
