// Checks shared by the scripts: each names what a correct answer is, so a failed check says what went wrong.
import { check } from "k6";
import { Rate } from "k6/metrics";
import { bodyOf, header } from "./api.js";

const SCAN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A submission: 202 queued (with Location) or 200 cached and completed. Returns the scan, or undefined. */
export function checkSubmitted(response) {
  const scan = bodyOf(response);
  const ok = check(response, {
    "submit: 202 or 200": (r) => r.status === 202 || r.status === 200,
    "submit: a scan id": () => Boolean(scan && SCAN_ID.test(scan.id)),
    "submit: 202 has Location, 200 is a completed cached scan": (r) =>
      r.status === 202
        ? header(r, "Location") === `/api/v1/scans/${scan && scan.id}`
        : Boolean(scan && scan.status === "completed" && scan.cached),
  });
  return ok ? scan : undefined;
}

/** A read or poll of one scan: 200 with that scan. Returns the scan, or undefined. */
export function checkScanRead(response, id) {
  const scan = bodyOf(response);
  const ok = check(response, {
    "read: 200": (r) => r.status === 200,
    "read: the scan asked for": () => Boolean(scan && scan.id === id),
    "read: carries an ETag": (r) => Boolean(header(r, "ETag")),
  });
  return ok ? scan : undefined;
}

/**
 * Re-reads of a finished scan that answered an older state (200 `running` after a `completed` answer): the API's
 * scan view can lag its long poll (a known issue, tracked apart from `checks` so the summary shows how often).
 */
export const staleRereads = new Rate("secapi_stale_rereads");

/**
 * A re-read with If-None-Match of a finished scan: 304, no body. A 200 with the scan in an earlier state is
 * counted in `secapi_stale_rereads` instead of failing this check; any other answer fails it.
 */
export function checkNotModified(response, finished) {
  const scan = response.status === 200 ? bodyOf(response) : undefined;
  const stale = Boolean(scan && finished && scan.id === finished.id && scan.status !== finished.status);
  staleRereads.add(stale);
  if (stale) return false;
  return check(response, { "re-read with If-None-Match: 304": (r) => r.status === 304 && !r.body });
}

/** A finished scan: completed with a result summary. */
export function checkCompleted(scan) {
  return check(scan, { "scan: completed with a result": (s) => s.status === "completed" && Boolean(s.result && s.result.summary) });
}

/** GET /api/v1/scans: 200 with items. */
export function checkList(response) {
  const list = bodyOf(response);
  return check(response, { "list: 200 with items": (r) => r.status === 200 && Boolean(list && Array.isArray(list.items)) });
}

/** GET /api/v1/usage: 200 naming the tier and the three limits. */
export function checkUsage(response) {
  const usage = bodyOf(response);
  return check(response, {
    "usage: 200 with tier and limits": (r) =>
      r.status === 200 && Boolean(usage && usage.tier && usage.limits && usage.limits.requests_per_minute && usage.limits.scans_per_month),
  });
}
