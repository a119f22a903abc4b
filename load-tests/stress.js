// Stress test: the arrival rate of clients climbs past what the API can serve, to find the breaking point and to
// check that it breaks gracefully (slower, never wrong, no 5xx). Each iteration is a client submitting a
// Zipf-chosen dependency list (mostly cached answers, as in production) and reading the scan back.
// Requests are tagged with the rate band planned at that moment (`band`: 0050 = 50–99 iterations/s), so the
// summary shows latency per band: the breaking point is the band where p95 jumps and k6 starts dropping
// iterations (all maxVUs busy).
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e BOOTSTRAP_ADMIN_KEY=<admin key> load-tests/stress.js
import http from "k6/http";
import { EXPECTED_STATUSES, ENDPOINTS, apiClient } from "./lib/api.js";
import { checkScanRead, checkSubmitted } from "./lib/checks.js";
import { envNumber, scaled } from "./lib/config.js";
import { LIST_COUNT, dependencyList, newSalt, zipfSampler } from "./lib/inputs.js";
import { elapsedSeconds, tagVu, targetAt } from "./lib/schedule.js";
import { SUMMARY_TREND_STATS, common, perEndpoint } from "./lib/thresholds.js";
import { createUsers, keyOf } from "./lib/users.js";
import { summaryWriter } from "./lib/summary.js";

http.setResponseCallback(http.expectedStatuses(...EXPECTED_STATUSES));

const PEAK_RATE = envNumber("PEAK_RATE", 300);
const BAND = envNumber("BAND", 50);
const pickList = zipfSampler(LIST_COUNT, envNumber("ZIPF_S", 1));
// Climb in steps of a quarter of the peak (each held, so a band is measured at a steady rate), then come down.
const STEPS = [0.25, 0.5, 0.75, 1].map((share) => Math.round(PEAK_RATE * share));
const STAGES = [];
for (const rate of STEPS) STAGES.push({ seconds: 20, target: rate }, { seconds: 40, target: rate });
STAGES.push({ seconds: 20, target: 0 });
const SCALED = STAGES.map((s) => ({ seconds: Number(scaled(s.seconds).slice(0, -1)), target: s.target }));
// Iterations the schedule plans (the area under its rate curve), for the bound on drops.
let PLANNED = 0;
SCALED.reduce((from, s) => ((PLANNED += ((from + s.target) / 2) * s.seconds), s.target), 5);

const bandOf = (rate) => String(Math.floor(rate / BAND) * BAND).padStart(4, "0");
const BANDS = [];
for (let rate = 0; rate <= PEAK_RATE; rate += BAND) BANDS.push(bandOf(rate));

const bandThresholds = {};
// Always met: declared so the summary carries each band's latency (k6 keeps sub-metrics only for thresholds).
for (const band of BANDS) bandThresholds[`http_req_duration{band:${band}}`] = ["max>=0"];

export const options = {
  scenarios: {
    stress: {
      executor: "ramping-arrival-rate",
      startRate: 5,
      timeUnit: "1s",
      preAllocatedVUs: 20,
      // Past the breaking point every VU is busy and k6 drops iterations rather than queueing without bound.
      maxVUs: envNumber("MAX_VUS", 200),
      stages: SCALED.map((s) => ({ duration: `${s.seconds}s`, target: s.target })),
    },
  },
  // Overloaded, the API must stay correct and answer every request; latency may grow (that is the finding).
  // Drops are expected past the breaking point: on the shared 2-core host it moved between ~25 and ~165
  // iterations/s from one hour to the next with the neighbours' load, so the bound is most of the plan (90 %):
  // it fails a collapse (nothing served), not a slow host. The band table is the finding.
  thresholds: Object.assign(
    common({ checksRate: 0.99, failedRate: 0.01, dropped: Math.floor(PLANNED * envNumber("MAX_DROPPED_SHARE", 0.9)) }),
    perEndpoint({
      // Past the breaking point requests queue in the API; the worst runs' p99 were 9.6 s and 5.0 s.
      [ENDPOINTS.submitDependencies]: ["p(99)<15000"],
      [ENDPOINTS.getScan]: ["p(99)<8000"],
    }),
    bandThresholds,
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  return { keys: createUsers(envNumber("USERS", 20), "business", "stress"), salt: newSalt() };
}

export default function (data) {
  tagVu("band", bandOf(targetAt(SCALED, 5, elapsedSeconds())));
  const client = apiClient(keyOf(data));
  const scan = checkSubmitted(client.submitDependencies(dependencyList(pickList(), data.salt)));
  if (scan) checkScanRead(client.getScan(scan.id), scan.id);
}

export const handleSummary = summaryWriter("stress");
