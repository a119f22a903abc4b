import { describe, expect, it } from "vitest";
import { inputHash } from "../canonical-input.js";
import { InputRefusedError } from "../input-refused-error.js";
import { image } from "./image.js";

const policy = { imageRegistries: ["docker.io", "ghcr.io", "localhost:5000"] };

function refusal(attempt: () => unknown): InputRefusedError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof InputRefusedError) return error;
    throw error;
  }
  throw new Error("expected InputRefusedError");
}

describe("image input", () => {
  it("is addressed by the normalised reference: every spelling of one image shares one result", () => {
    const hashOf = (reference: string) => inputHash(image.canonicalize({ image: reference }));
    expect(image.canonicalize({ image: "nginx" })).toEqual({ image: "docker.io/library/nginx:latest" });
    expect(hashOf("nginx")).toBe(hashOf("docker.io/library/nginx:latest"));
    expect(hashOf("index.docker.io/library/nginx")).toBe(hashOf("nginx:latest"));
    expect(hashOf("nginx:1.25")).not.toBe(hashOf("nginx:1.24"));
  });

  it("refuses a malformed reference with its code (422)", () => {
    for (const reference of ["NGINX", "nginx:", "ghcr.io//app", "nginx@sha256:abc"]) {
      expect(refusal(() => image.canonicalize({ image: reference })).code, reference).toBe("image_reference_invalid");
    }
  });

  it("refuses a registry outside IMAGE_REGISTRIES, naming the allowed list", () => {
    const error = refusal(() => image.admit?.(image.canonicalize({ image: "evil.example.com/app:1" }), policy));
    expect(error.code).toBe("image_registry_not_allowed");
    expect(error.message).toContain("evil.example.com");
    expect(error.message).toContain("docker.io, ghcr.io, localhost:5000");
    expect(refusal(() => image.admit?.(image.canonicalize({ image: "localhost:5001/app" }), policy)).code).toBe(
      "image_registry_not_allowed",
    );
  });

  it("admits archives, which name no registry", () => {
    expect(() => image.admit?.({ archive: `sha256:${"a".repeat(64)}` }, policy)).not.toThrow();
  });
});
