import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { formatSarif, imageUri, packageLine } from "./format-sarif.js";
import { lockfileImageReport, mixedReport } from "./report.fixture.js";

describe("packageLine", () => {
  it("finds a package-lock entry by its key and the version below it", () => {
    const text = [
      "{",
      '  "packages": {',
      '    "node_modules/lodash-es": {',
      '      "version": "4.17.20"',
      "    },",
      '    "node_modules/lodash": {',
      '      "version": "4.17.20"',
      "    }",
    ].join("\n");
    expect(packageLine(text, "lodash", "4.17.20")).toBe(6);
  });

  it("finds pnpm and yarn entries", () => {
    expect(packageLine("packages:\n\n  /minimist@1.2.5:\n    resolution: x", "minimist", "1.2.5")).toBe(3);
    expect(packageLine('"@babel/core@^7.0.0":\n  version "7.1.0"\n\nlodash@^4.17.0:\n  version "4.17.20"', "lodash", "4.17.20")).toBe(4);
  });

  it("matches Python names as PEP 503 normalises them, and falls back to line 1", () => {
    expect(packageLine("Django==4.2.1\nzope.interface==6.0\nPyYAML==5.3.1", "pyyaml", "5.3.1")).toBe(3);
    expect(packageLine("zope-interface==6.0", "zope.interface", "6.0")).toBe(1);
    expect(packageLine("flask==2.0.0", "django", "4.2.1")).toBe(1);
  });
});

const require = createRequire(import.meta.url);
/** The official SARIF 2.1.0 JSON schema (draft-04), as Microsoft's SARIF matchers ship it. */
const SARIF_SCHEMA = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));

function validateSarif(log: unknown) {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(SARIF_SCHEMA);
  return { valid: validate(log), errors: JSON.stringify(validate.errors) };
}

describe("formatSarif", () => {
  const log = JSON.parse(formatSarif(mixedReport, "1.2.3"));
  const results = log.runs[0].results as any[];

  it("writes a log the official schema accepts, formats (URIs) included", () => {
    const { valid, errors } = validateSarif(log);
    expect(valid, errors).toBe(true);
  });

  it("locates an image finding at the image, with the package as a logical location and the layer named", () => {
    const [, openssl, lodash] = results;
    expect(openssl.ruleId).toBe("DSA-5678-1");
    expect(openssl.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: "127.0.0.1%3A5000/shop/api%40sha256%3A0123" }, region: { startLine: 1 } },
        logicalLocations: [{ name: "12/openssl", fullyQualifiedName: "Debian/12/openssl@3.0.11-1~deb12u1" }],
      },
    ]);
    expect(openssl.message.text).toBe(
      `12/openssl@3.0.11-1~deb12u1 in 127.0.0.1:5000/shop/api@sha256:0123 (layer sha256:${"b".repeat(64)}) is affected by DSA-5678-1: openssl flaw (fixed in 3.0.13-1~deb12u1)`,
    );
    expect(openssl.properties).toEqual({
      image: "127.0.0.1:5000/shop/api@sha256:0123",
      "image-digest": `sha256:${"d".repeat(64)}`,
      ecosystem: "Debian",
      package: "12/openssl",
      version: "3.0.11-1~deb12u1",
      layer: `sha256:${"b".repeat(64)}`,
    });
    expect(openssl.level).toBe("error");
    expect(lodash.level).toBe("warning");
    // The same advisory in a lockfile and in an image: one rule, two results with their own fingerprints.
    expect(log.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(["GHSA-35jh-r3h4-6jhm", "DSA-5678-1"]);
    expect(results[0].ruleIndex).toBe(lodash.ruleIndex);
    expect(results[0].partialFingerprints["secapi/v1"]).not.toBe(lodash.partialFingerprints["secapi/v1"]);
    expect(results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "package-lock.json", uriBaseId: "%SRCROOT%" },
      region: { startLine: 3 },
    });
  });

  it("locates an image finding a lockfile in the image lists at that lockfile under the image", () => {
    const withLockfile = JSON.parse(formatSarif({ ...mixedReport, files: [...mixedReport.files, lockfileImageReport] }, "1.2.3"));
    const { valid, errors } = validateSarif(withLockfile);
    expect(valid, errors).toBe(true);
    const rack = (withLockfile.runs[0].results as any[]).find((result) => result.ruleId === "GHSA-22h5-pq3x-2gf2");
    expect(rack.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "ghcr.io/acme/shop%3A1.4.2/app/Gemfile.lock" },
      region: { startLine: 1 },
    });
    expect(rack.locations[0].logicalLocations).toEqual([{ name: "rack", fullyQualifiedName: "RubyGems/rack@2.2.3" }]);
    expect(rack.message.text).toMatch(
      /^rack@2\.2\.3 in \/app\/Gemfile\.lock of ghcr\.io\/acme\/shop:1\.4\.2 \(layer sha256:a{64}\) is affected by/,
    );
    expect(rack.properties).toMatchObject({ image: "ghcr.io/acme/shop:1.4.2", file: "/app/Gemfile.lock", package: "rack" });
    // An installed package keeps the image itself as its artifact, and no `file` property.
    expect(results[1].locations[0].physicalLocation.artifactLocation.uri).toBe("127.0.0.1%3A5000/shop/api%40sha256%3A0123");
    expect(results[1].properties).not.toHaveProperty("file");
  });

  it("percent-encodes each segment of an image reference into a URI reference", () => {
    expect(imageUri("nginx:1.25")).toBe("nginx%3A1.25");
    expect(imageUri("ghcr.io/org/app@sha256:ab")).toBe("ghcr.io/org/app%40sha256%3Aab");
    expect(imageUri("/tmp/app image.tar")).toBe("/tmp/app%20image.tar");
  });
});
