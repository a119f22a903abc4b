import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type Db, countAdvisories, createDb, createPool, findAdvisoriesForPackages, listAdvisorySyncStates } from "@secapi/db";
import { FeedServer, REPO_ROOT, type TestDatabase, createTestDatabase, npmAdvisory, zipFiles } from "@secapi/testing";
import { CLI_TIMEOUT_MS, secapi } from "./cli-fixture.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const FIXTURES = `${REPO_ROOT}packages/scanners/test/fixtures`;
let database: TestDatabase;
let db: Db;

/** The CLI against this file's database. */
const cli = (...args: string[]) => secapi({ DATABASE_URL: database.url }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 2 }));
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

async function outboxEvents() {
  const rows = await db.selectFrom("outbox").select(["job_name", "payload"]).where("job_name", "=", "advisories.updated").execute();
  return rows.map((r) => (r.payload as { data: { ecosystem: string; packages: string[] } }).data);
}

describe("pnpm secapi advisories import", { timeout: CLI_TIMEOUT_MS }, () => {
  it("imports a directory of OSV files, emits advisories.updated per ecosystem, and is idempotent", async () => {
    const first = await cli("advisories", "import", `${FIXTURES}/osv`, "--json");
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ received: 25, imported: 25, unchanged: 0, invalid: [] });
    expect(summary.events.map((e: { ecosystem: string }) => e.ecosystem).sort()).toEqual(["PyPI", "npm"]);

    const events = await outboxEvents();
    const npm = events.find((e) => e.ecosystem === "npm");
    expect(npm?.packages).toEqual(expect.arrayContaining(["lodash", "lodash-es", "minimist", "express", "@cypress/request"]));
    expect(events.find((e) => e.ecosystem === "PyPI")?.packages).toEqual(expect.arrayContaining(["jinja2", "django", "pyyaml"]));

    const lodash = await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "lodash" }]);
    expect(lodash.map((a) => (a as { id: string }).id).sort()).toEqual([
      "GHSA-29mw-wpgm-hmr9",
      "GHSA-35jh-r3h4-6jhm",
      "GHSA-jf85-cpcp-j695",
      "GHSA-p6mc-m468-83gw",
    ]);
    // The withdrawn jsonwebtoken advisory is stored but never matched.
    const jwt = await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "jsonwebtoken" }]);
    expect(jwt.map((a) => (a as { id: string }).id)).toEqual(["GHSA-8cf7-32gw-wr33"]);

    const again = JSON.parse((await cli("advisories", "import", `${FIXTURES}/osv`, "--json")).stdout);
    expect(again).toMatchObject({ imported: 0, unchanged: 25, events: [] });
    expect(await outboxEvents()).toHaveLength(2);
  });

  it("imports a zip like the public OSV dumps, and a single file, with a human summary", async () => {
    const zipped = await cli("advisories", "import", `${FIXTURES}/osv-npm-sample.zip`);
    expect(zipped.code).toBe(0);
    expect(zipped.stdout).toMatch(/Imported 0 advisories \(3 unchanged, 0 invalid\) from 3/);
    const single = await cli("advisories", "import", `${FIXTURES}/osv/GHSA-wf5p-g6vw-rhxx.json`);
    expect(single.stdout).toContain("Imported 0 advisories (1 unchanged");
  });

  it("reports invalid advisories without failing the valid ones, and exits 2", async () => {
    const { mkdtemp, writeFile, copyFile, rm } = await import("node:fs/promises");
    const dir = await mkdtemp("/tmp/secapi-osv-");
    try {
      await copyFile(`${FIXTURES}/osv/GHSA-72xf-g2v4-qvf3.json`, `${dir}/good.json`);
      await writeFile(`${dir}/bad.json`, JSON.stringify({ id: "X-1", affected: "nope" }));
      await writeFile(`${dir}/broken.json`, "{ not json");
      const result = await cli("advisories", "import", dir, "--json");
      expect(result.code).toBe(2);
      const summary = JSON.parse(result.stdout);
      expect(summary.invalid.map((i: { source: string }) => i.source).sort()).toEqual(["bad.json", "broken.json"]);
      expect(summary.received).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("streams a large zip entry by entry into one transaction, and says a corrupt one is not a readable zip", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const dir = await mkdtemp("/tmp/secapi-osv-zip-");
    try {
      const zip = zipFiles(
        Object.fromEntries(
          Array.from({ length: 2_000 }, (_, i) => [
            `GHSA-zip-${i}.json`,
            JSON.stringify(npmAdvisory(`GHSA-zip-${i}`, `zip-pkg-${i % 700}`, "1.0.1", "2024-01-01T00:00:00Z")),
          ]),
        ),
      );
      await writeFile(`${dir}/all.zip`, zip);
      const result = await cli("advisories", "import", `${dir}/all.zip`, "--json");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ received: 2_000, imported: 2_000, invalid: [] });
      expect(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "zip-pkg-3" }])).toHaveLength(3);

      await writeFile(`${dir}/corrupt.zip`, Buffer.concat([zip.subarray(0, 40_000), Buffer.from("garbage")]));
      const corrupt = await cli("advisories", "import", `${dir}/corrupt.zip`);
      expect(corrupt.code).toBe(1);
      expect(corrupt.stderr).toContain("corrupt.zip is not a readable zip");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says what is wrong with a path that does not exist", async () => {
    const result = await cli("advisories", "import", "/nonexistent/osv");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/nonexistent/osv does not exist");
  });
});

