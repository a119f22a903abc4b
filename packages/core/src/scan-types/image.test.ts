import { ImageError } from "@secapi/scanners";
import { describe, expect, it } from "vitest";
import { inputHash } from "../canonical-input.js";
import { InputRefusedError } from "../input-refused-error.js";
import { image } from "./image.js";
import type { SubmissionIo } from "./scan-type.js";

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
    expect(image.canonicalize({ image: "nginx" })).toEqual({ image: "docker.io/library/nginx:latest", platform: "linux/amd64" });
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

  it("takes a platform (os/architecture[/variant], lower-cased) as part of the input, linux/amd64 by default", () => {
    const parse = (input: unknown) => image.inputSchema.safeParse(input);
    expect(parse({ image: "nginx", platform: " Linux/ARM64 " }).data).toEqual({ image: "nginx", platform: "linux/arm64" });
    expect(parse({ image: "nginx", platform: "linux/arm/v7" }).success).toBe(true);
    for (const platform of ["linux", "linux/", "/amd64", "linux/arm/v7/x", "linux amd64", "", "a".repeat(40) + "/amd64"]) {
      expect(parse({ image: "nginx", platform }).success, platform).toBe(false);
    }
    const hashOf = (platform?: string) => inputHash(image.canonicalize({ image: "nginx", ...(platform !== undefined && { platform }) }));
    expect(hashOf()).toBe(hashOf("linux/amd64"));
    expect(hashOf("linux/arm64")).not.toBe(hashOf());
  });
});

describe("pinning an image reference to its digest at submission", () => {
  const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
  const lookups: string[] = [];
  const io = (answer: string | undefined | Error): SubmissionIo => ({
    imageDigest: async (reference) => {
      lookups.push(reference);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  const pin = (input: { image: string; platform?: string }, lookup: SubmissionIo) => {
    const pinning = image.pin;
    if (pinning === undefined) throw new Error("the image type pins");
    return pinning(image.canonicalize(input), lookup);
  };

  it("addresses a tag by the digest it names now, keeping what was submitted (with that digest) unhashed", async () => {
    lookups.length = 0;
    const pinned = await pin({ image: "nginx:1.25" }, io(digest(1)));
    expect(lookups).toEqual(["docker.io/library/nginx:1.25"]);
    expect(pinned).toEqual({
      input: {
        image: `docker.io/library/nginx@${digest(1)}`,
        platform: "linux/amd64",
        reference: `docker.io/library/nginx:1.25@${digest(1)}`,
      },
      address: { image: `docker.io/library/nginx@${digest(1)}`, platform: "linux/amd64" },
      pinned: true,
    });
    // Another tag of the same image, and the digest itself (no lookup), share the address; a moved tag does not.
    const other = await pin({ image: "docker.io/library/nginx:stable" }, io(digest(1)));
    lookups.length = 0;
    const byDigest = await pin({ image: `nginx@${digest(1)}` }, io(new Error("must not be asked")));
    expect(lookups).toEqual([]);
    const moved = await pin({ image: "nginx:1.25" }, io(digest(2)));
    expect(inputHash(other.address)).toBe(inputHash(pinned.address));
    expect(inputHash(byDigest.address)).toBe(inputHash(pinned.address));
    expect(inputHash(moved.address)).not.toBe(inputHash(pinned.address));
    const arm = await pin({ image: "nginx:1.25", platform: "linux/arm64" }, io(digest(1)));
    expect(inputHash(arm.address)).not.toBe(inputHash(pinned.address));
  });

  it("refuses (422) with the registry's code what names nothing, and keeps the tag when the registry is away", async () => {
    for (const code of ["image_not_found", "image_unauthorized"] as const) {
      await expect(pin({ image: "ghcr.io/org/app:1" }, io(new ImageError(code, "no")))).rejects.toMatchObject({
        name: "InputRefusedError",
        code,
      });
    }
    expect(await pin({ image: "ghcr.io/org/app:1" }, io(undefined))).toEqual({
      input: { image: "ghcr.io/org/app:1", platform: "linux/amd64" },
      pinned: false,
    });
  });

  it("leaves an uploaded archive as it is", async () => {
    const archive = { archive: digest(3) };
    expect(await image.pin?.(archive, io(new Error("must not be asked")))).toEqual({ input: archive, pinned: true });
  });
});
