// The limiter under concurrency: one fresh free-tier user (created in setup()), 50 clients, for 55 s.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e BOOTSTRAP_ADMIN_KEY=<admin key> load-tests/rate-limits.js
// Expect exactly the tier's requests_per_minute (LIMIT, 20 for free) admitted within the minute, however many
// API processes sit behind BASE_URL, and every refusal a 429 with Retry-After and the RateLimit fields.
// (With API_KEY instead of an admin key, give a free-tier key unused for the last minute.)
import http from "k6/http";
import { check, sleep } from "k6";
import { Counter } from "k6/metrics";
import { ENDPOINTS, EXPECTED_STATUSES, apiClient, header } from "./lib/api.js";
import { envNumber, scaled } from "./lib/config.js";
import { SUMMARY_TREND_STATS, common, perEndpoint } from "./lib/thresholds.js";
import { createUsers, keyOf } from "./lib/users.js";
import { summaryWriter } from "./lib/summary.js";

// Here a 429 is an answer, not a failed request.
http.setResponseCallback(http.expectedStatuses(...EXPECTED_STATUSES, 429));

const LIMIT = envNumber("LIMIT", 20);
const admitted = new Counter("secapi_admitted");
const refused = new Counter("secapi_refused");

export const options = {
  // 55 s: the whole run fits in one sliding minute, so nothing is re-admitted.
  scenarios: { burst: { executor: "constant-vus", vus: envNumber("VUS", 50), duration: scaled(55) } },
  thresholds: Object.assign(common({ checksRate: 1, failedRate: 0.001 }), perEndpoint({ [ENDPOINTS.listScans]: ["p(95)<750"] }), {
    // Exactly the limit within one window: no more (no leak across processes or requests), no less.
    secapi_admitted: [`count==${LIMIT}`],
    secapi_refused: ["count>0"],
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  return { keys: createUsers(1, "free", "rate-limits") };
}

export default function (data) {
  const response = apiClient(keyOf(data)).listScans(1);
  if (response.status === 200) admitted.add(1);
  else {
    refused.add(1);
    check(response, {
      "refusal is a 429 with Retry-After, RateLimit-Policy and the rate_limited code": (r) =>
        r.status === 429 &&
        header(r, "Retry-After") !== undefined &&
        header(r, "RateLimit-Policy") !== undefined &&
        r.json("code") === "rate_limited",
    });
  }
  sleep(0.1);
}

export const handleSummary = summaryWriter("rate-limits");
