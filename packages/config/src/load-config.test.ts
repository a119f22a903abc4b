import { codeSpans, docsTable } from "@secapi/testing";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { envSchema } from "./env-schema.js";
import { loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  it("applies the defaults of docs/OPERATIONS.md on an empty environment", () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/secapi");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379/0");
    expect(config.redisCacheUrl).toBe("redis://127.0.0.1:6379/1");
    expect(config.port).toBe(8000);
    expect(config.scanWorkerPort).toBe(9101);
    expect(config.cacheWorkerPort).toBe(9102);
    expect(config.cacheEnabled).toBe(true);
    expect(config.rateLimitFailMode).toBe("open");
    expect(config.cacheRedisTimeoutMs).toBe(50);
    expect(config.rateLimitRedisTimeoutMs).toBe(250);
    expect(config.anonRateLimitPerMinute).toBe(100);
    expect(config.scanWorker.concurrency).toBe(4);
    expect(config.tiers.free).toEqual({
      requests_per_minute: 20,
      scans_per_hour: 10,
      scans_per_month: 100,
      result_ttl_seconds: 3600,
    });
    expect(config.tiers.business.result_ttl_seconds).toBe(604800);
    expect(config.logLevel).toBe("info");
    expect(config.webhookAllowPrivate).toBe(false);
    expect(config.advisorySync).toEqual({
      sources: ["npm", "PyPI", "Go", "crates.io", "RubyGems", "Packagist", "NuGet", "Maven", "Pub", "Debian", "Alpine"],
      url: "https://osv-vulnerabilities.storage.googleapis.com",
      intervalSeconds: 3600,
    });
  });

  it("reads the image settings, with their defaults", () => {
    expect(loadConfig({}).image).toEqual({
      registries: ["docker.io", "ghcr.io", "quay.io", "gcr.io", "registry.k8s.io", "public.ecr.aws"],
      insecureRegistries: [],
      maxBytes: 2147483648,
      uploadIdleTimeoutMs: 60000,
      maxBinaryBytes: 268435456,
      tagCacheSeconds: 60,
    });
    const config = loadConfig({ IMAGE_UPLOAD_IDLE_TIMEOUT_MS: "5000", IMAGE_MAX_BINARY_BYTES: "1048576", IMAGE_TAG_CACHE_SECONDS: "0" });
    expect(config.image).toMatchObject({ uploadIdleTimeoutMs: 5000, maxBinaryBytes: 1048576, tagCacheSeconds: 0 });
    expect(() => loadConfig({ IMAGE_MAX_BINARY_BYTES: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ IMAGE_TAG_CACHE_SECONDS: "-1" })).toThrow(ConfigError);
  });

  it("reads the outbound proxies (image pulls, the advisory feed), either spelling, an empty value meaning unset", () => {
    expect(loadConfig({}).proxy).toEqual({});
    expect(
      loadConfig({ https_proxy: "http://proxy:3128", HTTP_PROXY: "http://other:3128", NO_PROXY: "", no_proxy: "registry.local" }).proxy,
    ).toEqual({
      httpsProxy: "http://proxy:3128",
      httpProxy: "http://other:3128",
      noProxy: "registry.local",
    });
  });

  it("reads the advisory feed sync settings, `off` or 0 turning the schedule off", () => {
    const config = loadConfig({
      ADVISORY_SOURCES: " npm, PyPI ,",
      ADVISORY_SYNC_URL: "http://mirror.local/osv/",
      ADVISORY_SYNC_INTERVAL: "off",
    });
    expect(config.advisorySync).toEqual({ sources: ["npm", "PyPI"], url: "http://mirror.local/osv", intervalSeconds: 0 });
    expect(loadConfig({ ADVISORY_SYNC_INTERVAL: "0" }).advisorySync.intervalSeconds).toBe(0);
    expect(() => loadConfig({ ADVISORY_SYNC_INTERVAL: "6 hours" })).toThrow(/ADVISORY_SYNC_INTERVAL/);
  });

  it("reads overrides and coerces types", () => {
    const config = loadConfig({ PORT: "9000", CACHE_ENABLED: "false", CACHE_TTL_PRO: "60", TRUST_PROXY: "2" });
    expect(config.port).toBe(9000);
    expect(config.cacheEnabled).toBe(false);
    expect(config.tiers.pro.result_ttl_seconds).toBe(60);
    expect(config.trustProxy).toBe(2);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: "true" }).webhookAllowPrivate).toBe(true);
  });

  it("treats an empty string as unset", () => {
    expect(loadConfig({ PORT: "" }).port).toBe(8000);
  });

  it("merges TIER_LIMITS cell by cell", () => {
    const config = loadConfig({ TIER_LIMITS: '{"business":{"requests_per_minute":1000000}}' });
    expect(config.tiers.business.requests_per_minute).toBe(1000000);
    expect(config.tiers.business.scans_per_hour).toBe(2000);
    expect(config.tiers.free.requests_per_minute).toBe(20);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ REDIS_URL: "http://localhost" }, "REDIS_URL"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ CACHE_ENABLED: "maybe" }, "CACHE_ENABLED"],
    [{ WEBHOOK_ALLOW_PRIVATE: "sometimes" }, "WEBHOOK_ALLOW_PRIVATE"],
    [{ RATE_LIMIT_FAIL_MODE: "sideways" }, "RATE_LIMIT_FAIL_MODE"],
    [{ TIER_LIMITS: "{not json" }, "TIER_LIMITS"],
    [{ TIER_LIMITS: '{"gold":{"requests_per_minute":1}}' }, "TIER_LIMITS"],
    [{ TIER_LIMITS: '{"free":{"requests_per_minute":-1}}' }, "TIER_LIMITS.free.requests_per_minute"],
    [{ SCAN_INPUT_KEY: "short" }, "SCAN_INPUT_KEY"],
    [{ NODE_ENV: "production" }, "SCAN_INPUT_KEY"],
    [{ BOOTSTRAP_ADMIN_KEY: "tiny" }, "BOOTSTRAP_ADMIN_KEY"],
  ])("rejects %o naming %s", (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(variable);
  });

  it("decodes a base64 SCAN_INPUT_KEY", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    const config = loadConfig({ SCAN_INPUT_KEY: key });
    expect(config.scanInputKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.scanInputKeyIsDevelopmentDefault).toBe(false);
  });
});

describe('docs/OPERATIONS.md "Environment"', () => {
  const rows = docsTable("docs/OPERATIONS.md", "Environment").map(([names, defaultValue]) => ({
    names: codeSpans(names!),
    defaultValue: defaultValue!,
  }));
  const parsedDefaults: Record<string, unknown> = envSchema.parse({});
  const shown = (value: unknown) => (Array.isArray(value) ? value.join(",") : value === undefined ? undefined : String(value));

  it("names exactly the variables the schema reads", () => {
    expect(rows.flatMap(({ names }) => names).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("states each variable's default as the schema applies it", () => {
    for (const { names, defaultValue } of rows) {
      const literal = /^`([^`]*)`$/.exec(defaultValue)?.[1];
      for (const name of names) {
        const applied = shown(parsedDefaults[name]);
        // "unset" is no value; a default told in words (a development key, by terminal) is chosen outside the schema.
        if (literal !== undefined) expect(applied, name).toBe(literal);
        else if (defaultValue === "unset") expect(applied || undefined, name).toBeUndefined();
        else expect(applied, `${name}: ${defaultValue}`).toBeUndefined();
      }
    }
  });
});
