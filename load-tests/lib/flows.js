// The client journey the scenarios repeat: submit → poll (long poll) → re-read with If-None-Match → list → usage.
import { header } from "./api.js";
import { checkCompleted, checkList, checkNotModified, checkScanRead, checkSubmitted, checkUsage } from "./checks.js";

/** Long-poll length (s) and how many long polls a journey makes before giving up on a scan. */
const WAIT_SECONDS = 10;
const MAX_POLLS = 6;

/**
 * Polls `id` with `?wait` until it finishes; returns `{scan, etag}` of the finished scan, or undefined (a failed
 * read or a scan still unfinished after MAX_POLLS polls, which the check reports).
 */
export function waitUntilDone(client, id) {
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const response = client.waitScan(id, WAIT_SECONDS);
    const scan = checkScanRead(response, id);
    if (!scan) return undefined;
    if (scan.status === "completed" || scan.status === "failed") return { scan, etag: header(response, "ETag") };
  }
  checkCompleted({ status: "still running" });
  return undefined;
}

/**
 * One journey of a client with a dependency list: submit it; poll until done (a cached answer is done at once
 * and is read plainly for its ETag); re-read it conditionally (304); list the caller's scans; read usage.
 * Never requests a scan it has no id for.
 */
export function dependencyJourney(client, input) {
  const scan = checkSubmitted(client.submitDependencies(input));
  if (!scan) return;
  let done;
  if (scan.status === "completed") {
    const response = client.getScan(scan.id);
    const read = checkScanRead(response, scan.id);
    done = read && { scan: read, etag: header(response, "ETag") };
  } else {
    done = waitUntilDone(client, scan.id);
  }
  if (!done) return;
  checkCompleted(done.scan);
  checkNotModified(client.getScan(scan.id, done.etag), done.scan);
  checkList(client.listScans(20));
  checkUsage(client.usage());
}
