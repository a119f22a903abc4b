/**
 * Why an image archive cannot be analysed, as a stable code:
 * - `image_too_large`: the archive, or what its layers expand to, is over the configured bound.
 * - `image_archive_invalid`: not a `docker save` / OCI image-layout tar, or one whose manifests, blobs or digests disagree.
 * - `image_layer_unsupported`: a layer in a compression or format this scanner does not read (bzip2, xz).
 */
export type ImageArchiveErrorCode = "image_too_large" | "image_archive_invalid" | "image_layer_unsupported";

/** An image archive that cannot be analysed; the message names the entry or layer at fault. */
export class ImageArchiveError extends Error {
  override readonly name = "ImageArchiveError";

  constructor(
    readonly code: ImageArchiveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
