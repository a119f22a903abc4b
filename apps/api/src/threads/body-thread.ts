import type { SubmissionPolicy } from "@secapi/core";
import type { AdvisoryRecord } from "@secapi/db";
import { HttpError } from "../http/http-error.js";
import { toHttpError } from "../middleware/error-handler.js";
import { parseAdvisoryBody } from "../advisories/advisory-body.js";
import { prepareSubmission } from "../scans/prepare-submission.js";

/** A large body to handle off the event loop: the raw JSON text and what it is for. */
export type BodyTask =
  | {
      kind: "submission";
      text: string;
      typeName?: string | undefined;
      ownerId: string;
      policy: SubmissionPolicy;
      scanInputKey: Uint8Array;
    }
  | { kind: "advisories"; text: string };

/** An expected failure as plain data (class instances do not cross threads). */
export interface ThreadHttpError {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

export type BodyOutcome =
  | {
      ok: true;
      kind: "submission";
      typeName: string;
      ownerId: string | null;
      inputHash: string;
      labels: Record<string, string>;
      sealed: Uint8Array;
      /** PreparedSubmission.unpinned: plain data, it crosses as it is. */
      unpinned?: unknown;
    }
  | { ok: true; kind: "advisories"; records: AdvisoryRecord[]; received: number }
  | { ok: false; error: ThreadHttpError };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "malformed_json", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Entry point of a BodyThreads worker thread: the same steps the route runs inline for small bodies. */
export default function bodyThread(task: BodyTask): BodyOutcome {
  try {
    const body = parseJson(task.text);
    if (task.kind === "advisories") return { ok: true, kind: "advisories", ...parseAdvisoryBody(body) };
    const prepared = prepareSubmission(
      { body, typeName: task.typeName, ownerId: task.ownerId, policy: task.policy },
      Buffer.from(task.scanInputKey),
    );
    const { scanType, ownerId, inputHash } = prepared.key;
    return {
      ok: true,
      kind: "submission",
      typeName: scanType,
      ownerId,
      inputHash,
      labels: prepared.labels,
      sealed: prepared.sealed(),
      ...(prepared.unpinned !== undefined && { unpinned: prepared.unpinned }),
    };
  } catch (error) {
    const known = toHttpError(error);
    if (!known) throw error;
    return {
      ok: false,
      error: { status: known.status, code: known.code, message: known.message, details: known.details, headers: known.headers },
    };
  }
}
