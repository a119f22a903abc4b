// Soak test: a steady, moderate load for a long time (DURATION, default 30m) to find what only time shows:
// memory that grows, pools or queues that leak, latency that creeps. A monitor scenario reads the API's
// resident memory from its /metrics every 10 s (secapi_api_rss_mb: compare min and max in the summary).
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e BOOTSTRAP_ADMIN_KEY=<admin key> -e DURATION=2h load-tests/soak.js
import http from "k6/http";
import { sleep } from "k6";
import { Trend } from "k6/metrics";
import { EXPECTED_STATUSES, ENDPOINTS, apiClient } from "./lib/api.js";
import { BASE_URL, envNumber, parseDuration, scaled } from "./lib/config.js";
import { dependencyJourney } from "./lib/flows.js";
import { LIST_COUNT, dependencyList, newSalt, zipfSampler } from "./lib/inputs.js";
import { SUMMARY_TREND_STATS, common, perEndpoint } from "./lib/thresholds.js";
import { createUsers, keyOf } from "./lib/users.js";
import { summaryWriter } from "./lib/summary.js";

http.setResponseCallback(http.expectedStatuses(...EXPECTED_STATUSES));

const DURATION = __ENV.DURATION ? `${parseDuration(__ENV.DURATION)}s` : scaled(30 * 60);
const pickList = zipfSampler(LIST_COUNT, envNumber("ZIPF_S", 1));
const apiRss = new Trend("secapi_api_rss_mb");

export const options = {
  scenarios: {
    soak: { executor: "constant-vus", vus: envNumber("VUS", 20), duration: DURATION, exec: "journey" },
    monitor: {
      executor: "constant-arrival-rate",
      rate: 1,
      timeUnit: "10s",
      duration: DURATION,
      preAllocatedVUs: 1,
      maxVUs: 2,
      exec: "monitor",
    },
  },
  thresholds: Object.assign(
    common({ checksRate: 0.99, failedRate: 0.01, staleRereads: true }),
    perEndpoint({
      // 20 clients are well within this host's capacity, but its neighbours' load stretches every tail (p50s
      // 75–320 ms, p95s 1.3–2.2 s at a load average of 30–50): about 1.5× the worst runs.
      [ENDPOINTS.submitDependencies]: ["p(95)<3500"],
      [ENDPOINTS.getScan]: ["p(95)<2500"],
      [ENDPOINTS.listScans]: ["p(95)<2500"],
      [ENDPOINTS.usage]: ["p(95)<2500"],
      [ENDPOINTS.waitScan]: ["p(95)<5000"],
    }),
    // The API process stays well within a container's usual memory limit.
    // Sampled at all (min>0), and within a container's usual memory limit.
    { secapi_api_rss_mb: ["min>0", `max<${envNumber("MAX_RSS_MB", 1024)}`] },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  return { keys: createUsers(envNumber("USERS", 10), "business", "soak"), salt: newSalt() };
}

export function journey(data) {
  dependencyJourney(apiClient(keyOf(data)), dependencyList(pickList(), data.salt));
  sleep(1);
}

/** Samples process_resident_memory_bytes of the API (METRICS_TOKEN if /metrics requires one). */
export function monitor() {
  const headers = __ENV.METRICS_TOKEN ? { Authorization: `Bearer ${__ENV.METRICS_TOKEN}` } : {};
  const response = http.get(`${BASE_URL}/metrics`, { headers, tags: { name: "GET /metrics" } });
  const match = response.status === 200 && response.body.match(/^process_resident_memory_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m);
  if (match) apiRss.add(Number(match[1]) / 1024 / 1024);
}

export const handleSummary = summaryWriter("soak");
