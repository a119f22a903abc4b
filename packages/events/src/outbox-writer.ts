import { type DbExecutor, type InputKey, type NewOutboxRow, insertOutboxRows } from "@secapi/db";
import { QUEUES, type QueueName } from "./queue-names.js";
import type { SecapiEvent } from "./event-schemas.js";
import { SCAN_JOB_NAME } from "./scan-job.js";

export interface OutboxMessage {
  queue: QueueName;
  name: string;
  jobId: string;
  payload: unknown;
}

/** Writes messages in the caller's transaction: they reach BullMQ if and only if the change commits. */
export async function writeOutbox(tx: DbExecutor, messages: readonly OutboxMessage[]): Promise<void> {
  await insertOutboxRows(tx, outboxRows(messages));
}

/** The outbox rows of messages, for a statement that writes them along with the change they announce. */
export function outboxRows(messages: readonly OutboxMessage[]): NewOutboxRow[] {
  return messages.map((m) => ({ queue: m.queue, job_name: m.name, job_id: m.jobId, payload: JSON.stringify(m.payload) }));
}

/** An event for queue `events`; its id is the job id, so a relayed twice event is one job. */
export function eventMessage(event: SecapiEvent): OutboxMessage {
  return { queue: QUEUES.events, name: event.type, jobId: event.id, payload: event };
}

/** A scan job for queue `scans`; `jobId` comes from scanRunJobId. */
export function scanJobMessage(job: InputKey, jobId: string): OutboxMessage {
  return { queue: QUEUES.scans, name: SCAN_JOB_NAME, jobId, payload: job };
}
