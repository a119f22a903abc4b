// The hot paths under a realistic mix: readers re-reading their scans (the cache's work) while submitters send
// a few distinct inputs at a steady rate (most answered from cache or coalesced).
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e BOOTSTRAP_ADMIN_KEY=<admin key> load-tests/scan-lifecycle.js
// The API needs TIER_LIMITS raising the business tier (README).
// Readers ramp up in stages (a thundering start measures connection set-up, not the API); a reader's first
// long poll is tagged apart (long_poll) and never counts in the readers' latency; re-reads are conditional
// (If-None-Match → 304); a failed create is retried next iteration, never followed by /scans/undefined.
import http from "k6/http";
import { check, sleep } from "k6";
import { Rate } from "k6/metrics";
import { EXPECTED_STATUSES, ENDPOINTS, apiClient, header } from "./lib/api.js";
import { checkNotModified, checkSubmitted } from "./lib/checks.js";
import { envNumber, scaled } from "./lib/config.js";
import { waitUntilDone } from "./lib/flows.js";
import { newSalt, secretsInput } from "./lib/inputs.js";
import { SUMMARY_TREND_STATS, common, perEndpoint } from "./lib/thresholds.js";
import { createUsers } from "./lib/users.js";
import { summaryWriter } from "./lib/summary.js";

http.setResponseCallback(http.expectedStatuses(...EXPECTED_STATUSES));

const READERS = envNumber("READERS", 40);
const SUBMIT_RATE = envNumber("SUBMIT_RATE", 50);
const INPUTS = 20;
const cacheHits = new Rate("secapi_cache_hit");
const submissionsCached = new Rate("secapi_submission_cached");

export const options = {
  scenarios: {
    readers: {
      executor: "ramping-vus",
      exec: "reader",
      startVUs: 0,
      stages: [
        { duration: scaled(30), target: READERS },
        { duration: scaled(90), target: READERS },
        { duration: scaled(10), target: 0 },
      ],
      gracefulRampDown: "15s",
    },
    submitters: {
      executor: "ramping-arrival-rate",
      exec: "submitter",
      startRate: 1,
      timeUnit: "1s",
      preAllocatedVUs: 10,
      // Room for the rate at this latency; k6 counts an iteration it had no VU for in dropped_iterations.
      maxVUs: envNumber("MAX_VUS", 100),
      stages: [
        { duration: scaled(30), target: SUBMIT_RATE },
        { duration: scaled(90), target: SUBMIT_RATE },
        { duration: scaled(10), target: 0 },
      ],
    },
  },
  // Targets for a shared, loaded 2-core host running k6 and the whole stack (docs/PERFORMANCE.md).
  thresholds: Object.assign(
    common({ checksRate: 0.99, failedRate: 0.01, dropped: 0 }),
    perEndpoint({ [ENDPOINTS.submitScan]: ["p(95)<1500"], [ENDPOINTS.waitScan]: ["p(95)<10000"] }),
    {
      // The readers' re-reads only: long polls carry long_poll:true and their own name.
      "http_req_duration{scenario:readers,long_poll:false}": ["p(95)<1000", "p(99)<2000"],
      "http_req_duration{scenario:submitters}": ["p(95)<1500"],
      secapi_cache_hit: ["rate>0.9"],
      secapi_submission_cached: ["rate>0.8"],
    },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  // Readers share a few users; the submitters are one user (secrets results are private to their owner).
  return { readerKeys: createUsers(envNumber("USERS", 10), "business", "lifecycle-r"), submitterKey: createUsers(1, "business", "lifecycle-s")[0], salt: newSalt() };
}

/** This reader VU's finished scan (id, ETag, state), created on first use. */
let mine;

export function reader(data) {
  const client = apiClient(data.readerKeys[__VU % data.readerKeys.length]);
  if (!mine) {
    const scan = checkSubmitted(client.submitScan("secrets", secretsInput(`reader-${data.salt}-${__VU}`)));
    if (!scan) {
      sleep(1);
      return;
    }
    const done = waitUntilDone(client, scan.id);
    if (!done) return;
    mine = { id: scan.id, etag: done.etag, scan: done.scan };
  }
  const response = client.getScan(mine.id, mine.etag);
  checkNotModified(response, mine.scan);
  cacheHits.add(header(response, "X-Cache-Status") === "HIT");
  sleep(0.5);
}

export function submitter(data) {
  const client = apiClient(data.submitterKey);
  const response = client.submitScan("secrets", secretsInput(`submit-${data.salt}-${Math.floor(Math.random() * INPUTS)}`));
  const scan = checkSubmitted(response);
  if (scan) submissionsCached.add(response.status === 200 && scan.cached === true);
  check(response, { "submit: not rate limited": (r) => r.status !== 429 });
}

export const handleSummary = summaryWriter("scan-lifecycle");
