import { describe, expect, it } from "vitest";
import { mavenScheme } from "./maven.js";

// Every row was checked against Maven's own org.apache.maven.artifact.versioning.ComparableVersion
// (maven-artifact 3.8.7: `java -cp maven-artifact.jar org.apache.maven.artifact.versioning.ComparableVersion a b`).
// It covers the pom.html Version Order Specification's examples: qualifier order and aliases, `.X`
// read as `-X`, trailing null items, `1-1` against `1.1`, and numbers past 2^63.
const ORDER: [a: string, relation: "<" | "=" | ">", b: string][] = [
  ["1", "<", "1.1"],
  ["1", "=", "1.0"],
  ["1", "=", "1.0.0"],
  ["1.0", "=", "1-0"],
  ["1-ga", "=", "1"],
  ["1.ga", "=", "1-ga"],
  ["1-final", "=", "1"],
  ["1-release", "=", "1"],
  ["1-GA", "=", "1-ga"],
  ["1-snapshot", "<", "1"],
  ["1-SNAPSHOT", "=", "1-snapshot"],
  ["1", "<", "1-sp"],
  ["1-ga", "<", "1-sp"],
  ["1-sp.1", ">", "1-ga.1"],
  ["1-sp-1", "<", "1-ga-1"],
  ["1-ga-1", "<", "1-1"],
  ["1-foo2", "<", "1-foo10"],
  ["1.foo", "=", "1-foo"],
  ["1-foo", "<", "1-1"],
  ["1-1", "<", "1.1"],
  ["1-alpha", "<", "1-beta"],
  ["1-beta", "<", "1-milestone"],
  ["1-milestone", "<", "1-rc"],
  ["1-rc", "<", "1-snapshot"],
  ["1-snapshot", "<", "1"],
  ["1-cr", "=", "1-rc"],
  ["1-CR1", "=", "1-rc-1"],
  ["1-a1", "=", "1-alpha-1"],
  ["1-b1", "=", "1-beta-1"],
  ["1-m1", "=", "1-milestone-1"],
  ["1-a", ">", "1-alpha"],
  ["1-sp", "<", "1-abc"],
  ["1-abc", "<", "1-abd"],
  ["1-xyz", "<", "1.1"],
  ["1-alpha1", "<", "1-alpha2"],
  ["1-alpha2", "<", "1-alpha10"],
  ["1.0alpha1", "=", "1-alpha-1"],
  ["1.0-alpha-1", "<", "1.0-alpha-1.1"],
  ["1-rc1", "<", "1"],
  ["2.0.0.RC1", "=", "2.0.0-RC1"],
  ["2.0.0.RC1", "<", "2.0.0"],
  ["2.0.0.Final", "=", "2.0.0"],
  ["2.0.0.GA", "=", "2.0.0.Final"],
  ["2.0.0-M1", "<", "2.0.0.M2"],
  ["2.0.0.M2", "<", "2.0.0-RC1"],
  ["1.0.0.X1", "<", "1.0.0-X2"],
  ["1.0.0.X", "=", "1.0.0-X"],
  ["1-0.1", ">", "1"],
  ["1-0-1", "<", "1-1"],
  ["1-0.alpha", "<", "1"],
  ["1.2.3", "<", "1.2.10"],
  ["1.9", "<", "1.10"],
  ["01.002", "=", "1.2"],
  ["1.2.0.0.0.1", ">", "1.2"],
  ["1.2-SP2", "<", "1.2-SP10"],
  ["31.1-jre", ">", "31.1-android"],
  ["31.1-jre", "<", "32.0.0-jre"],
  ["2.14.1", "<", "2.15.0"],
  ["2.15.0-rc1", "<", "2.15.0"],
  ["2.17.0", ">", "2.16.0"],
  ["12345678901234567890", "<", "12345678901234567891"],
  ["1234567890", "<", "12345678901234567890"],
  ["1.0-20230101.120000-1", ">", "1.0"],
  ["1.0-SNAPSHOT", "<", "1.0-20230101.120000-1"],
  ["5.3.18", ">", "5.3.9"],
  ["2.13.4.2", ">", "2.13.4"],
  ["2.13.4.2", "<", "2.13.5"],
  ["1.0.a", "<", "1.0.b"],
  ["1.0-1-1", "<", "1.0-1.1"],
  ["1.0.1-1", ">", "1.0.1"],
  ["9.4.44.v20210927", "<", "9.4.45.v20220203"],
  ["9.4.44.v20210927", ">", "9.4.44"],
  ["3.0.0-beta", "<", "3.0.0-beta-1"],
];

const SIGN = { "<": -1, "=": 0, ">": 1 } as const;
// `+ 0` turns -0 into 0 (toBe tells them apart) and keeps NaN.
const sign = (n: number) => Math.sign(n) + 0;

describe("mavenScheme", () => {
  it.each(ORDER)("orders %s %s %s as ComparableVersion does", (a, relation, b) => {
    expect(sign(mavenScheme.compare(a, b))).toBe(SIGN[relation]);
    expect(sign(mavenScheme.compare(b, a))).toBe(-SIGN[relation] + 0);
    expect(mavenScheme.key(a) === mavenScheme.key(b)).toBe(relation === "=");
  });

  it("keys differently what Maven prints alike but orders apart", () => {
    // Both print as 1-1 in ComparableVersion's canonical form, yet 1-0-1 < 1-1.
    expect(mavenScheme.key("1-0-1")).not.toBe(mavenScheme.key("1-1"));
  });

  it("keeps versions as written and refuses what an installed version never is", () => {
    expect(mavenScheme.normalize("2.0.0.RC1")).toBe("2.0.0.RC1");
    for (const version of ["", " ", "[1.0,2.0)", "${project.version}", "1.0 beta"]) {
      expect([version, mavenScheme.key(version)]).toEqual([version, null]);
      expect(mavenScheme.compare(version, "1.0")).toBeNaN();
    }
  });
});
