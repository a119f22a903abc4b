// The run's own users, created in setup() through the admin API (POST /api/v1/admin/users).
import http from "k6/http";
import exec from "k6/execution";
import { ADMIN_KEY, API_KEY, BASE_URL } from "./config.js";

/**
 * Creates `count` users of `tier` with the admin key and returns their API keys. Without an admin key, falls
 * back to API_KEY (one key shared by every VU); with neither, aborts the run with a message that says so.
 */
export function createUsers(count, tier, label) {
  if (!ADMIN_KEY) {
    if (API_KEY) return [API_KEY];
    exec.test.abort("set BOOTSTRAP_ADMIN_KEY (an admin key: setup() creates the run's users) or API_KEY");
  }
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const keys = [];
  for (let i = 0; i < count; i++) {
    const response = http.post(
      `${BASE_URL}/api/v1/admin/users`,
      JSON.stringify({ email: `k6-${label}-${run}-${i}@load-test.invalid`, tier }),
      { headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" }, tags: { name: "POST /admin/users" } },
    );
    if (response.status !== 201) {
      exec.test.abort(
        `POST /api/v1/admin/users answered ${response.status}: ${response.body} (is BOOTSTRAP_ADMIN_KEY an admin key of ${BASE_URL}?)`,
      );
    }
    keys.push(response.json("api_key"));
  }
  return keys;
}

/** The key of the current virtual user: the run's users shared round-robin. */
export function keyOf(data) {
  return data.keys[(exec.vu.idInTest - 1) % data.keys.length];
}
