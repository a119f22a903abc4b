import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ImageError } from "../image-error.js";
import type { Descriptor } from "./image-manifest.js";
import type { RegistryClient } from "./registry-client.js";
import { bodyChunks } from "./registry-http.js";

/**
 * Streams blob `descriptor` to `file`, hashing and counting on the way: more bytes than the manifest said is
 * `image_too_large`, bytes that hash to another digest are `image_manifest_invalid`. The file is the caller's to remove.
 */
export async function downloadBlob(client: RegistryClient, descriptor: Descriptor, file: string): Promise<void> {
  const answer = await client.get(`blobs/${descriptor.digest}`);
  const hash = createHash("sha256");
  let size = 0;
  async function* checked(): AsyncGenerator<Uint8Array> {
    for await (const chunk of bodyChunks(answer, client.idleMs)) {
      size += chunk.length;
      if (size > descriptor.size) {
        throw new ImageError("image_too_large", `blob ${descriptor.digest} is larger than the ${descriptor.size} bytes its manifest says`);
      }
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(checked()), createWriteStream(file, { flags: "wx" }));
  const digest = `sha256:${hash.digest("hex")}`;
  if (digest !== descriptor.digest || size !== descriptor.size) {
    throw new ImageError(
      "image_manifest_invalid",
      `blob ${descriptor.digest} does not match its manifest: ${size} bytes hashing to ${digest}, expected ${descriptor.size} bytes`,
    );
  }
}
