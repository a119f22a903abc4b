import { type TestPostgresServer, uniqueId, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importAdvisory, npmTestAdvisory } from "./advisories.js";
import { startPrivateServersStack } from "./private-servers-stack.js";
import { type Stack, awsAccessKeyId } from "./stack.js";

// Stale-if-error answers a read from the cache while Postgres is down, but never with a result that is no
// longer current: an advisory change is not something an outage may hide. No cache-worker runs here, so the
// change does not drop the cached view (as its invalidation would): the view is still in the cache, only its
// stamp says it predates the change, and the API alone must refuse it.

let postgres: TestPostgresServer;
let stack: Stack;
let closeStack: () => Promise<void>;
let admin: string;
let user: string;

beforeAll(async () => {
  ({ postgres, stack, close: closeStack } = await startPrivateServersStack());
  admin = (await stack.createAdmin()).api_key;
  user = (await stack.createUser("business")).api_key;
});
afterAll(() => closeStack());

/** A finished scan of `body`, read until its view is served from the cache. */
async function cachedScan(body: unknown): Promise<string> {
  const submitted = await stack.request("POST", "/api/v1/scans", user, body);
  expect(submitted.status).toBe(202);
  expect((await stack.pollUntilDone(`/api/v1/scans/${submitted.body.id}`, user)).status).toBe("completed");
  await waitFor(
    async () => (await stack.request("GET", `/api/v1/scans/${submitted.body.id}`, user)).headers.get("x-cache-status") === "HIT",
  );
  return submitted.body.id;
}

const read = (id: string) => stack.request("GET", `/api/v1/scans/${id}`, user);

describe("a Postgres outage after an advisory change", () => {
  it("answers the views that are still current from the cache, and 503 for the one the change made outdated", async () => {
    const changed = uniqueId("changed");
    const untouched = uniqueId("untouched");
    await importAdvisory(stack, admin, npmTestAdvisory(uniqueId("GHSA-a"), [changed]));
    const packages = (name: string) => ({ type: "dependencies", input: { packages: [{ ecosystem: "npm", name, version: "1.0.0" }] } });
    const outdatedId = await cachedScan(packages(changed));
    const currentId = await cachedScan(packages(untouched));
    const secretsId = await cachedScan({
      type: "secrets",
      input: { files: [{ path: ".env", content: `AWS_ACCESS_KEY_ID=${awsAccessKeyId()}\n` }] },
    });

    await importAdvisory(stack, admin, npmTestAdvisory(uniqueId("GHSA-b"), [changed]));
    // The API has learned of the change once the untouched scan's view (stamped before it) is checked in Postgres
    // again instead of being served as it was; reading it re-stamps it as current. The changed scan is not read.
    await waitFor(async () => (await read(currentId)).headers.get("x-cache-status") === "MISS", { what: "the API to learn of the change" });
    await waitFor(async () => (await read(currentId)).headers.get("x-cache-status") === "HIT");

    await postgres.stop("immediate");
    try {
      for (const id of [currentId, secretsId]) {
        const answer = await read(id);
        expect(answer.status, id).toBe(200);
        expect(answer.body.status).toBe("completed");
        expect(["HIT", "STALE"]).toContain(answer.headers.get("x-cache-status"));
      }
      // Its cached view predates the change: never served, outage or not.
      const outdated = await read(outdatedId);
      expect(outdated.status).toBe(503);
      expect(outdated.body.code).toBe("database_unavailable");
      // Nor does its input get the old result as a cached answer.
      const repeat = await stack.request("POST", "/api/v1/scans", user, packages(changed));
      expect(repeat.status).toBe(503);
    } finally {
      await postgres.start();
    }
    // Back: the changed scan says its result is outdated.
    const after = await waitFor(async () => {
      const answer = await read(outdatedId);
      return answer.status === 200 ? answer : undefined;
    });
    expect(after.body.outdated).toBe(true);
  });
});
