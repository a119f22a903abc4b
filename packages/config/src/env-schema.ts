import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.stringbool({ truthy: ["true", "1", "yes", "on"], falsy: ["false", "0", "no", "off"] });
const redisUrl = z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" });

const jsonObject = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "must be valid JSON" });
    return z.NEVER;
  }
});

function commaList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Every variable SecAPI reads. Defaults work against local services (docs/OPERATIONS.md "Environment");
 * docs/OPERATIONS.md ("Environment") documents every one.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: postgresUrl.default("postgres://postgres@127.0.0.1:5432/secapi"),
  DB_POOL_MAX: positiveInt.default(10),
  DB_CONNECTION_TIMEOUT_MS: positiveInt.default(5000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(15000),
  DB_IDLE_TIMEOUT_MS: positiveInt.default(30000),
  REDIS_URL: redisUrl.default("redis://127.0.0.1:6379/0"),
  REDIS_CACHE_URL: redisUrl.default("redis://127.0.0.1:6379/1"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, "letters, digits, _, -, { and } only")
    .default("secapi"),
  PORT: port.default(8000),
  SCAN_WORKER_PORT: port.default(9101),
  CACHE_WORKER_PORT: port.default(9102),
  CACHE_ENABLED: bool.default(true),
  CACHE_TTL_FREE: positiveInt.default(3600),
  CACHE_TTL_STARTER: positiveInt.default(86400),
  CACHE_TTL_PRO: positiveInt.default(86400),
  CACHE_TTL_BUSINESS: positiveInt.default(604800),
  RATE_LIMIT_FAIL_MODE: z.enum(["open", "closed"]).default("open"),
  /** How long each cache Redis call may take before the cache answers without it (BYPASS). */
  CACHE_REDIS_TIMEOUT_MS: positiveInt.default(50),
  /** How long each limiter Redis call may take before RATE_LIMIT_FAIL_MODE applies. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt.default(250),
  ANON_RATE_LIMIT_PER_MINUTE: positiveInt.default(100),
  SCAN_WORKER_CONCURRENCY: positiveInt.default(4),
  SCAN_JOB_ATTEMPTS: positiveInt.default(5),
  SCAN_JOB_LOCK_MS: positiveInt.default(30000),
  SCAN_INPUT_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64 (openssl rand -base64 32)")
    .optional(),
  TIER_LIMITS: jsonObject.optional(),
  BOOTSTRAP_ADMIN_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  TRUST_PROXY: z.string().default("false"),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  METRICS_TOKEN: z.string().min(1).optional(),
  /** Webhook URLs may target loopback, private and link-local addresses (development, tests); off in production. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Ecosystems the advisory feed sync keeps current (comma list). */
  ADVISORY_SOURCES: z
    .string()
    .default("npm,PyPI,Go,crates.io,RubyGems,Packagist,NuGet,Maven,Pub,Debian,Alpine")
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean)
        .join(","),
    ),
  /** Base URL of an OSV-layout feed (`<base>/<ecosystem>/all.zip`, `modified_id.csv`, `<id>.json`). */
  ADVISORY_SYNC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .default("https://osv-vulnerabilities.storage.googleapis.com"),
  /** Seconds between feed syncs; `0` or `off` turns the schedule off. */
  ADVISORY_SYNC_INTERVAL: z
    .string()
    .default("3600")
    .transform((v, ctx) => {
      if (v === "off") return 0;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: "custom", message: "must be a number of seconds, or 0 / off" });
        return z.NEVER;
      }
      return Number(v);
    }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Unset: `pretty` when stdout is a terminal, `json` otherwise (the logger decides). */
  LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
  /** Registries an `image` scan may pull from (comma list of host[:port]); anything else is refused with 422. */
  IMAGE_REGISTRIES: z.string().default("docker.io,ghcr.io,quay.io,gcr.io,registry.k8s.io,public.ecr.aws").transform(commaList),
  /** Registries reached over plain HTTP (local mirrors, tests). */
  IMAGE_REGISTRY_INSECURE: z.string().default("").transform(commaList),
  /** The largest image (compressed layers) or uploaded archive accepted, in bytes. */
  IMAGE_MAX_BYTES: positiveInt.default(2147483648),
  /**
   * How long an archive upload may send nothing before it is cut (408). Uploads have no total time limit (a
   * slow link may take an hour for IMAGE_MAX_BYTES); other requests keep the server's request timeout.
   */
  IMAGE_UPLOAD_IDLE_TIMEOUT_MS: positiveInt.default(60000),
  /** The largest executable (Go build info) or jar/war/ear read inside an image, in bytes; bigger ones are unchecked. */
  IMAGE_MAX_BINARY_BYTES: positiveInt.default(268435456),
  /**
   * How long the API keeps what an image tag names (its digest, looked up at submission) before asking the
   * registry again: a tag that moves on is noticed within this time. 0: looked up at every submission.
   */
  IMAGE_TAG_CACHE_SECONDS: z.coerce.number().int().min(0).max(86400).default(60),
  /** Registry pulls go through these proxies (the usual variables; the lowercase spelling is read too). */
  HTTPS_PROXY: z.string().optional(),
  https_proxy: z.string().optional(),
  HTTP_PROXY: z.string().optional(),
  http_proxy: z.string().optional(),
  /** Hosts reached without the proxy (comma list: `example.com`, `.example.com`, `host:port`, `*`). */
  NO_PROXY: z.string().optional(),
  no_proxy: z.string().optional(),
});

export type RawEnv = z.infer<typeof envSchema>;
