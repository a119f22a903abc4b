import { type RunOutcome, keepsInputAfterRun, resolveScanType, storeScanResult } from "@secapi/core";
import {
  type Db,
  type FinishedRun,
  type InputKey,
  type ScanRow,
  deleteScanInput,
  lockNameForTransaction,
  finishRunScans,
  notifyChannel,
} from "@secapi/db";
import { SCAN_FINISHED_CHANNEL, createEvent, eventMessage, scanCoalescingKey, writeOutbox } from "@secapi/events";

/**
 * Records the end of a run in one transaction: the result, every in-flight scan of the run, a
 * `scan.completed`/`scan.failed` event per scan, `scan.findings_changed` when the result replaced one with other findings, a private input deleted, and a notification for waiting
 * polls. The advisory lock is the one submissions take, so a submission either joins this run before it
 * commits or sees it finished. A second delivery of the same job finds no scan in flight and changes nothing.
 */
export async function finishRun(db: Db, key: InputKey, jobId: string, outcome: RunOutcome): Promise<ScanRow[]> {
  const coalescingKey = scanCoalescingKey(key);
  return db.transaction().execute(async (tx) => {
    await lockNameForTransaction(tx, coalescingKey);
    const ended: FinishedRun =
      outcome.status === "completed"
        ? {
            status: "completed",
            // Replacing a result whose findings differ marks and announces the scans that showed the old one (not
            // this run's scans: they are attached below, with the new result).
            resultId: (await storeScanResult(tx, key, outcome.output.result, outcome.output.tags, outcome.basis)).resultId,
          }
        : outcome;
    const finished = await finishRunScans(tx, jobId, ended);
    if (finished.length === 0) return finished;
    const tags = outcome.status === "completed" ? outcome.output.tags : [];
    await writeOutbox(
      tx,
      finished.map((scan) =>
        eventMessage(
          createEvent(outcome.status === "completed" ? "scan.completed" : "scan.failed", {
            scanId: scan.id,
            userId: scan.user_id,
            type: key.scanType,
            inputHash: key.inputHash,
            tags,
          }),
        ),
      ),
    );
    // A private input may hold secrets: it goes as soon as it is scanned. A shared one (a package list), or an
    // image's analysed package set, is kept with its result, so the cache-worker can re-run it when advisories change.
    const type = resolveScanType(key.scanType);
    if (!(type ? keepsInputAfterRun(type) : key.ownerId === null)) await deleteScanInput(tx, key);
    await notifyChannel(tx, SCAN_FINISHED_CHANNEL, jobId);
    return finished;
  });
}
