// k6 load test: the hot paths of SecAPI under a realistic mix.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e API_KEY=sk_... load-tests/scan-lifecycle.js
// Use a business-tier key and, for a load test, raise its limits on the API:
//   TIER_LIMITS='{"business":{"requests_per_minute":1000000,"scans_per_hour":1000000,"scans_per_month":100000000}}'
import http from "k6/http";
import { check, sleep } from "k6";
import { Counter, Rate } from "k6/metrics";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8000";
const HEADERS = { Authorization: `Bearer ${__ENV.API_KEY}`, "Content-Type": "application/json" };

const cacheHits = new Rate("secapi_cache_hit");
const rateLimited = new Counter("secapi_rate_limited");

export const options = {
  scenarios: {
    // Clients that poll and re-read results: the cache's work.
    readers: { executor: "constant-vus", vus: 40, duration: "2m", exec: "reader" },
    // Clients that submit: a few distinct inputs, so most submissions are cache hits or coalesce.
    submitters: { executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "2m", preAllocatedVUs: 20, exec: "submitter" },
  },
  // Pass/fail targets: a run fails if any is crossed.
  thresholds: {
    "http_req_duration{scenario:readers}": ["p(95)<50", "p(99)<150"],
    "http_req_duration{scenario:submitters}": ["p(95)<200"],
    http_req_failed: ["rate<0.01"],
    secapi_cache_hit: ["rate>0.9"],
  },
};

const INPUTS = Array.from({ length: 20 }, (_, i) => ({
  type: "secrets",
  input: { files: [{ path: `service-${i}/.env`, content: `API_URL=https://example.com/${i}\nTOKEN=\${TOKEN}\n` }] },
}));

/** One scan per VU to re-read, created on first use. */
let scanId;

export function reader() {
  if (!scanId) {
    const created = http.post(`${BASE_URL}/api/v1/scans`, JSON.stringify(INPUTS[__VU % INPUTS.length]), { headers: HEADERS });
    scanId = created.json("id");
    http.get(`${BASE_URL}/api/v1/scans/${scanId}?wait=10`, { headers: HEADERS });
  }
  const response = http.get(`${BASE_URL}/api/v1/scans/${scanId}`, { headers: HEADERS });
  check(response, { "scan read": (r) => r.status === 200 || r.status === 304 });
  cacheHits.add(response.headers["X-Cache-Status"] === "HIT");
  if (response.status === 429) rateLimited.add(1);
  sleep(0.1);
}

export function submitter() {
  const body = INPUTS[Math.floor(Math.random() * INPUTS.length)];
  const response = http.post(`${BASE_URL}/api/v1/scans`, JSON.stringify(body), { headers: HEADERS });
  check(response, { "submitted or cached": (r) => r.status === 202 || r.status === 200 });
  if (response.status === 429) rateLimited.add(1);
}
