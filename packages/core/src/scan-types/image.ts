import { deleteImageUpload, findAdvisorySnapshot, findImageUpload, readImageUpload } from "@secapi/db";
import {
  type Advisory,
  type AnalysedImage,
  ImageError,
  ImageReferenceError,
  analyzeImageArchive,
  isRegistryAllowed,
  parseImageReference,
} from "@secapi/scanners";
import { z } from "zod";
import { InputRefusedError } from "../input-refused-error.js";
import { RunInputError } from "../run-input-error.js";
import type { ResolvedInput, ScanTypeDefinition } from "./scan-type.js";

/** What a client sends: an image by reference. Archives come through `POST /api/v1/scan/image` instead. */
export const imageInputSchema = z.object({ image: z.string().trim().min(1).max(512) }).strict();
export type ImageInput = z.infer<typeof imageInputSchema>;

/**
 * The canonical input of an image scan: the normalised reference, or the `sha256:` of an uploaded archive (which is
 * what equal uploads share). The run input of an upload also names the stored upload (`upload`, never hashed); once
 * a worker has read the image, the stored input carries its `analysis` and is re-run from it without reading again.
 */
export type ImageRunInput = ({ image: string } | { archive: string; upload?: string }) & { analysis?: AnalysedImage };

/** The reference parsed and normalised (`nginx` → `docker.io/library/nginx:latest`); a malformed one is refused (422). */
function referenceOf(text: string) {
  try {
    return parseImageReference(text);
  } catch (error) {
    if (error instanceof ImageReferenceError) throw new InputRefusedError(error.code, `Image reference: ${error.message}`);
    throw error;
  }
}

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
export const image: ScanTypeDefinition<ImageInput> = {
  name: "image",
  aliases: ["docker"],
  private: true,
  keepsInput: true,
  inputSchema: imageInputSchema,
  delegateTo: (raw) => (typeof raw === "object" && raw !== null && "sbom" in raw ? "sbom" : undefined),
  canonicalize: (input) => ({ image: referenceOf(input.image).canonical }),
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
    throw new InputRefusedError(
      "image_pull_unavailable",
      "Pulling an image by reference is not available in this build: send its archive (`docker save IMAGE`) to POST /api/v1/scan/image with Content-Type: application/x-tar",
    );
  },
  resolveInput: async ({ db, key, input, io }): Promise<ResolvedInput | null> => {
    const run = input as ImageRunInput;
    if (run.analysis !== undefined) return null;
    if (!("archive" in run))
      throw new RunInputError("image_pull_unavailable", "Pulling an image by reference is not available in this build");
    if (io === undefined || key.ownerId === null) throw new RunInputError("input_unresolved", "The image has not been read yet");
    const owner = { ownerId: key.ownerId, digest: run.archive };
    const upload = run.upload === undefined ? undefined : await findImageUpload(db, run.upload, owner);
    if (upload === undefined) {
      throw new RunInputError("image_upload_missing", "The uploaded archive is no longer stored; upload it again");
    }
    let analysis;
    try {
      analysis = await analyzeImageArchive(readImageUpload(db, upload.id), { workDir: await io.workDir(), maxBytes: io.image.maxBytes });
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      // Reading it again would fail the same way.
      await deleteImageUpload(db, upload.id);
      throw new RunInputError(error.code, error.message, { cause: error });
    }
    return {
      input: { archive: run.archive, analysis: { ...analysis, digest: analysis.digest ?? run.archive } },
      consumed: async () => {
        await deleteImageUpload(db, upload.id);
      },
    };
  },
  prepareRun: async (db, canonicalInput) => {
    const analysis = (canonicalInput as ImageRunInput | null)?.analysis;
    const snapshot = await findAdvisorySnapshot(db, Array.isArray(analysis?.packages) ? analysis.packages : []);
    return {
      task: { engine: "image", input: analysis, advisories: snapshot.advisories as Advisory[] },
      advisoryRevision: snapshot.revision,
    };
  },
};
