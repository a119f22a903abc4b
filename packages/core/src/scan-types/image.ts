import { deleteImageUpload, findImageUpload, readImageUpload } from "@secapi/db";
import {
  type AnalysedImage,
  DEFAULT_PLATFORM,
  ImageError,
  ImageReferenceError,
  type ImageAnalysis,
  analyzeImageArchive,
  analyzeImageReference,
  isRegistryAllowed,
  parseImageReference,
} from "@secapi/scanners";
import { z } from "zod";
import { InputRefusedError } from "../input-refused-error.js";
import { RetryableRunError } from "../retryable-run-error.js";
import { RunInputError } from "../run-input-error.js";
import { advisoryCacheFor } from "./package-run.js";
import type { PinnedInput, ResolvedInput, ScanTypeDefinition, SubmissionIo } from "./scan-type.js";

/** `os/architecture[/variant]` as image indexes name platforms (`linux/amd64`, `linux/arm64/v8`), lower case. */
const PLATFORM = /^[a-z0-9][a-z0-9._-]{0,31}\/[a-z0-9][a-z0-9._-]{0,31}(?:\/[a-z0-9][a-z0-9._-]{0,31})?$/;

/** What a client sends: an image by reference. Archives come through `POST /api/v1/scan/image` instead. */
export const imageInputSchema = z
  .object({
    image: z.string().trim().min(1).max(512),
    platform: z.string().trim().toLowerCase().regex(PLATFORM, "os/architecture[/variant], e.g. linux/arm64 or linux/arm/v7").optional(),
  })
  .strict();
export type ImageInput = z.infer<typeof imageInputSchema>;

/**
 * The canonical input of an image scan: by reference, `registry/repository@sha256:…` (the digest its tag named at
 * submission, see `pin`) and the platform; or the `sha256:` of an uploaded archive (which is what equal uploads
 * share). Never hashed: a pinned reference's `reference` (as submitted, with the digest it named: shown in the
 * result), an upload's `upload` (the stored archive). Once a worker has read the image, the stored input carries
 * its `analysis` and is re-run from it without reading again.
 */
export type ImageRunInput = ({ image: string; platform?: string; reference?: string } | { archive: string; upload?: string }) & {
  analysis?: AnalysedImage;
};

/** The reference parsed and normalised (`nginx` → `docker.io/library/nginx:latest`); a malformed one is refused (422). */
function referenceOf(text: string) {
  try {
    return parseImageReference(text);
  } catch (error) {
    if (error instanceof ImageReferenceError) throw new InputRefusedError(error.code, `Image reference: ${error.message}`);
    throw error;
  }
}

/**
 * A reference pinned to the digest it names now: the address is `registry/repository@sha256:…` and the platform,
 * so every reference to one image (its tags, its digest) shares one result and a tag that moves on gets a new one.
 * A registry that does not answer leaves the reference as given: the worker resolves it when the scan runs.
 */
async function pinReference(canonical: { image: string; platform: string }, io: SubmissionIo): Promise<PinnedInput> {
  const reference = referenceOf(canonical.image);
  let digest: string | undefined;
  try {
    digest = reference.digest ?? (await io.imageDigest(reference.canonical));
  } catch (error) {
    // The same code the scan would fail with, at once.
    if (error instanceof ImageError) throw new InputRefusedError(error.code, `Image ${reference.canonical}: ${error.message}`);
    throw error;
  }
  if (digest === undefined) return { input: canonical, pinned: false };
  const address = { image: `${reference.registry}/${reference.repository}@${digest}`, platform: canonical.platform };
  const named = reference.tag === undefined ? address.image : `${reference.registry}/${reference.repository}:${reference.tag}@${digest}`;
  return { input: { ...address, reference: named }, address, pinned: true };
}

/** Image errors that may pass: retried with back-off, then the scan fails with their code. */
const RETRYABLE_IMAGE_ERRORS = new Set(["image_registry_unreachable"]);

/** Runs an analysis, turning its ImageErrors into run failures: permanent ones (after `onPermanent`) or retryable ones. */
async function readImage(analyze: () => Promise<ImageAnalysis>, onPermanent?: () => Promise<void>): Promise<ImageAnalysis> {
  try {
    return await analyze();
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    if (RETRYABLE_IMAGE_ERRORS.has(error.code)) throw new RetryableRunError(error.code, error.message, { cause: error });
    await onPermanent?.();
    throw new RunInputError(error.code, error.message, { cause: error });
  }
}

/** The media type of an image archive upload (`docker save` or OCI image layout, optionally gzipped). */
export const IMAGE_ARCHIVE_MEDIA_TYPE = "application/x-tar";

/** The canonical input of an uploaded archive, whose hash addresses it. */
export function archiveInput(digest: string): { archive: string } {
  return { archive: digest };
}

/**
 * A container image: its OS and language packages, matched like dependencies, each finding naming the layer that
 * introduced its package. Private: an image may be private, so results and jobs are scoped by owner; but the input
 * is kept (sealed) with its result as the analysed package set, so that an advisory change re-runs it without
 * pulling or uploading again.
 */
