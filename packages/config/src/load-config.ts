import { createHash } from "node:crypto";
import type { z } from "zod";
import { ConfigError } from "./config-error.js";
import { type QueuePrefix, queuePrefixes, redisTarget } from "./redis-target.js";
import { envSchema, type RawEnv } from "./env-schema.js";
import { DEFAULT_TIER_LIMITS, mergeTierLimits, tierOverridesSchema, type Tier, type TierTable } from "./tiers.js";

export interface Config {
  nodeEnv: RawEnv["NODE_ENV"];
  databaseUrl: string;
  db: { poolMax: number; connectionTimeoutMs: number; statementTimeoutMs: number; idleTimeoutMs: number };
  redisUrl: string;
  redisCacheUrl: string;
  /** A queue's BullMQ key prefix: QUEUE_PREFIX, given a hash tag per queue when REDIS_URL names a Redis Cluster. */
  queuePrefix: QueuePrefix;
  port: number;
  scanWorkerPort: number;
  cacheWorkerPort: number;
  cacheEnabled: boolean;
  tiers: TierTable;
  rateLimitFailMode: "open" | "closed";
  /** CACHE_REDIS_TIMEOUT_MS: each cache Redis call's timeout. */
  cacheRedisTimeoutMs: number;
  /** RATE_LIMIT_REDIS_TIMEOUT_MS: each limiter Redis call's timeout. */
  rateLimitRedisTimeoutMs: number;
  anonRateLimitPerMinute: number;
  scanWorker: { concurrency: number; attempts: number; lockDurationMs: number };
  /** AES-256-GCM key for scan inputs waiting in Postgres; see docs/OPERATIONS.md, `SCAN_INPUT_KEY`. */
  scanInputKey: Buffer;
  scanInputKeyIsDevelopmentDefault: boolean;
  bootstrapAdminKey: string | undefined;
  trustProxy: boolean | number | string;
  shutdownTimeoutMs: number;
  metricsToken: string | undefined;
  /** WEBHOOK_ALLOW_PRIVATE: webhook URLs may resolve to loopback, private or link-local addresses. */
  webhookAllowPrivate: boolean;
  logLevel: RawEnv["LOG_LEVEL"];
  /** LOG_FORMAT; undefined: pretty on a terminal, JSON otherwise. */
  logFormat: RawEnv["LOG_FORMAT"];
  /** The advisory feed sync: ADVISORY_SOURCES, ADVISORY_SYNC_URL, ADVISORY_SYNC_INTERVAL (0: no schedule). */
  advisorySync: { sources: string[]; url: string; intervalSeconds: number };
  /**
   * HTTPS_PROXY, HTTP_PROXY, NO_PROXY (or their lowercase spellings): the proxies of outbound HTTP, that is image
   * pulls and the advisory feed sync.
   */
  proxy: { httpsProxy?: string; httpProxy?: string; noProxy?: string };
  /**
   * Image scans: IMAGE_REGISTRIES, IMAGE_REGISTRY_INSECURE, IMAGE_MAX_BYTES, IMAGE_UPLOAD_IDLE_TIMEOUT_MS,
   * IMAGE_MAX_BINARY_BYTES, IMAGE_TAG_CACHE_SECONDS.
   */
  image: {
    registries: string[];
    insecureRegistries: string[];
    maxBytes: number;
    uploadIdleTimeoutMs: number;
    maxBinaryBytes: number;
    /** Seconds a tag's digest, looked up at submission, is reused (0: never). */
    tagCacheSeconds: number;
  };
}

// Only for development: deterministic so that every local process shares it. Production must set SCAN_INPUT_KEY.
const DEVELOPMENT_INPUT_KEY = createHash("sha256").update("secapi-development-scan-input-key").digest();

