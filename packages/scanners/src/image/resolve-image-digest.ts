import { allowedReference, parseImageReference } from "./image-reference.js";
import type { ImageReference } from "./image-reference.js";
import { resolveManifestDigest } from "./registry/image-manifest.js";
import { type RegistryAccessOptions, openRegistry } from "./registry/open-registry.js";

/** What resolveImageDigest needs: the registries allowed, and how they are reached (as for a pull). */
export interface ResolveImageDigestOptions extends RegistryAccessOptions {
  /** `IMAGE_REGISTRIES`. */
  allowedRegistries: readonly string[];
}

/**
 * The digest a reference names now: a tag is looked up with a HEAD of its manifest (a GET where the registry names
 * no digest), with the same logins, insecure registries, proxy and timeouts as a pull; a reference with a digest
 * is answered without a request. For a multi-platform image it is the image index's digest.
 *
 * @example
 * await resolveImageDigest("nginx:1.25", { allowedRegistries: ["docker.io"] }); // "sha256:…"
 * @throws ImageError: `image_not_found`, `image_unauthorized`, `image_registry_unreachable`, `image_registry_not_allowed`…
 */
export async function resolveImageDigest(reference: string | ImageReference, options: ResolveImageDigestOptions): Promise<string> {
  const parsed = typeof reference === "string" ? parseImageReference(reference) : reference;
  if (parsed.digest !== undefined) return parsed.digest;
  const ref = allowedReference(parsed, options.allowedRegistries);
  const { client, close } = await openRegistry(ref, options);
  try {
    return await resolveManifestDigest(client, ref.tag ?? "latest");
  } finally {
    await close();
  }
}
