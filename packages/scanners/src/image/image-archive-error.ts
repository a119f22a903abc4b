import { ImageError } from "./image-error.js";

/** The codes an archive's analysis fails with (see ImageErrorCode). */
export type ImageArchiveErrorCode = "image_too_large" | "image_archive_invalid" | "image_layer_unsupported";

/** An image archive that cannot be analysed; the message names the entry or layer at fault. */
export class ImageArchiveError extends ImageError {
  override readonly name: string = "ImageArchiveError";

  constructor(code: ImageArchiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
