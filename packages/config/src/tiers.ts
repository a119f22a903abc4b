import { z } from "zod";

export const TIERS = ["free", "starter", "pro", "business"] as const;
export type Tier = (typeof TIERS)[number];

export interface TierLimits {
  requests_per_minute: number;
  scans_per_hour: number;
  scans_per_month: number;
  /** Result cache TTL in seconds. */
  result_ttl_seconds: number;
}

export type TierTable = Record<Tier, TierLimits>;

/** The tier table (docs/API.md "Tiers and limits"); operators override cells with TIER_LIMITS and CACHE_TTL_*. */
export const DEFAULT_TIER_LIMITS: TierTable = {
  free: { requests_per_minute: 20, scans_per_hour: 10, scans_per_month: 100, result_ttl_seconds: 3600 },
  starter: { requests_per_minute: 100, scans_per_hour: 100, scans_per_month: 5000, result_ttl_seconds: 86400 },
  pro: { requests_per_minute: 500, scans_per_hour: 500, scans_per_month: 50000, result_ttl_seconds: 86400 },
  business: { requests_per_minute: 2000, scans_per_hour: 2000, scans_per_month: 500000, result_ttl_seconds: 604800 },
};

const positiveInt = z.number().int().positive();

/** Shape of TIER_LIMITS: any tier, any cell; unknown tiers or cells are errors, not silently ignored. */
export const tierOverridesSchema = z
  .object(
    Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        z
          .object({
            requests_per_minute: positiveInt,
            scans_per_hour: positiveInt,
            scans_per_month: positiveInt,
            result_ttl_seconds: positiveInt,
          })
          .partial()
          .strict()
          .optional(),
      ]),
    ) as Record<Tier, z.ZodOptional<z.ZodObject<{ [K in keyof TierLimits]: z.ZodOptional<typeof positiveInt> }>>>,
  )
  .strict();

export type TierOverrides = z.infer<typeof tierOverridesSchema>;

/** Applies overrides cell by cell on top of a base table. */
export function mergeTierLimits(base: TierTable, overrides: TierOverrides): TierTable {
  const merged = { ...base };
  for (const tier of TIERS) {
    merged[tier] = { ...base[tier], ...overrides[tier] };
  }
  return merged;
}
