import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { migrateDown, migrateToLatest } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
afterAll(() => fixture.close());

async function tables(): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY tablename
  `.execute(fixture.db);
  return rows.map((r) => r.tablename);
}

async function columns(table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}
  `.execute(fixture.db);
  return rows.map((r) => r.column_name);
}

describe("migrations", () => {
  beforeAll(async () => {
    expect(await migrateToLatest(fixture.db)).toEqual([]);
  });

  it("creates every table of the data model", async () => {
    expect(await tables()).toEqual([
      "advisories",
      "advisory_package_revisions",
      "advisory_packages",
      "advisory_revision",
      "advisory_sync_state",
      "api_keys",
      "api_usage",
      "idempotency_keys",
      "image_upload_chunks",
      "image_uploads",
      "outbox",
      "scan_inputs",
      "scan_results",
      "scans",
      "users",
      "webhook_deliveries",
    ]);
  });

  it("goes down to nothing and up again, one migration at a time", async () => {
    expect(await migrateDown(fixture.db)).toEqual(["20261203130000_webhook_deliveries"]);
    expect(await tables()).not.toContain("webhook_deliveries");
    expect(await migrateDown(fixture.db)).toEqual(["20261203121600_image_uploads"]);
    expect(await tables()).not.toContain("image_uploads");
    expect(await migrateDown(fixture.db)).toEqual(["20261203120000_findings_changed"]);
    expect(await columns("scans")).not.toContain("findings_changed_at");
    expect(await migrateDown(fixture.db)).toEqual(["20261203110000_scan_labels"]);
    expect(await migrateDown(fixture.db)).toEqual(["20261203100000_advisory_sync"]);
    expect(await tables()).not.toContain("advisory_sync_state");
    expect(await migrateDown(fixture.db)).toEqual(["20261202000000_advisory_revisions"]);
    expect(await tables()).not.toContain("advisory_revision");
    expect(await migrateDown(fixture.db)).toEqual(["20261121110000_webhooks"]);
    expect(await migrateDown(fixture.db)).toEqual(["20261121100000_advisories"]);
    expect(await tables()).not.toContain("advisories");
    expect(await migrateDown(fixture.db)).toEqual(["20261121000000_initial"]);
    expect(await tables()).toEqual([]);
    expect(await migrateToLatest(fixture.db)).toEqual([
      "20261121000000_initial",
      "20261121100000_advisories",
      "20261121110000_webhooks",
      "20261202000000_advisory_revisions",
      "20261203100000_advisory_sync",
      "20261203110000_scan_labels",
      "20261203120000_findings_changed",
      "20261203121600_image_uploads",
      "20261203130000_webhook_deliveries",
    ]);
    expect(await tables()).toHaveLength(16);
  });
});
