import { availableParallelism } from "node:os";
import { resolveScanType } from "@secapi/core";
import type { AdvisoryRecord } from "@secapi/db";
import { Piscina } from "piscina";
import { HttpError } from "../http/http-error.js";
import type { PreparedSubmission, SubmissionBody } from "../scans/prepare-submission.js";
import type { BodyOutcome, BodyTask } from "./body-thread.js";

// The compiled thread entry beside this module; when the TypeScript sources run (tests), the build's copy.
const entry = new URL("./body-thread.js", import.meta.url).href.replace(/\/src\/threads\/body-thread\.js$/, "/dist/threads/body-thread.js");

/**
 * Worker threads for large request bodies: parsing, validating, canonicalising, hashing and sealing a 5 MB
 * input (or 10,000 advisories) takes the best part of a second of CPU, during which every other request —
 * `/health` included — would wait. Small bodies stay on the event loop: a thread hop would cost more.
 */
export class BodyThreads {
  private readonly pool: Piscina;

  constructor(options: { threads?: number } = {}) {
    this.pool = new Piscina({
      filename: entry,
      minThreads: 0,
      maxThreads: options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
      idleTimeout: 60_000,
    });
  }

  /** prepareSubmission on a thread, for a body still in its JSON text. */
  async prepareSubmission(text: string, submission: Omit<SubmissionBody, "body">, scanInputKey: Buffer): Promise<PreparedSubmission> {
    const outcome = await this.run({
      kind: "submission",
      text,
      typeName: submission.typeName,
      ownerId: submission.ownerId,
      policy: submission.policy,
      scanInputKey,
    });
    if (outcome.kind !== "submission") throw new Error("a submission task answered as another kind");
    const type = resolveScanType(outcome.typeName);
    if (!type) throw new Error(`the thread resolved an unknown scan type ${outcome.typeName}`);
    const sealed = Buffer.from(outcome.sealed.buffer, outcome.sealed.byteOffset, outcome.sealed.byteLength);
    return {
      type,
      key: { scanType: outcome.typeName, ownerId: outcome.ownerId, inputHash: outcome.inputHash },
      labels: outcome.labels,
      sealed: () => sealed,
      ...(outcome.unpinned !== undefined && { unpinned: outcome.unpinned }),
    };
  }

  /** parseAdvisoryBody on a thread, for a body still in its JSON text. */
  async parseAdvisoryBody(text: string): Promise<{ records: AdvisoryRecord[]; received: number }> {
    const outcome = await this.run({ kind: "advisories", text });
    if (outcome.kind !== "advisories") throw new Error("an advisories task answered as another kind");
    return { records: outcome.records, received: outcome.received };
  }

  private async run(task: BodyTask): Promise<Exclude<BodyOutcome, { ok: false }>> {
    const outcome = (await this.pool.run(task)) as BodyOutcome;
    if (!outcome.ok) {
      const { status, code, message, details, headers } = outcome.error;
      throw new HttpError(status, code, message, details, headers);
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
