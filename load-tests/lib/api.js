// SecAPI's routes as k6 requests, each tagged with the endpoint's `name` (so thresholds and the summary are per
// endpoint, not per URL) and, for `?wait` long polls, `long_poll: "true"` (kept out of the readers' latency).
import http from "k6/http";
import { BASE_URL } from "./config.js";

/**
 * The statuses that are answers, not failures, for `http_req_failed` (k6 counts only 2xx/3xx otherwise;
 * 304 is what a conditional re-read should get). Scripts that expect more (429) pass their own list.
 */
export const EXPECTED_STATUSES = [200, 201, 202, 204, 304];

/** Endpoint names, as tagged on every request and used in thresholds. */
export const ENDPOINTS = {
  submitDependencies: "POST /scan/dependencies",
  submitScan: "POST /scans",
  getScan: "GET /scans/:id",
  waitScan: "GET /scans/:id?wait",
  listScans: "GET /scans",
  usage: "GET /usage",
  health: "GET /health",
};

/** A header of a k6 response, whatever case the server and Go's canonicalisation gave it. */
export function header(response, name) {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(response.headers)) if (key.toLowerCase() === wanted) return response.headers[key];
  return undefined;
}

/** The JSON body, or undefined when there is none or it is not JSON (a 304, a proxy's HTML error page). */
export function bodyOf(response) {
  try {
    return response.body ? JSON.parse(response.body) : undefined;
  } catch (notJson) {
    return undefined;
  }
}

function params(key, name, extra = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${key}` }, extra.headers);
  return { headers, tags: { name, long_poll: extra.longPoll ? "true" : "false" }, timeout: extra.timeout || "60s" };
}

/** A client for one API key. */
export function apiClient(key) {
  const json = { "Content-Type": "application/json" };
  return {
    /** POST /api/v1/scan/dependencies with the input as the body. */
    submitDependencies: (input) =>
      http.post(
        `${BASE_URL}/api/v1/scan/dependencies`,
        JSON.stringify(input),
        params(key, ENDPOINTS.submitDependencies, { headers: json }),
      ),
    /** POST /api/v1/scans with `{type, input}`. */
    submitScan: (type, input) =>
      http.post(`${BASE_URL}/api/v1/scans`, JSON.stringify({ type, input }), params(key, ENDPOINTS.submitScan, { headers: json })),
    /** GET /api/v1/scans/:id, conditional when an ETag is given (304 expected then). */
    getScan: (id, etag) =>
      http.get(`${BASE_URL}/api/v1/scans/${id}`, params(key, ENDPOINTS.getScan, { headers: etag ? { "If-None-Match": etag } : {} })),
    /** GET /api/v1/scans/:id?wait=N: held until the scan finishes or N seconds pass. */
    waitScan: (id, seconds) =>
      http.get(
        `${BASE_URL}/api/v1/scans/${id}?wait=${seconds}`,
        params(key, ENDPOINTS.waitScan, { longPoll: true, timeout: `${seconds + 30}s` }),
      ),
    /** GET /api/v1/scans?limit=N. */
    listScans: (limit = 20) => http.get(`${BASE_URL}/api/v1/scans?limit=${limit}`, params(key, ENDPOINTS.listScans)),
    /** GET /api/v1/usage. */
    usage: () => http.get(`${BASE_URL}/api/v1/usage`, params(key, ENDPOINTS.usage)),
  };
}
