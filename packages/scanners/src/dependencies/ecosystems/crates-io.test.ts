import { describe, expect, it } from "vitest";
import { cratesIo } from "./crates-io.js";
import { itOrdersPairs } from "../version-schemes/version-table.fixture.js";

const scheme = cratesIo.versionScheme;

// Cargo's rules (https://doc.rust-lang.org/cargo/reference/resolver.html#semver-compatibility and the
// `semver` crate's Ord), as OSV applies them to crates.io: SemVer 2.0 precedence, build metadata ignored.
// [lower, higher]: each pair is checked both ways round.
const ORDERED: [string, string][] = [
  ["0.0.0", "0.0.1"],
  ["0.0.1", "0.1.0"],
  ["0.1.0", "1.0.0"],
  ["0.6.14", "1.6.0"],
  ["1.6.0", "1.6.1"],
  ["1.5.4", "1.5.5"],
  ["1.9.0", "1.10.0"],
  ["1.0.9", "1.0.10"],
  ["2.0.0", "10.0.0"],
  ["0.2.150", "0.2.151"],
  ["0.9.99", "0.10.0"],
  ["1.0.0-alpha", "1.0.0"],
  ["1.0.0-alpha", "1.0.0-alpha.1"],
  ["1.0.0-alpha.1", "1.0.0-alpha.beta"],
  ["1.0.0-alpha.beta", "1.0.0-beta"],
  ["1.0.0-beta", "1.0.0-beta.2"],
  ["1.0.0-beta.2", "1.0.0-beta.11"],
  ["1.0.0-beta.11", "1.0.0-rc.1"],
  ["1.0.0-rc.1", "1.0.0"],
  ["0.0.0-0", "0.0.0"],
  ["0.0.0-0", "0.0.1-alpha"],
  ["1.0.0-0", "1.0.0-1"],
  ["1.0.0-1", "1.0.0-a"],
  ["1.0.0-9", "1.0.0-10"],
  ["1.0.0-Z", "1.0.0-a"],
  ["1.0.0-a.b", "1.0.0-a-b"],
  ["1.0.0-rc.1", "1.0.0-rc1"],
  ["0.3.0-pre.1", "0.3.0"],
  ["0.3.0-pre.1", "0.3.0-pre.2"],
  ["1.0.0+build", "1.0.1"],
  ["1.0.0-alpha+001", "1.0.0"],
  ["0.10.0-beta.5", "0.10.0"],
  ["3.0.0-beta.1", "3.0.0-beta.1.1"],
  ["1.0.0-x.7.z.92", "1.0.0-x.7.z.93"],
  ["1.0.0-x-y-z.1", "1.0.0-x-y-z.2"],
  ["4.0.0-rc.0", "4.0.0-rc.1"],
  ["1.2.3-alpha.9.0", "1.2.3-alpha.10"],
  ["1.2.3-alpha.9", "1.2.3-alpha.10"],
  ["0.1.0-alpha", "0.1.0-alpha.0"],
  ["1.999.999", "2.0.0-alpha"],
  ["0.7.3", "0.8.5"],
  ["1.14.0", "1.14.1"],
  ["1.0.188", "1.0.189"],
  // More of the precedence rules (SemVer §11), in forms crates publish.
  ["0.0.9", "0.0.10"],
  ["0.1.9", "0.1.10"],
  ["0.11.0", "0.11.1-alpha.0"],
  ["1.0.0-beta.9", "1.0.0-beta.10"],
  ["1.0.0-beta.1", "1.0.0-beta.1a"],
  ["1.2.3-0.3.7", "1.2.3-x.7.z.92"],
  ["1.0.0-alpha.0valid", "1.0.0-alpha.beta"],
  ["1.0.0-alpha-a.b-c-somethinglong", "1.0.0-alpha-b"],
  ["1.0.0-rc.1", "1.0.0-rc.1.0"],
  ["0.4.0-alpha.1+build", "0.4.0-alpha.2"],
  ["2.0.0-rc.1+build.1", "2.0.0"],
  ["0.3.0-pre", "0.3.0-pre.0"],
  ["1.0.0-A", "1.0.0-B"],
  ["0.2.0-alpha.1", "0.2.0"],
  ["1.70.0", "1.71.0-beta.1"],
];

const EQUAL: [string, string][] = [
  ["1.0.0+a", "1.0.0+b"],
  ["1.0.0+build.5", "1.0.0"],
  ["1.0.0-rc.1+meta", "1.0.0-rc.1"],
  ["0.1.0+1", "0.1.0+2"],
  ["1.2.3", " 1.2.3 "],
  ["2.0.0", "2.0.0"],
  ["1.0.0-alpha", "1.0.0-alpha"],
];

describe("crates.io versions", () => {
  itOrdersPairs(scheme, ORDERED, EQUAL);

  it("reads only full SemVer versions, as Cargo.lock writes them", () => {
    for (const version of ["1.0", "1", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0.0", "*", "^1.0"]) {
      expect([version, scheme.key(version)]).toEqual([version, null]);
    }
  });
});
