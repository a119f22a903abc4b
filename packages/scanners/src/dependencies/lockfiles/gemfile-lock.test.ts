import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { canonicalPackageSet } from "../package-set.js";
import { parseGemfileLock } from "./gemfile-lock.js";

describe("parseGemfileLock", () => {
  it("checks GEM gems once whatever their platforms, with direct and path; GIT, PATH and unreadable specs are unchecked", () => {
    const set = canonicalPackageSet(parseGemfileLock(fixtureText("lockfiles/bundler.Gemfile.lock")));
    const gem = (name: string, version: string, path: string[]) => ({
      ecosystem: "RubyGems",
      name,
      version,
      direct: path.length === 1,
      path,
    });
    expect(set.packages).toEqual([
      gem("concurrent-ruby", "1.2.3", ["activesupport", "concurrent-ruby"]),
      gem("i18n", "1.14.1", ["activesupport", "i18n"]),
      gem("mini_portile2", "2.8.5", ["nokogiri", "mini_portile2"]),
      gem("nokogiri", "1.16.0", ["nokogiri"]),
      gem("racc", "1.7.3", ["nokogiri", "racc"]),
      gem("rack", "2.2.8", ["billing", "rack"]),
      gem("rack-test", "2.1.0", ["rack-test"]),
      gem("rspec", "3.13.0", ["rspec"]),
    ]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["activesupport", "activesupport@https://github.com/rails/rails.git#3c8a2e7b0b1f4c5d6e7f8091a2b3c4d5e6f70819", "git"],
      ["billing", "billing@path:engines/billing", "path"],
      ["broken", "broken entry without version", "malformed_entry"],
    ]);
  });

  it("reads CRLF files, gems.locked sections and a version Gem::Version cannot read", () => {
    const text =
      "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n    rake (13.1.0)\r\n    odd (1..0)\r\n\r\nDEPENDENCIES\r\n  rake\r\n";
    const set = parseGemfileLock(text);
    expect(set.packages).toEqual([{ ecosystem: "RubyGems", name: "rake", version: "13.1.0", direct: true, path: ["rake"] }]);
    expect(set.unchecked).toEqual([expect.objectContaining({ name: "odd", kind: "invalid_version" })]);
  });

  it("refuses a file that is not a Gemfile.lock", () => {
    for (const text of ['{"packages": []}', "lockfileVersion: '9.0'\n", "  indented: first\nGEM\n"]) {
      expect(() => parseGemfileLock(text)).toThrow(DependencyInputError);
    }
    expect(() => parseGemfileLock("nothing here")).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
  });
});