function formatIssues(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const name = prefix + issue.path.join(".");
    return `${name}: ${issue.message}`;
  });
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Parses and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so that `FOO= pnpm start` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error));
  const e = parsed.data;

  let tiers = DEFAULT_TIER_LIMITS;
  const ttlOverrides = {
    free: { result_ttl_seconds: e.CACHE_TTL_FREE },
    starter: { result_ttl_seconds: e.CACHE_TTL_STARTER },
    pro: { result_ttl_seconds: e.CACHE_TTL_PRO },
    business: { result_ttl_seconds: e.CACHE_TTL_BUSINESS },
  } satisfies Record<Tier, object>;
  tiers = mergeTierLimits(tiers, ttlOverrides);
  if (e.TIER_LIMITS !== undefined) {
    const overrides = tierOverridesSchema.safeParse(e.TIER_LIMITS);
    if (!overrides.success) throw new ConfigError(formatIssues(overrides.error, "TIER_LIMITS."));
    tiers = mergeTierLimits(tiers, overrides.data);
  }

  const redisProblems = (["REDIS_URL", "REDIS_CACHE_URL"] as const).flatMap((name) => {
    try {
      redisTarget(e[name]);
      return [];
    } catch (error) {
      return [`${name}: ${(error as Error).message}`];
    }
  });
  if (redisProblems.length) throw new ConfigError(redisProblems);

  if (e.NODE_ENV === "production" && e.SCAN_INPUT_KEY === undefined) {
    throw new ConfigError(["SCAN_INPUT_KEY: required when NODE_ENV=production (openssl rand -base64 32)"]);
  }

  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    db: {
      poolMax: e.DB_POOL_MAX,
      connectionTimeoutMs: e.DB_CONNECTION_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      idleTimeoutMs: e.DB_IDLE_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    redisCacheUrl: e.REDIS_CACHE_URL,
    queuePrefix: queuePrefixes(e.QUEUE_PREFIX, e.REDIS_URL),
    port: e.PORT,
    scanWorkerPort: e.SCAN_WORKER_PORT,
    cacheWorkerPort: e.CACHE_WORKER_PORT,
    cacheEnabled: e.CACHE_ENABLED,
    tiers,
    rateLimitFailMode: e.RATE_LIMIT_FAIL_MODE,
    cacheRedisTimeoutMs: e.CACHE_REDIS_TIMEOUT_MS,
    rateLimitRedisTimeoutMs: e.RATE_LIMIT_REDIS_TIMEOUT_MS,
    anonRateLimitPerMinute: e.ANON_RATE_LIMIT_PER_MINUTE,
    scanWorker: {
      concurrency: e.SCAN_WORKER_CONCURRENCY,
      attempts: e.SCAN_JOB_ATTEMPTS,
      lockDurationMs: e.SCAN_JOB_LOCK_MS,
    },
    scanInputKey: e.SCAN_INPUT_KEY ? Buffer.from(e.SCAN_INPUT_KEY, "base64") : DEVELOPMENT_INPUT_KEY,
    scanInputKeyIsDevelopmentDefault: e.SCAN_INPUT_KEY === undefined,
    bootstrapAdminKey: e.BOOTSTRAP_ADMIN_KEY,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    advisorySync: {
      sources: e.ADVISORY_SOURCES.split(","),
      url: e.ADVISORY_SYNC_URL.replace(/\/+$/, ""),
      intervalSeconds: e.ADVISORY_SYNC_INTERVAL,
    },
    proxy: firstSpellings({
      httpsProxy: [e.HTTPS_PROXY, e.https_proxy],
      httpProxy: [e.HTTP_PROXY, e.http_proxy],
      noProxy: [e.NO_PROXY, e.no_proxy],
    }),
    image: {
      registries: e.IMAGE_REGISTRIES,
      insecureRegistries: e.IMAGE_REGISTRY_INSECURE,
      maxBytes: e.IMAGE_MAX_BYTES,
      uploadIdleTimeoutMs: e.IMAGE_UPLOAD_IDLE_TIMEOUT_MS,
      maxBinaryBytes: e.IMAGE_MAX_BINARY_BYTES,
      tagCacheSeconds: e.IMAGE_TAG_CACHE_SECONDS,
    },
  };
}

/** For process entry points: a bad environment prints what is wrong and exits 1 instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Each field's first non-empty spelling, and only the fields that have one (an empty variable means unset). */
function firstSpellings<K extends string>(fields: Record<K, (string | undefined)[]>): Partial<Record<K, string>> {
  const set: Partial<Record<K, string>> = {};
  for (const [name, spellings] of Object.entries(fields) as [K, (string | undefined)[]][]) {
    const value = spellings.find((spelling) => spelling !== undefined && spelling !== "");
    if (value !== undefined) set[name] = value;
  }
  return set;
}
