import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseGradleLockfile } from "./gradle-lockfile.js";
import { expectedEntries } from "./expected-entries.fixture.js";

const maven = expectedEntries("Maven");

describe("parseGradleLockfile", () => {
  it("reads each module once, dev-only when only test configurations resolve it; other lines are unchecked", () => {
    expect(parseGradleLockfile(fixtureText("lockfiles/gradle.lockfile"))).toEqual({
      packages: maven.packages(
        ["com.fasterxml.jackson.core:jackson-annotations", "2.13.4", false],
        ["com.fasterxml.jackson.core:jackson-databind", "2.13.4.2", false],
        ["com.google.guava:guava", "31.1-jre", false],
        ["junit:junit", "4.13.1", true],
        ["org.apache.logging.log4j:log4j-api", "2.14.1", false],
        ["org.apache.logging.log4j:log4j-core", "2.14.1", false],
        ["org.hamcrest:hamcrest-core", "1.3", true],
        ["org.mockito:mockito-core", "4.8.0", true],
        ["org.projectlombok:lombok", "1.18.24", false],
        ["org.yaml:snakeyaml", "1.33"],
      ),
      unchecked: maven.unchecked([
        "not-a-coordinate",
        "not-a-coordinate=runtimeClasspath",
        "malformed_entry",
        "not a group:artifact:version=configurations line",
      ]),
    });
  });

  it("reads CRLF files and a file with only empty=", () => {
    expect(parseGradleLockfile("a:b:1.0=runtimeClasspath\r\nempty=\r\n").packages).toEqual(maven.packages(["a:b", "1.0", false]));
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
