import {
  SCAN_TYPES,
  type ScanTypeDefinition,
  type SubmissionIo,
  type SubmissionPolicy,
  inputHash,
  inputKeyOf,
  resolveScanType,
  scanLabelsSchema,
  sealInput,
} from "@secapi/core";
import type { Config } from "@secapi/config";
import type { InputKey, ScanLabels } from "@secapi/db";
import { boundedMemo } from "@secapi/toolkit";
import { z } from "zod";
import { badRequest } from "../http/http-error.js";
import { parseOr400 } from "../http/validation.js";

const envelopeSchema = z.object({ type: z.string().min(1), input: z.unknown(), labels: z.unknown().optional() }).strict();

/** The scan type of a name or alias, or a 400 listing the supported ones. */
export function scanTypeOr400(name: string): ScanTypeDefinition {
  const type = resolveScanType(name);
  if (!type) {
    throw badRequest("unknown_scan_type", `Unknown scan type "${name}"; supported: ${Object.keys(SCAN_TYPES).join(", ")}`);
  }
  return type;
}

/** What the operator's configuration allows submissions (the image registries), for ScanTypeDefinition.admit. */
export function submissionPolicyOf(config: Config): SubmissionPolicy {
  return { imageRegistries: config.image.registries };
}

/** Where a submission's body came from: `POST /scans` (an envelope) or `POST /scan/:type` (the input itself). */
export interface SubmissionBody {
  body: unknown;
  /** The `:type` of `POST /scan/:type`; absent for the `{type, input}` envelope of `POST /scans`. */
  typeName?: string | undefined;
  /** The submitting user: the owner of a private type's input. */
  ownerId: string;
  /** What the operator allows (image registries); plain data, so that it crosses to a body thread. */
  policy: SubmissionPolicy;
}

/** A submission's body made ready for the route: its type, content address, and the sealed input a run needs. */
export interface PreparedSubmission {
  type: ScanTypeDefinition;
  key: InputKey;
  /** The submitter's labels (`{}` when none): stored on the scan, never part of the key. */
  labels: ScanLabels;
  /** The canonical input sealed for Postgres (AES-256-GCM), needed only when the submission starts a run. */
  sealed(): Buffer;
  /** The canonical input of a type that pins it (`pin`: an image tag to its digest), until pinSubmission has. */
  unpinned?: unknown;
  /** What the input names could not be looked up (pinSubmission): it runs as given and is never answered from the cache. */
  uncached?: true;
  /**
   * The hash of the input as submitted, before pinSubmission: what an Idempotency-Key stands for, so that a retry
   * is replayed even when the tag has moved since (the key's own hash otherwise).
   */
  submittedHash?: string;
}

/**
 * Validates a submission's body, computes its canonical form and content address, and seals it: everything a
 * submission costs before any I/O, as one pure step so that a large body can take it off the event loop.
 * Throws the API's errors (400 invalid, 422 unusable).
 */
export function prepareSubmission(submission: SubmissionBody, scanInputKey: Buffer): PreparedSubmission {
  let type: ScanTypeDefinition;
  let input: unknown;
  let labels: unknown;
  if (submission.typeName === undefined) {
    const envelope = parseOr400(envelopeSchema, submission.body, "request body");
    type = scanTypeOr400(envelope.type);
    input = envelope.input;
    labels = envelope.labels;
  } else {
    type = scanTypeOr400(submission.typeName);
    // `POST /scan/:type` takes the input as the body: its `labels` key, if any, is the labels (no input has one).
    ({ input, labels } = splitLabels(submission.body));
  }
  const scanLabels = labels === undefined ? {} : parseOr400(scanLabelsSchema, labels, "labels", "labels");
  const delegate = type.delegateTo?.(input);
  if (delegate !== undefined) type = scanTypeOr400(delegate);
  const canonicalInput = type.canonicalize(parseOr400(type.inputSchema, input, `${type.name} input`, "input"));
  type.admit?.(canonicalInput, submission.policy);
  const key: InputKey = inputKeyOf(type, submission.ownerId, inputHash(canonicalInput));
  return {
    type,
    key,
    labels: scanLabels,
    sealed: () => sealInput(scanInputKey, key, canonicalInput),
    ...(type.pin !== undefined && { unpinned: canonicalInput }),
  };
}

/**
 * A prepared submission whose type pins its input, pinned (an image tag looked up: its address is then the digest);
 * any other returned as it is. Throws what `pin` throws (InputRefusedError: 422).
 */
export async function pinSubmission(prepared: PreparedSubmission, io: SubmissionIo, scanInputKey: Buffer): Promise<PreparedSubmission> {
  const { type, unpinned } = prepared;
  if (type.pin === undefined || unpinned === undefined) return prepared;
  const pinned = await type.pin(unpinned, io);
  const key: InputKey = { ...prepared.key, inputHash: inputHash(pinned.address ?? pinned.input) };
  return {
    type,
    key,
    labels: prepared.labels,
    sealed: () => sealInput(scanInputKey, key, pinned.input),
    ...(!pinned.pinned && { uncached: true as const }),
    submittedHash: prepared.key.inputHash,
  };
}

/** Bodies up to this many bytes (Content-Length) are remembered with their preparation, the common repeat being small. */
export const REMEMBERED_BODY_BYTES = 4096;
/** Preparations remembered (the memo starts over past this): at most ~REMEMBERED_BODY_BYTES each. */
const REMEMBERED_SUBMISSIONS = 1000;

/**
 * `prepareSubmission` of small bodies, remembered per (type, owner, body) for one API's input key and policy: a
 * client that submits the same input again (the cached-result path) skips validation, canonicalisation and
 * hashing, about a fifth of such a request's CPU. A body is keyed by its JSON text, which equal bodies share; what
 * is handed out is frozen, since every repeat shares it. Errors are not remembered. `bodyBytes` is the request's
 * Content-Length: larger bodies are prepared every time.
 */
export function rememberingPreparations(
  scanInputKey: Buffer,
  policy: SubmissionPolicy,
): (submission: Omit<SubmissionBody, "policy">, bodyBytes: number) => PreparedSubmission {
  let pending: SubmissionBody | undefined;
  const remembered = boundedMemo(REMEMBERED_SUBMISSIONS, () => {
    const prepared = prepareSubmission(pending as SubmissionBody, scanInputKey);
    return Object.freeze({ ...prepared, key: Object.freeze(prepared.key), labels: Object.freeze(prepared.labels) });
  });
  return (submission, bodyBytes) => {
    const full = { ...submission, policy };
    if (!(bodyBytes <= REMEMBERED_BODY_BYTES)) return prepareSubmission(full, scanInputKey);
    const { typeName, ownerId, body } = submission;
    // The memo computes from `pending` on a miss: its key stands for exactly these arguments.
    pending = full;
    try {
      return remembered(`${typeName === undefined ? "-" : `:${typeName.length}:${typeName}`}\n${ownerId}\n${JSON.stringify(body)}`);
    } finally {
      pending = undefined;
    }
  };
}

function splitLabels(body: unknown): { input: unknown; labels: unknown } {
  if (body === null || typeof body !== "object" || Array.isArray(body) || !("labels" in body)) return { input: body, labels: undefined };
  const { labels, ...input } = body as Record<string, unknown>;
  return { input, labels };
}
