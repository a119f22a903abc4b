import { type DbExecutor, type InputKey, type ResultBasis, lockStoredResult, markFindingsChanged, upsertScanResult } from "@secapi/db";
import { createEvent, eventMessage, type EventOf, writeOutbox } from "@secapi/events";
import { diffFindings } from "./finding-changes.js";

export interface StoredScanResult {
  resultId: string;
  /** Announced in the same transaction when the result replaced one with other findings that scans showed. */
  findingsChanged?: EventOf<"scan.findings_changed">;
}

/**
 * Stores (or replaces) the result of an input, inside the caller's transaction. When it replaces a result with
 * different vulnerability findings, the completed scans that showed the old one are marked (`findings_changed_at`)
 * and `scan.findings_changed` goes to the outbox with them: the change and its announcement commit together, and a
 * replacement that changes nothing announces nothing (so a re-run repeated after a redelivery stays quiet).
 */
export async function storeScanResult(
  tx: DbExecutor,
  key: InputKey,
  result: unknown,
  tags: readonly string[],
  basis: ResultBasis,
  now: Date = new Date(),
): Promise<StoredScanResult> {
  const previous = await lockStoredResult(tx, key);
  const resultId = await upsertScanResult(tx, key, result, tags, basis);
  if (!previous) return { resultId };
  const { added, removed } = diffFindings(previous.result, result);
  if (added.length === 0 && removed.length === 0) return { resultId };
  const scans = await markFindingsChanged(tx, resultId, now);
  if (scans.length === 0) return { resultId };
  const event = createEvent(
    "scan.findings_changed",
    { scanIds: scans.map((s) => s.id), userIds: [...new Set(scans.map((s) => s.user_id))], added, removed },
    now,
  );
  await writeOutbox(tx, [eventMessage(event)]);
  return { resultId, findingsChanged: event };
}
