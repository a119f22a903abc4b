import { createReadStream } from "node:fs";
import { archiveInput, image, inputHash, inputKeyOf, sealInput } from "@secapi/core";
import { type Db, type ScanLabels, deleteImageUpload, storeImageUpload } from "@secapi/db";
import type { Logger } from "pino";
import type { SubmissionPayload } from "./answer-submission.js";
import type { PreparedSubmission } from "./prepare-submission.js";
import type { ReceivedArchive } from "./receive-archive.js";

/** An upload older than this was not read by any run (its run failed for good, or a process died before submitting). */
export const ORPHANED_UPLOAD_SECONDS = 24 * 3600;

/** An archive upload as a submission: addressed by the archive's hash, with its bytes as the run's payload. */
export interface ArchiveSubmission {
  prepared: PreparedSubmission;
  payload: SubmissionPayload;
}

/**
 * Prepares `POST /api/v1/scan/image` with an archive body as an `image` submission. Equal archives of one user
 * share one content address (`{archive: "sha256:…"}`), so a repeat is answered from the cache without storing
 * anything. When a run is needed, the archive goes to Postgres in chunks (the API and the workers may run on
 * different machines), and the run's sealed input names that upload.
 */
export function prepareArchiveSubmission(
  deps: { db: Db; scanInputKey: Buffer; log: Logger },
  archive: ReceivedArchive,
  ownerId: string,
  labels: ScanLabels,
): ArchiveSubmission {
  const key = inputKeyOf(image, ownerId, inputHash(archiveInput(archive.digest)));
  let uploadId: string | undefined;
  const prepared: PreparedSubmission = {
    type: image,
    key,
    labels,
    sealed: () => {
      if (uploadId === undefined) throw new Error("an archive submission was sealed before its archive was stored");
      return sealInput(deps.scanInputKey, key, { ...archiveInput(archive.digest), upload: uploadId });
    },
  };
  const payload: SubmissionPayload = {
    store: async () => {
      uploadId = (await storeImageUpload(deps.db, { ownerId, digest: archive.digest }, createReadStream(archive.file))).id;
    },
    discard: async () => {
      if (uploadId === undefined) return;
      const id = uploadId;
      uploadId = undefined;
      // Left behind, it is swept with the other orphans.
      await deleteImageUpload(deps.db, id).catch((error: unknown) =>
        deps.log.warn({ err: error }, "could not delete an unused image upload"),
      );
    },
  };
  return { prepared, payload };
}
