import { randomBytes, randomUUID } from "node:crypto";
import { inputHash, parseAdvisories, sealInput, storeAdvisories } from "@secapi/core";
import { type Db, type InputKey, createDb, createPool, currentAdvisoryRevision, insertScan, putScanInput } from "@secapi/db";
import { scanRunJobId } from "@secapi/events";
import { createLogger } from "@secapi/runtime";
import { type PackageSet, ScanPool, type ScanTask, canonicalPackageSet } from "@secapi/scanners";
import { type TestDatabase, createTestDatabase, uniqueId } from "@secapi/testing";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScanProcessor } from "../src/scan-processor.js";

const scanInputKey = randomBytes(32);
const logger = createLogger({ service: "scan-worker-test", level: "silent" });
let database: TestDatabase;
let db: Db;
let pool: ScanPool;
let userId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 4 }));
  pool = new ScanPool({ threads: 1 });
  userId = (
    await db
      .insertInto("users")
      .values({ email: "d@example.com", tier: "free", webhook_url: null })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await pool.close();
  await db.destroy();
  await database.drop();
});

function osvFor(name: string, id = uniqueId("TEST")) {
  return {
    id,
    modified: new Date().toISOString(),
    summary: `${name} is vulnerable`,
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "2.0.0" }] }] }],
  };
}

async function importAdvisories(...osv: unknown[]) {
  const { advisories } = parseAdvisories(osv.map((json, i) => ({ source: String(i), json })));
  return (await storeAdvisories(db, advisories)).stored;
}

/** A queued dependency scan of `set`, as the API leaves it, and the job that runs it. */
async function queued(set: PackageSet): Promise<{ job: Job; key: InputKey; scanId: string }> {
  const key: InputKey = { scanType: "dependencies", ownerId: null, inputHash: inputHash(set) };
  const scanId = randomUUID();
  const jobId = scanRunJobId(key, scanId);
  await insertScan(db, { id: scanId, userId, key, status: "queued", jobId });
  await putScanInput(db, key, sealInput(scanInputKey, key, set));
  // The processor reads only these fields of a BullMQ job.
  const job = { id: jobId, data: key, opts: { attempts: 1 }, attemptsMade: 0 } as unknown as Job;
  return { job, key, scanId };
}

async function storedResult(key: InputKey) {
  return db.selectFrom("scan_results").selectAll().where("input_hash", "=", key.inputHash).executeTakeFirstOrThrow();
}

const findingIds = (result: unknown) => (result as { findings: { id: string }[] }).findings.map((f) => f.id);

describe("a dependency run records what its result reflects", () => {
  it("stores the advisory revision its advisories were read at", async () => {
    const name = uniqueId("pkg");
    const advisory = osvFor(name);
    const { revision } = await importAdvisories(advisory);
    const { job, key } = await queued(canonicalPackageSet({ packages: [{ ecosystem: "npm", name, version: "1.0.0" }], unchecked: [] }));
    await createScanProcessor({ db, pool, scanInputKey, logger })(job);
    const row = await storedResult(key);
    expect(Number(row.advisory_revision)).toBe(revision);
    expect(findingIds(row.result)).toEqual([advisory.id]);
    expect(row.tags).toEqual([`pkg:npm/${name}`]);
  });

  it("keeps matching an advisory withdrawn only later, and stores when the result stops being true", async () => {
    const name = uniqueId("pkg");
    const withdrawn = new Date(Date.now() + 3_600_000).toISOString();
    const later = { ...osvFor(name), withdrawn };
    await importAdvisories(later);
    const { job, key } = await queued(canonicalPackageSet({ packages: [{ ecosystem: "npm", name, version: "1.0.0" }], unchecked: [] }));
    await createScanProcessor({ db, pool, scanInputKey, logger })(job);
    const row = await storedResult(key);
    expect(findingIds(row.result)).toEqual([later.id]);
    expect(row.valid_until?.toISOString()).toBe(withdrawn);
  });

  it("scans again when an import for one of its packages commits while it runs, so what it stores is current", async () => {
    const name = uniqueId("pkg");
    const { job, key } = await queued(canonicalPackageSet({ packages: [{ ecosystem: "npm", name, version: "1.0.0" }], unchecked: [] }));
    const late = osvFor(name);
    let runs = 0;
    // The real pool; the first time, an import commits between the advisory read and the result's storage.
    const racingPool = {
      run: async (task: ScanTask) => {
        const outcome = await pool.run(task);
        if (runs++ === 0) await importAdvisories(late);
        return outcome;
      },
    };
    await createScanProcessor({ db, pool: racingPool, scanInputKey, logger })(job);
    expect(runs).toBe(2);
    const row = await storedResult(key);
    expect(findingIds(row.result)).toEqual([late.id]);
    expect(Number(row.advisory_revision)).toBe(await currentAdvisoryRevision(db));
  });

  it("does not scan again for an import that concerns other packages", async () => {
    const { job } = await queued(
      canonicalPackageSet({ packages: [{ ecosystem: "npm", name: uniqueId("pkg"), version: "1.0.0" }], unchecked: [] }),
    );
    let runs = 0;
    const racingPool = {
      run: async (task: ScanTask) => {
        const outcome = await pool.run(task);
        if (runs++ === 0) await importAdvisories(osvFor(uniqueId("elsewhere")));
        return outcome;
      },
    };
    await createScanProcessor({ db, pool: racingPool, scanInputKey, logger })(job);
    expect(runs).toBe(1);
  });
});

describe("a run that replaces a result with other findings", () => {
  const findingsChangedEvents = async (scanId: string) => {
    const rows = await db.selectFrom("outbox").select("payload").where("job_name", "=", "scan.findings_changed").execute();
    return rows
      .map((r) => r.payload as { data: { scanIds: string[]; added: { id: string }[]; removed: { id: string }[] } })
      .filter((e) => e.data.scanIds.includes(scanId));
  };
  const changedAt = async (scanId: string) =>
    (await db.selectFrom("scans").select("findings_changed_at").where("id", "=", scanId).executeTakeFirstOrThrow()).findings_changed_at;

  it("marks and announces the scans that showed the old result, not the scans of the run itself", async () => {
    const name = uniqueId("pkg");
    const set = canonicalPackageSet({ packages: [{ ecosystem: "npm", name, version: "1.0.0" }], unchecked: [] });
    const first = await queued(set);
    await createScanProcessor({ db, pool, scanInputKey, logger })(first.job);
    expect(findingIds((await storedResult(first.key)).result)).toEqual([]);

    // An advisory arrives; the stored result is no longer current, and a new submission runs the input again.
    const advisory = osvFor(name);
    await importAdvisories(advisory);
    const second = await queued(set);
    await createScanProcessor({ db, pool, scanInputKey, logger })(second.job);
    expect(findingIds((await storedResult(second.key)).result)).toEqual([advisory.id]);

    expect(await changedAt(first.scanId)).toBeInstanceOf(Date);
    expect(await changedAt(second.scanId)).toBeNull();
    const events = await findingsChangedEvents(first.scanId);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ scanIds: [first.scanId], added: [{ id: advisory.id }], removed: [] });
    expect(await findingsChangedEvents(second.scanId)).toEqual([]);

    // The same findings again: nothing new to say.
    await importAdvisories({ ...advisory, modified: new Date(Date.now() + 1000).toISOString(), summary: "reworded" });
    const third = await queued(set);
    await createScanProcessor({ db, pool, scanInputKey, logger })(third.job);
    expect(await findingsChangedEvents(first.scanId)).toHaveLength(1);
    expect(await findingsChangedEvents(second.scanId)).toEqual([]);
  });
});