describe("pnpm secapi advisories sync", { timeout: CLI_TIMEOUT_MS }, () => {
  it("syncs the feed now with progress, then only what changed, and exits 2 when an ecosystem fails", async () => {
    const feed = await new FeedServer().start();
    try {
      feed.put(
        npmAdvisory("GHSA-sync-1", "sync-left", "1.0.1", "2024-01-01T00:00:00Z"),
        npmAdvisory("GHSA-sync-2", "sync-right", "2.0.1", "2024-01-02T00:00:00Z"),
      );
      const env = { DATABASE_URL: database.url, ADVISORY_SYNC_URL: feed.url };
      const first = await secapi(env, "advisories", "sync", "--ecosystem", "npm");
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/npm: downloading all\.zip \(first sync\)/);
      expect(first.stdout).toMatch(/npm: ok \(full\): 2 read, 2 imported/);

      feed.put(npmAdvisory("GHSA-sync-3", "sync-new", "1.0.0", "2024-02-01T00:00:00Z"));
      const second = await secapi(env, "advisories", "sync", "--ecosystem", "npm", "--json");
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({
        status: "done",
        ecosystems: [{ ecosystem: "npm", mode: "incremental", downloaded: 1, imported: 1 }],
      });
      expect((await outboxEvents()).at(-1)).toEqual({ ecosystem: "npm", packages: ["sync-new"] });

      feed.faults.set("/PyPI/all.zip", "500");
      const failed = await secapi(env, "advisories", "sync", "--ecosystem", "PyPI");
      expect(failed.code).toBe(2);
      expect(failed.stdout).toMatch(/PyPI: FAILED \(full\).*HTTP 500/);
    } finally {
      await feed.stop();
    }
  });

  it("leaves the database as it was when killed mid-sync, and the next sync completes", async () => {
    const feed = await new FeedServer().start();
    const crashDb = await createTestDatabase();
    const crashView = createDb(createPool({ connectionString: crashDb.url, max: 2 }));
    try {
      const padded = (i: number) => String(i).padStart(5, "0");
      feed.put(
        ...Array.from({ length: 3000 }, (_, i) => npmAdvisory(`GHSA-kill-${padded(i)}`, `kill-${i}`, "1.0.1", "2024-01-01T00:00:00Z")),
      );
      const env = { ...process.env, DATABASE_URL: crashDb.url, ADVISORY_SYNC_URL: feed.url };
      const child = spawn(process.execPath, [`${REPO_ROOT}apps/cli/dist/main.js`, "advisories", "sync", "--ecosystem", "npm"], { env });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
      // Killed outright while the import's transaction holds some batches of the zip and more are coming.
      for await (const line of createInterface({ input: child.stderr })) {
        if (/npm: storing 1000\b/.test(line)) {
          child.kill("SIGKILL");
          break;
        }
      }
      expect(await exited).toBe("SIGKILL");
      expect(await countAdvisories(crashView)).toBe(0);
      expect(await listAdvisorySyncStates(crashView)).toEqual([]);

      // The dead process's session lock went with its connection: the next sync runs, from the start, in full.
      const next = await secapi(
        { DATABASE_URL: crashDb.url, ADVISORY_SYNC_URL: feed.url },
        "advisories",
        "sync",
        "--ecosystem",
        "npm",
        "--json",
      );
      expect(next.code).toBe(0);
      expect(JSON.parse(next.stdout)).toMatchObject({ status: "done", ecosystems: [{ mode: "full", outcome: "ok", imported: 3000 }] });
      expect(await countAdvisories(crashView)).toBe(3000);
      expect(await listAdvisorySyncStates(crashView)).toMatchObject([{ ecosystem: "npm", lastOutcome: "ok" }]);
    } finally {
      await crashView.destroy();
      await crashDb.drop();
      await feed.stop();
    }
  });
});
