import { sql } from "kysely";
import type { Db, DbExecutor } from "../schema/database.js";

/** Where the feed sync of one ecosystem stands. */
export interface AdvisorySyncState {
  ecosystem: string;
  source: string;
  /** The newest `modified` stored from the feed (RFC 3339); null until a full import committed. */
  cursorModified: string | null;
  indexEtag: string | null;
  indexLastModified: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastOutcome: "ok" | "unchanged" | "failed" | null;
  lastError: string | null;
  lastDurationMs: number | null;
  lastChanged: number;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/** Every ecosystem's sync state, by ecosystem name. */
export async function listAdvisorySyncStates(db: DbExecutor): Promise<AdvisorySyncState[]> {
  const rows = await db.selectFrom("advisory_sync_state").selectAll().orderBy("ecosystem").execute();
  return rows.map((row) => ({
    ecosystem: row.ecosystem,
    source: row.source,
    cursorModified: iso(row.cursor_modified),
    indexEtag: row.index_etag,
    indexLastModified: row.index_last_modified,
    lastAttemptAt: iso(row.last_attempt_at),
    lastSuccessAt: iso(row.last_success_at),
    lastOutcome: row.last_outcome as AdvisorySyncState["lastOutcome"],
    lastError: row.last_error,
    lastDurationMs: row.last_duration_ms,
    lastChanged: row.last_changed,
  }));
}

/** One ecosystem's sync state, or undefined before its first attempt. */
export async function findAdvisorySyncState(db: DbExecutor, ecosystem: string): Promise<AdvisorySyncState | undefined> {
  return (await listAdvisorySyncStates(db)).find((s) => s.ecosystem === ecosystem);
}

/** Records a sync that committed: the new cursor and index validators, in the transaction that stored its advisories. */
export async function recordAdvisorySyncSuccess(
  tx: DbExecutor,
  state: {
    ecosystem: string;
    source: string;
    cursorModified: string | null;
    indexEtag: string | null;
    indexLastModified: string | null;
    outcome: "ok" | "unchanged";
    durationMs: number;
    changed: number;
  },
): Promise<void> {
  const values = {
    source: state.source,
    cursor_modified: state.cursorModified,
    index_etag: state.indexEtag,
    index_last_modified: state.indexLastModified,
    last_attempt_at: sql<string>`now()`,
    last_success_at: sql<string>`now()`,
    last_outcome: state.outcome,
    last_error: null,
    last_duration_ms: Math.round(state.durationMs),
    last_changed: state.changed,
  };
  await tx
    .insertInto("advisory_sync_state")
    .values({ ecosystem: state.ecosystem, ...values })
    .onConflict((oc) => oc.column("ecosystem").doUpdateSet(values))
    .execute();
}

/** Records a failed attempt; the cursor and what was stored stay as the last success left them. */
export async function recordAdvisorySyncFailure(
  db: DbExecutor,
  state: { ecosystem: string; source: string; error: string; durationMs: number },
): Promise<void> {
  const values = {
    last_attempt_at: sql<string>`now()`,
    last_outcome: "failed",
    last_error: state.error.slice(0, 2000),
    last_duration_ms: Math.round(state.durationMs),
  };
  await db
    .insertInto("advisory_sync_state")
    .values({ ecosystem: state.ecosystem, source: state.source, ...values })
    .onConflict((oc) => oc.column("ecosystem").doUpdateSet(values))
    .execute();
}

/**
 * Runs `fn` while holding a session advisory lock on `name` on a connection of its own, or returns
 * `{ acquired: false }` at once if another session holds it. The lock goes with the connection, so a process
 * that dies mid-way releases it.
 */
export async function withSessionLock<T>(
  db: Db,
  name: string,
  fn: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS locked`.execute(conn);
    if (!rows[0]?.locked) return { acquired: false as const };
    try {
      return { acquired: true as const, value: await fn() };
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`.execute(conn);
    }
  });
}

/** Advisories stored per ecosystem family (`Debian:12` counts as `Debian`), withdrawn ones excluded. */
export async function countAdvisoriesByEcosystem(db: DbExecutor): Promise<Record<string, number>> {
  const { rows } = await sql<{ ecosystem: string; n: string }>`
    SELECT split_part(p.ecosystem, ':', 1) AS ecosystem, count(DISTINCT p.advisory_id) AS n
    FROM advisory_packages p
    JOIN advisories a ON a.id = p.advisory_id
    WHERE a.withdrawn IS NULL OR a.withdrawn > now()
    GROUP BY 1
  `.execute(db);
  return Object.fromEntries(rows.map((r) => [r.ecosystem, Number(r.n)]));
}

/** Whether any advisory of an ecosystem family (`Debian` matches `Debian:12`) is stored, withdrawn ones included. */
export async function hasAdvisoriesFor(db: DbExecutor, ecosystem: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    SELECT EXISTS (SELECT 1 FROM advisory_packages WHERE split_part(ecosystem, ':', 1) = ${ecosystem}) AS found
  `.execute(db);
  return rows[0]?.found === true;
}
