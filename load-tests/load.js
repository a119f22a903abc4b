// Load test: clients ramp up to 100 (default) and each repeats the whole journey with a dependency list:
// submit → poll (?wait long poll) → re-read with If-None-Match (304) → list → usage, then thinks for a second.
// Inputs are Zipf-distributed over 1,000 package lists: a few lockfiles very often, most rarely.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e BOOTSTRAP_ADMIN_KEY=<admin key> load-tests/load.js
// The API needs TIER_LIMITS raising the business tier (README), or the run measures 429s.
import http from "k6/http";
import { sleep } from "k6";
import { EXPECTED_STATUSES, ENDPOINTS, apiClient } from "./lib/api.js";
import { envNumber, scaled } from "./lib/config.js";
import { dependencyJourney } from "./lib/flows.js";
import { LIST_COUNT, dependencyList, newSalt, zipfSampler } from "./lib/inputs.js";
import { SUMMARY_TREND_STATS, common, perEndpoint } from "./lib/thresholds.js";
import { createUsers, keyOf } from "./lib/users.js";
import { summaryWriter } from "./lib/summary.js";

http.setResponseCallback(http.expectedStatuses(...EXPECTED_STATUSES));

const PEAK_VUS = envNumber("VUS", 100);
const pickList = zipfSampler(LIST_COUNT, envNumber("ZIPF_S", 1));

export const options = {
  scenarios: {
    load: {
      executor: "ramping-vus",
      startVUs: 0,
      // A staged ramp (no thundering start), a plateau at the peak, and a ramp down: 7 min at TIME_SCALE=1.
      stages: [
        { duration: scaled(60), target: Math.ceil(PEAK_VUS / 5) },
        { duration: scaled(120), target: PEAK_VUS },
        { duration: scaled(180), target: PEAK_VUS },
        { duration: scaled(60), target: 0 },
      ],
      gracefulRampDown: "30s",
    },
  },
  // Targets a shared, loaded 2-core machine meets with k6, the api, a scan-worker, a cache-worker, Postgres and
  // Redis all on it: at 100 VUs that host is saturated (~30–150 requests/s with the neighbours' load), so these
  // bound a saturated API's latency, not a healthy one's. Each is about 1.4× the worst p95/p99 of the runs in
  // docs/PERFORMANCE.md (load average 25–50). Tighten them on a dedicated host.
  thresholds: Object.assign(
    common({ checksRate: 0.99, failedRate: 0.01, staleRereads: true }),
    perEndpoint({
      [ENDPOINTS.submitDependencies]: ["p(95)<10000", "p(99)<12000"],
      [ENDPOINTS.getScan]: ["p(95)<5500", "p(99)<6500"],
      [ENDPOINTS.listScans]: ["p(95)<5000", "p(99)<6000"],
      [ENDPOINTS.usage]: ["p(95)<4000", "p(99)<5000"],
      // Long polls wait for the scan by design: bounded only by the queue keeping up.
      [ENDPOINTS.waitScan]: ["p(95)<7500"],
    }),
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  return { keys: createUsers(envNumber("USERS", 20), "business", "load"), salt: newSalt() };
}

export default function (data) {
  dependencyJourney(apiClient(keyOf(data)), dependencyList(pickList(), data.salt));
  sleep(1);
}

export const handleSummary = summaryWriter("load");