export const image: ScanTypeDefinition<ImageInput, "image"> = {
  name: "image",
  aliases: ["docker"],
  private: true,
  keepsInput: true,
  inputSchema: imageInputSchema,
  delegateTo: (raw) => (typeof raw === "object" && raw !== null && "sbom" in raw ? "sbom" : undefined),
  canonicalize: (input) => ({ image: referenceOf(input.image).canonical, platform: input.platform ?? DEFAULT_PLATFORM }),
  admit: (canonicalInput, policy) => {
    const { image } = canonicalInput as { image?: string };
    if (image === undefined) return;
    const reference = referenceOf(image);
    if (!isRegistryAllowed(reference, policy.imageRegistries)) {
      throw new InputRefusedError(
        "image_registry_not_allowed",
        `Registry ${reference.registry} is not one an image may be pulled from; allowed (IMAGE_REGISTRIES): ${policy.imageRegistries.join(", ")}`,
      );
    }
  },
  pin: async (canonicalInput, io) => {
    const input = canonicalInput as { image?: string; platform?: string };
    if (input.image === undefined) return { input: canonicalInput, pinned: true };
    return pinReference({ image: input.image, platform: input.platform ?? DEFAULT_PLATFORM }, io);
  },
  resolveInput: async ({ db, key, input, io }): Promise<ResolvedInput | null> => {
    const run = input as ImageRunInput;
    if (run.analysis !== undefined) return null;
    if (io === undefined || key.ownerId === null) throw new RunInputError("input_unresolved", "The image has not been read yet");
    const { maxBytes, registries, insecureRegistries, layerStore, maxBinaryBytes, proxy } = io.image;
    const bounds = {
      workDir: await io.workDir(),
      maxBytes,
      ...(layerStore !== undefined && { layerStore }),
      ...(maxBinaryBytes !== undefined && { maxBinaryBytes }),
    };
    if ("image" in run) {
      // Inputs stored before platforms were chosen have none: they were pulled as the default.
      const platform = run.platform ?? DEFAULT_PLATFORM;
      const analysis = await readImage(() =>
        analyzeImageReference(run.image, {
          ...bounds,
          allowedRegistries: registries,
          insecureRegistries,
          platform,
          ...(proxy !== undefined && { proxy }),
        }),
      );
      const pulled = { digest: analysis.digest ?? run.image, reference: run.reference ?? run.image, platform };
      return { input: { ...run, analysis: { ...analysis, ...pulled } } };
    }
    const owner = { ownerId: key.ownerId, digest: run.archive };
    const upload = run.upload === undefined ? undefined : await findImageUpload(db, run.upload, owner);
    if (upload === undefined) {
      throw new RunInputError("image_upload_missing", "The uploaded archive is no longer stored; upload it again");
    }
    const deleteUpload = async () => {
      await deleteImageUpload(db, upload.id);
    };
    // Reading it again would fail the same way: the upload goes with the failure.
    const analysis = await readImage(() => analyzeImageArchive(readImageUpload(db, upload.id), bounds), deleteUpload);
    return { input: { archive: run.archive, analysis: { ...analysis, digest: analysis.digest ?? run.archive } }, consumed: deleteUpload };
  },
  engine: "image",
  prepareRun: async (db, canonicalInput) => {
    const analysis = (canonicalInput as ImageRunInput | null)?.analysis;
    // The process's advisory cache, as package scans use it: advisories read before are reused while unchanged.
    const snapshot = await advisoryCacheFor(db).snapshot(db, Array.isArray(analysis?.packages) ? analysis.packages : []);
    return {
      task: { engine: "image", input: analysis, advisories: snapshot.advisories },
      advisoryRevision: snapshot.revision,
    };
  },
  docs: {
    examples: {
      reference: {
        summary: "An image pulled from its registry by reference (a tag, or a digest for an exact image)",
        value: { image: "nginx:1.24" },
      },
      platform: {
        summary: "One platform of a multi-platform image (default linux/amd64), here pinned by the image index's digest",
        value: { image: `nginx@sha256:${"0".repeat(64)}`, platform: "linux/arm64" },
      },
    },
    upload: {
      mediaType: IMAGE_ARCHIVE_MEDIA_TYPE,
      summary: "Scan a container image: its archive as the body, or a reference as JSON",
      description:
        `With \`Content-Type: ${IMAGE_ARCHIVE_MEDIA_TYPE}\`, the body is a \`docker save\` or OCI image-layout archive (optionally ` +
        "gzipped), at most IMAGE_MAX_BYTES (413 beyond): it is addressed by its sha256 and private to the caller, so " +
        "uploading the same archive again is answered from the cached result (200, nothing stored). Otherwise the archive " +
        'is stored for the scan-worker and the scan runs (202). With JSON, `{"image": "<reference>", "platform"?: "linux/arm64"}` ' +
        "pulls the image from a registry in IMAGE_REGISTRIES (422 `image_registry_not_allowed` otherwise); a tag is looked up " +
        "at submission and the scan is of the digest it names (422 `image_not_found` / `image_unauthorized` when the registry " +
        'says so; queued by the tag, uncached, when it does not answer); `{"image", "sbom"}` is an `sbom` scan. ' +
        "Labels of an archive scan go in the query (`?label.project=web`). A failed run's `error.code`: " +
        "`image_archive_invalid`, `image_too_large`, `image_layer_unsupported`, `image_upload_missing`; by reference also " +
        "`image_not_found`, `image_unauthorized`, `image_manifest_invalid`, `image_platform_not_found`, `image_registry_unreachable`.",
    },
  },
};
