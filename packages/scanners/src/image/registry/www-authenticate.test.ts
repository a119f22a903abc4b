import { describe, expect, it } from "vitest";
import { parseChallenge } from "./www-authenticate.js";

describe("parseChallenge", () => {
  it("reads a Bearer challenge's quoted parameters", () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" },
    });
  });

  it("reads unquoted values, spaces after commas, escaped quotes and a Basic challenge", () => {
    expect(parseChallenge('Bearer realm=https://ghcr.io/token, service="ghcr.io", error="a \\"b\\""')).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io", error: 'a "b"' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
  });

  it("answers undefined without a header", () => {
    expect(parseChallenge(null)).toBeUndefined();
    expect(parseChallenge("")).toBeUndefined();
  });
});
