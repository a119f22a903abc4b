import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseGradleLockfile } from "./gradle-lockfile.js";

describe("parseGradleLockfile", () => {
  it("reads each module once, dev-only when only test configurations resolve it; other lines are unchecked", () => {
    expect(parseGradleLockfile(fixtureText("lockfiles/gradle.lockfile"))).toEqual({
      packages: [
        { ecosystem: "Maven", name: "com.fasterxml.jackson.core:jackson-annotations", version: "2.13.4", dev: false },
        { ecosystem: "Maven", name: "com.fasterxml.jackson.core:jackson-databind", version: "2.13.4.2", dev: false },
        { ecosystem: "Maven", name: "com.google.guava:guava", version: "31.1-jre", dev: false },
        { ecosystem: "Maven", name: "junit:junit", version: "4.13.1", dev: true },
        { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-api", version: "2.14.1", dev: false },
        { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", dev: false },
        { ecosystem: "Maven", name: "org.hamcrest:hamcrest-core", version: "1.3", dev: true },
        { ecosystem: "Maven", name: "org.mockito:mockito-core", version: "4.8.0", dev: true },
        { ecosystem: "Maven", name: "org.projectlombok:lombok", version: "1.18.24", dev: false },
        { ecosystem: "Maven", name: "org.yaml:snakeyaml", version: "1.33" },
      ],
      unchecked: [
        {
          ecosystem: "Maven",
          name: "not-a-coordinate",
          spec: "not-a-coordinate=runtimeClasspath",
          kind: "malformed_entry",
          reason: "not a group:artifact:version=configurations line",
        },
      ],
    });
  });

  it("reads CRLF files and a file with only empty=", () => {
    expect(parseGradleLockfile("a:b:1.0=runtimeClasspath\r\nempty=\r\n").packages).toEqual([
      { ecosystem: "Maven", name: "a:b", version: "1.0", dev: false },
    ]);
    expect(parseGradleLockfile("# comment\nempty=\n")).toEqual({ packages: [], unchecked: [] });
    expect(parseGradleLockfile("")).toEqual({ packages: [], unchecked: [] });
  });

  it("treats test source sets' configurations as tests, and anything else as not", () => {
    const dev = (configurations: string) => parseGradleLockfile(`a:b:1.0=${configurations}`).packages[0]?.dev;
    expect(dev("integrationTestRuntimeClasspath")).toBe(true);
    expect(dev("testFixturesRuntimeClasspath,testCompileClasspath")).toBe(true);
    expect(dev("testCompileClasspath,compileClasspath")).toBe(false);
    expect(dev("testingRuntimeClasspath")).toBe(false);
  });

  it("refuses a file with no Gradle lock line at all", () => {
    expect(() => parseGradleLockfile("<project/>\n")).toThrow(DependencyInputError);
    expect(() => parseGradleLockfile('{"version": 1}')).toThrow(/^gradle\.lockfile: /);
  });
});
