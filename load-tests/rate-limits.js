// k6 check of the limiter under concurrency: one free-tier key, many clients, for one minute.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e API_KEY=<free-tier key> load-tests/rate-limits.js
// Expect exactly the tier's requests_per_minute (20) admitted within the minute, however many API
// processes sit behind BASE_URL, every refusal a 429 carrying Retry-After and RateLimit headers.
import http from "k6/http";
import { check } from "k6";
import { Counter } from "k6/metrics";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8000";
const LIMIT = Number(__ENV.LIMIT || 20);
const admitted = new Counter("secapi_admitted");

export const options = {
  scenarios: { burst: { executor: "constant-vus", vus: 50, duration: "55s" } },
  thresholds: {
    // Exactly the limit within one window: no more (no leak across processes), no less.
    secapi_admitted: [`count==${LIMIT}`],
    "checks{check:refusal is a proper 429}": ["rate==1"],
  },
};

export default function () {
  const response = http.get(`${BASE_URL}/api/v1/scans?limit=1`, { headers: { Authorization: `Bearer ${__ENV.API_KEY}` } });
  if (response.status === 200) admitted.add(1);
  else {
    check(response, {
      "refusal is a proper 429": (r) => r.status === 429 && r.headers["Retry-After"] !== undefined && r.headers["Ratelimit-Policy"] !== undefined,
    });
  }
}
