/**
 * Why an image cannot be read, as a stable code a scan's `error.code` carries:
 * - `image_reference_invalid`: the reference does not follow the distribution reference grammar.
 * - `image_registry_not_allowed`: the reference names a registry outside `IMAGE_REGISTRIES`.
 * - `image_registry_unreachable`: connection refused, DNS, TLS, timeouts, or the registry kept answering 5xx.
 * - `image_not_found`: the registry has no such repository, tag, digest or blob.
 * - `image_unauthorized`: the registry refused the (anonymous or configured) credentials.
 * - `image_too_large`: the image, an archive, or what its layers expand to is over `IMAGE_MAX_BYTES`.
 * - `image_manifest_invalid`: a manifest or index that cannot be read, or bytes that do not match their digest.
 * - `image_platform_not_found`: an image index without the requested platform.
 * - `image_archive_invalid`: not a `docker save` / OCI image-layout tar, or one whose manifests, blobs or digests disagree.
 * - `image_layer_unsupported`: a layer in a compression or format this scanner does not read (bzip2, xz).
 */
export type ImageErrorCode =
  | "image_reference_invalid"
  | "image_registry_not_allowed"
  | "image_registry_unreachable"
  | "image_not_found"
  | "image_unauthorized"
  | "image_too_large"
  | "image_manifest_invalid"
  | "image_platform_not_found"
  | "image_archive_invalid"
  | "image_layer_unsupported";

/** Any image that cannot be pulled or analysed; `code` is stable, the message names what is at fault. */
export class ImageError extends Error {
  override readonly name: string = "ImageError";

  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
