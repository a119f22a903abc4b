// handleSummary for every script: the run as JSON in SUMMARY_DIR/<script>.json (for CI and the e2e test) and a
// short text summary on stdout. Written here because k6's jslib text summary is fetched from jslib.k6.io at
// run time, which offline machines cannot reach.
import { SUMMARY_DIR } from "./config.js";

const ms = (value) => (value === undefined ? "-" : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
const pad = (text, width) => String(text).padEnd(width);
const left = (text, width) => String(text).padStart(width);

/** Every threshold of the run: `{metric, rule, ok}`. */
export function thresholdResults(data) {
  const results = [];
  for (const [metric, value] of Object.entries(data.metrics)) {
    for (const [rule, outcome] of Object.entries(value.thresholds || {})) results.push({ metric, rule, ok: outcome.ok });
  }
  return results;
}

/**
 * Latency rows from the `http_req_duration{…}` sub-metrics (those the thresholds declare): per endpoint
 * (`{name:…}`, labelled by the name) first, then any others (a stress band, a spike phase) by their tags.
 */
export function endpointLatencies(data) {
  const rows = [];
  for (const [metric, value] of Object.entries(data.metrics)) {
    const match = metric.match(/^http_req_duration\{(.+)\}$/);
    if (match && match[1] !== "expected_response:true")
      rows.push(Object.assign({ endpoint: match[1].replace(/^name:([^,]+)$/, "$1") }, value.values));
  }
  const byTag = (row) => (row.endpoint.includes(":") ? 1 : 0);
  return rows.sort((a, b) => byTag(a) - byTag(b) || a.endpoint.localeCompare(b.endpoint));
}

function textSummary(script, data, thresholds, endpoints) {
  const metric = (name) => (data.metrics[name] ? data.metrics[name].values : {});
  const seconds = data.state.testRunDurationMs / 1000;
  const checks = metric("checks");
  const lines = [
    "",
    `${script}: ${seconds.toFixed(1)} s, ${metric("iterations").count || 0} iterations, ${metric("http_reqs").count || 0} requests ` +
      `(${(metric("http_reqs").rate || 0).toFixed(1)}/s), failed requests ${((metric("http_req_failed").rate || 0) * 100).toFixed(2)} %, ` +
      `dropped iterations ${metric("dropped_iterations").count || 0}, VUs max ${metric("vus_max").max || 0}`,
    `checks: ${((checks.rate || 0) * 100).toFixed(2)} % (${checks.passes || 0} passed, ${checks.fails || 0} failed)`,
  ];
  if (data.metrics.secapi_stale_rereads) {
    const stale = metric("secapi_stale_rereads");
    lines.push(
      `stale re-reads (200 with an older state after a finished answer): ${((stale.rate || 0) * 100).toFixed(2)} % (${stale.passes || 0})`,
    );
  }
  if (data.metrics.secapi_api_rss_mb) {
    const rss = metric("secapi_api_rss_mb");
    lines.push(`api resident memory: ${(rss.min || 0).toFixed(0)}–${(rss.max || 0).toFixed(0)} MB over ${rss.count || 0} samples`);
  }
  for (const c of data.root_group.checks || []) if (c.fails > 0) lines.push(`  ✗ ${c.name}: ${c.fails} failed, ${c.passes} passed`);
  lines.push("", `${pad("endpoint", 44)}${left("count", 8)}${left("p50", 11)}${left("p95", 11)}${left("p99", 11)}${left("max", 11)}`);
  for (const row of endpoints) {
    lines.push(
      `${pad(row.endpoint, 44)}${left(row.count, 8)}${left(ms(row.med), 11)}${left(ms(row["p(95)"]), 11)}${left(ms(row["p(99)"]), 11)}${left(ms(row.max), 11)}`,
    );
  }
  lines.push("", "thresholds:");
  for (const t of thresholds) lines.push(`  ${t.ok ? "✓" : "✗"} ${t.metric}: ${t.rule}`);
  const failed = thresholds.filter((t) => !t.ok).length;
  lines.push("", failed ? `${failed} threshold(s) crossed: the run fails` : "all thresholds met", "");
  return lines.join("\n");
}

/** Builds the handleSummary of `script` (its file name without .js). */
export function summaryWriter(script) {
  return (data) => {
    const thresholds = thresholdResults(data);
    const endpoints = endpointLatencies(data);
    const json = {
      script,
      finished_at: new Date().toISOString(),
      duration_s: data.state.testRunDurationMs / 1000,
      requests_per_s: data.metrics.http_reqs ? data.metrics.http_reqs.values.rate : 0,
      endpoints,
      failed_thresholds: thresholds.filter((t) => !t.ok),
      k6: data,
    };
    return {
      stdout: textSummary(script, data, thresholds, endpoints),
      [`${SUMMARY_DIR}/${script}.json`]: JSON.stringify(json, null, 2),
    };
  };
}
