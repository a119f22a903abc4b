import { readFileSync } from "node:fs";
import { REPO_ROOT, TEST_REDIS_URL, waitFor } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

const FIXTURES = `${REPO_ROOT}packages/scanners/test/fixtures`;
let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create();
  await stack.startApi();
  await stack.startScanWorker();
});
afterAll(() => stack.close());

type Finding = { id: string; package: string; version: string; fixed_in: string | null; severity: string; aliases: string[] };
const brief = (findings: Finding[]) => findings.map((f) => `${f.package}@${f.version} ${f.id} → ${f.fixed_in}`).sort();

describe("dependency scanning against the local OSV database", () => {
  it("imports advisories, then finds the lodash advisories in a real package-lock, and the same in its SBOM", async () => {
    const imported = JSON.parse(await stack.cli("advisories", "import", `${FIXTURES}/osv`, "--json"));
    expect(imported.imported).toBe(25);

    // The import announced the affected packages on the events queue (through the outbox).
    const events = new Queue("events", { connection: new Redis(TEST_REDIS_URL), prefix: stack.env.QUEUE_PREFIX });
    try {
      const npm = await waitFor(async () =>
        (await events.getJobs(["waiting"])).find((j) => j.name === "advisories.updated" && j.data.data.ecosystem === "npm"),
      );
      expect(npm.data.data.packages).toEqual(expect.arrayContaining(["lodash", "minimist"]));
    } finally {
      await events.close();
    }

    const user = await stack.createUser("starter");
    const lock = await stack.request("POST", "/api/v1/scans", user.api_key, {
      type: "dependencies",
      input: { lockfile: readFileSync(`${FIXTURES}/lockfiles/npm-v3.package-lock.json`, "utf8"), format: "package-lock.json" },
    });
    expect(lock.status).toBe(202);
    const fromLock = await stack.pollUntilDone(lock.headers.get("location") ?? "", user.api_key);
    expect(fromLock.status).toBe("completed");
    const lodash = (fromLock.result.findings as Finding[]).filter((f) => f.package === "lodash");
    expect(brief(lodash)).toEqual(["lodash@4.17.20 GHSA-29mw-wpgm-hmr9 → 4.17.21", "lodash@4.17.20 GHSA-35jh-r3h4-6jhm → 4.17.21"]);
    expect(lodash.find((f) => f.id === "GHSA-35jh-r3h4-6jhm")).toMatchObject({ severity: "high", aliases: ["CVE-2021-23337"] });
    expect(fromLock.result.summary.total).toBe(fromLock.result.findings.length);

    const sbom = await stack.request("POST", "/api/v1/scan/docker", user.api_key, {
      image: "example/app:1.0",
      sbom: JSON.parse(readFileSync(`${FIXTURES}/sbom/npm.cyclonedx-1.5.json`, "utf8")),
    });
    expect(sbom.status).toBe(202);
    const fromSbom = await stack.pollUntilDone(sbom.headers.get("location") ?? "", user.api_key);
    expect(fromSbom.type).toBe("sbom");
    expect(brief(fromSbom.result.findings)).toEqual(brief(fromLock.result.findings));
    expect(fromSbom.result.summary).toEqual(fromLock.result.summary);
  });
});
