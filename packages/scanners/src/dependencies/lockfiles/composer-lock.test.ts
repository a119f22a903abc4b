import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { canonicalPackageSet } from "../package-set.js";
import { parseComposerLock } from "./composer-lock.js";

describe("parseComposerLock", () => {
  it("checks released versions of packages and packages-dev (dev: true); branches, paths and unreadable entries are unchecked", () => {
    const set = canonicalPackageSet(parseComposerLock(fixtureText("lockfiles/composer-v2.composer.lock")));
    expect(set.packages).toEqual([
      // Listed in both: not dev-only.
      { ecosystem: "Packagist", name: "guzzlehttp/psr7", version: "2.4.4", dev: false },
      { ecosystem: "Packagist", name: "phpunit/phpunit", version: "10.5.0-RC1", dev: true },
      { ecosystem: "Packagist", name: "psr/http-message", version: "2.0", dev: false },
      { ecosystem: "Packagist", name: "symfony/http-kernel", version: "v6.4.0", dev: false },
    ]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["", '{"version":"1.0.0"}', "malformed_entry"],
      ["acme/internal-tools", "acme/internal-tools@dev-main#9f0e4c2b1a7d8e3f5c6b0a9d8e7f6c5b4a3d2e1f", "git"],
      ["acme/shared-kernel", "acme/shared-kernel@path:../shared-kernel", "path"],
      ["acme/weird", "acme/weird@latest", "invalid_version"],
    ]);
  });

  it("reads a lock with only packages-dev, and a source of type path", () => {
    const text = JSON.stringify({ "packages-dev": [{ name: "a/b", version: "1.0.0", source: { type: "path", url: "../b" } }] });
    expect(parseComposerLock(text)).toEqual({ packages: [], unchecked: [expect.objectContaining({ name: "a/b", kind: "path" })] });
  });

  it("refuses a file that is not a composer.lock", () => {
    for (const text of ["GEM\n", "[]", '{"lockfileVersion": 3}', '{"packages": {}}']) {
      expect([text, () => parseComposerLock(text)]).toEqual([text, expect.any(Function)]);
      expect(() => parseComposerLock(text)).toThrow(DependencyInputError);
    }
  });
});
