// Thresholds per endpoint: k6 sub-metrics on the `name` tag (long polls are their own name, so they never count
// in a reader's latency), plus the ones every script carries.

/** `{name: ["p(95)<300"]}` → `{"http_req_duration{name:<name>}": ["p(95)<300"]}`. */
export function perEndpoint(latencies) {
  const thresholds = {};
  for (const [name, rules] of Object.entries(latencies)) thresholds[`http_req_duration{name:${name}}`] = rules;
  return thresholds;
}

/**
 * What every script asserts: answers are correct (`checksRate`), requests do not fail (`failedRate`; statuses a
 * script expects are not failures), and k6 ran the iterations it planned (`dropped_iterations`, which only
 * arrival-rate executors can drop: a run that could not keep to its schedule measured something else), and
 * re-reads of a finished scan never go back to an older state (`staleRereads`, where the script re-reads).
 */
export function common({ checksRate = 0.99, failedRate = 0.01, dropped = 0, staleRereads = false } = {}) {
  const thresholds = {
    checks: [`rate>=${checksRate}`],
    http_req_failed: [`rate<${failedRate}`],
    dropped_iterations: [`count<=${dropped}`],
  };
  // Once a poll answered a scan finished, no re-read may answer it in flight again (load-tests/README.md).
  // Only for scripts that re-read finished scans (the metric must exist in the script).
  if (staleRereads) thresholds.secapi_stale_rereads = ["rate<=0"];
  return thresholds;
}

/** The trend statistics kept for the summary (count included, for per-endpoint request counts). */
export const SUMMARY_TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"];
