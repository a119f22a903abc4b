import pg from "pg";
import { awsAccessKeyId } from "./stack.js";

/** A secrets scan of its own (the tag makes the input unique): each submission is one run, never a cache hit. */
export const secrets = (tag: string) => ({
  type: "secrets",
  input: { files: [{ path: ".env", content: `# ${tag}\nAWS_ACCESS_KEY_ID=${awsAccessKeyId()}\n` }] },
});

export async function probe(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Scan runs the scan-worker carried to the end (a job delivered and run twice counts twice). */
export async function runsFinished(scanWorkerBase: string): Promise<number> {
  const text = await (await fetch(`${scanWorkerBase}/metrics`)).text();
  return [...text.matchAll(/^secapi_scan_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Scans that ran (not answered from the cache), how many completed, and how many distinct results they hold:
 * counted from Postgres, not from the 202s, since a submission answered 503 may still have committed.
 */
export async function ranScanCounts(databaseUrl: string | undefined): Promise<{ scans: number; completed: number; results: number }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ scans: string; completed: string; results: string }>(
      "SELECT count(*) AS scans, count(*) FILTER (WHERE status = 'completed') AS completed, count(DISTINCT result_id) AS results FROM scans WHERE NOT cached",
    );
    return { scans: Number(rows[0]!.scans), completed: Number(rows[0]!.completed), results: Number(rows[0]!.results) };
  } finally {
    await db.end();
  }
}
