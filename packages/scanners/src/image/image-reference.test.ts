import { describe, expect, it } from "vitest";
import { ImageError } from "./image-error.js";
import { ImageReferenceError, isRegistryAllowed, parseImageReference } from "./image-reference.js";

const DIGEST = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

describe("parseImageReference", () => {
  it.each([
    ["nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest", canonical: "docker.io/library/nginx:latest" }],
    ["nginx:1.25-alpine", { registry: "docker.io", repository: "library/nginx", tag: "1.25-alpine" }],
    ["bitnami/redis:7", { registry: "docker.io", repository: "bitnami/redis", tag: "7" }],
    ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    ["index.docker.io/library/nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["registry-1.docker.io/nginx:1", { registry: "docker.io", repository: "library/nginx", canonical: "docker.io/library/nginx:1" }],
    ["ghcr.io/org/team/app:v1.2.3", { registry: "ghcr.io", repository: "org/team/app", tag: "v1.2.3" }],
    ["localhost/app", { registry: "localhost", repository: "app", tag: "latest" }],
    ["localhost:5000/app:dev", { registry: "localhost:5000", repository: "app", tag: "dev" }],
    ["127.0.0.1:5000/a/b", { registry: "127.0.0.1:5000", repository: "a/b" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
    ["Registry.Example.COM/app", { registry: "registry.example.com", repository: "app" }],
    ["my-app_x__y.z", { repository: "library/my-app_x__y.z" }],
    ["localhost:5000", { registry: "docker.io", repository: "library/localhost", tag: "5000" }],
  ])("reads %s", (text, expected) => {
    expect(parseImageReference(text)).toMatchObject(expected);
  });

  it("keeps a digest without inventing a tag, and both when both are given", () => {
    expect(parseImageReference(`ghcr.io/org/app@${DIGEST}`)).toEqual({
      registry: "ghcr.io",
      repository: "org/app",
      digest: DIGEST,
      canonical: `ghcr.io/org/app@${DIGEST}`,
    });
    expect(parseImageReference(`nginx:1.25@${DIGEST}`)).toMatchObject({
      tag: "1.25",
      digest: DIGEST,
      canonical: `docker.io/library/nginx:1.25@${DIGEST}`,
    });
  });

  it.each([
    ["", /empty/],
    ["Nginx", /lowercase/],
    ["org/App", /lowercase/],
    ["nginx:", /not a valid tag/],
    ["nginx:-x", /not a valid tag/],
    [`nginx:${"t".repeat(129)}`, /not a valid tag/],
    ["nginx@sha256:abc", /not a valid digest/],
    [`nginx@sha512:${"a".repeat(128)}`, /other than sha256/],
    ["ghcr.io//app", /empty path component/],
    ["ghcr.io/app/", /empty path component/],
    ["a--/b", /not a valid repository path component/],
    ["-a/b", /not a valid repository path component/],
    ["nginx latest", /whitespace/],
    ["bad_host.io:port/app", /not a valid registry/],
    ["a".repeat(64).replace(/a/g, "f"), /image id/],
    [`example.com/${"a".repeat(250)}`, /longer than 255/],
  ])("refuses %j naming what is wrong", (text, message) => {
    let caught: unknown;
    try {
      parseImageReference(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImageReferenceError);
    expect(caught).toBeInstanceOf(ImageError);
    expect((caught as ImageError).code).toBe("image_reference_invalid");
    expect((caught as Error).message).toMatch(message);
  });

  it("answers at once on input that makes a backtracking reading of the old grammar exponential", () => {
    // The `-*` separator of older grammars makes "aaaa…!" take minutes; counted in steps, not time.
    expect(() => parseImageReference(`${"a".repeat(200)}!`)).toThrow(ImageReferenceError);
    expect(() => parseImageReference(`${"a-".repeat(120)}!`)).toThrow(ImageReferenceError);
  });
});

describe("isRegistryAllowed", () => {
  const allowed = ["docker.io", "ghcr.io", " Quay.io ", "localhost:5000"];

  it("matches host[:port] entries, Docker Hub under any of its names", () => {
    expect(isRegistryAllowed(parseImageReference("nginx"), allowed)).toBe(true);
    expect(isRegistryAllowed(parseImageReference("quay.io/org/app"), allowed)).toBe(true);
    expect(isRegistryAllowed(parseImageReference("localhost:5000/app"), allowed)).toBe(true);
    expect(isRegistryAllowed(parseImageReference("nginx"), ["index.docker.io"])).toBe(true);
  });

  it("refuses other hosts and other ports of an allowed host", () => {
    expect(isRegistryAllowed(parseImageReference("evil.example/app"), allowed)).toBe(false);
    expect(isRegistryAllowed(parseImageReference("localhost:5001/app"), allowed)).toBe(false);
    expect(isRegistryAllowed(parseImageReference("ghcr.io:443/app"), allowed)).toBe(false);
    expect(isRegistryAllowed(parseImageReference("nginx"), [])).toBe(false);
  });
});
