import { type DbExecutor, countAdvisoriesByEcosystem, listAdvisorySyncStates } from "@secapi/db";

/** The feed sync's settings (Config.advisorySync). */
export interface AdvisorySyncSettings {
  sources: readonly string[];
  url: string;
  intervalSeconds: number;
}

/** `fresh` while every ecosystem synced within two intervals; always `fresh` when the schedule is off. */
export type AdvisoryFreshness = "fresh" | "stale";

export interface EcosystemStatus {
  ecosystem: string;
  /** Advisories held (withdrawn ones excluded). */
  advisories: number;
  /** The feed the last sync read (null: never synced, e.g. imported by hand). */
  source: string | null;
  last_sync: {
    at: string | null;
    outcome: "ok" | "unchanged" | "failed" | null;
    duration_ms: number | null;
    error: string | null;
    last_success_at: string | null;
    changed: number;
  } | null;
}

export interface AdvisoryFeedStatus {
  sync: { enabled: boolean; interval_seconds: number; source: string };
  freshness: AdvisoryFreshness;
  ecosystems: EcosystemStatus[];
}

/**
 * Freshness from the last successful sync of each ecosystem of ADVISORY_SOURCES: stale once one is older than
 * two intervals (or never succeeded). With the schedule off the advisories are managed by hand, and SecAPI
 * has nothing to compare them with: `fresh`.
 */
export function advisoryFreshness(
  settings: AdvisorySyncSettings,
  lastSuccess: ReadonlyMap<string, string | null>,
  nowMs: number,
): AdvisoryFreshness {
  if (settings.intervalSeconds <= 0) return "fresh";
  const oldest = nowMs - 2 * settings.intervalSeconds * 1000;
  return settings.sources.every((e) => {
    const at = lastSuccess.get(e);
    return at != null && Date.parse(at) >= oldest;
  })
    ? "fresh"
    : "stale";
}

/** Freshness as `/health` reports it: one small read of the sync states. */
export async function readAdvisoryFreshness(
  db: DbExecutor,
  settings: AdvisorySyncSettings,
  nowMs = Date.now(),
): Promise<AdvisoryFreshness> {
  const states = await listAdvisorySyncStates(db);
  return advisoryFreshness(settings, new Map(states.map((s) => [s.ecosystem, s.lastSuccessAt])), nowMs);
}

/** `GET /api/v1/advisories/status`: per ecosystem (those of ADVISORY_SOURCES, then any other held), counts and the last sync. */
export async function advisoryFeedStatus(db: DbExecutor, settings: AdvisorySyncSettings, nowMs = Date.now()): Promise<AdvisoryFeedStatus> {
  const [states, counts] = await Promise.all([listAdvisorySyncStates(db), countAdvisoriesByEcosystem(db)]);
  const byEcosystem = new Map(states.map((s) => [s.ecosystem, s]));
  const names = [...new Set([...settings.sources, ...states.map((s) => s.ecosystem), ...Object.keys(counts).sort()])];
  return {
    sync: { enabled: settings.intervalSeconds > 0, interval_seconds: settings.intervalSeconds, source: settings.url },
    freshness: advisoryFreshness(settings, new Map(states.map((s) => [s.ecosystem, s.lastSuccessAt])), nowMs),
    ecosystems: names.map((ecosystem) => {
      const state = byEcosystem.get(ecosystem);
      return {
        ecosystem,
        advisories: counts[ecosystem] ?? 0,
        source: state?.source ?? null,
        last_sync: state
          ? {
              at: state.lastAttemptAt,
              outcome: state.lastOutcome,
              duration_ms: state.lastDurationMs,
              error: state.lastError,
              last_success_at: state.lastSuccessAt,
              changed: state.lastChanged,
            }
          : null,
      };
    }),
  };
}
