import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../apps/api/src/openapi/openapi-document.js";
import { envSchema } from "../../packages/config/src/env-schema.js";
import { DEFAULT_TIER_LIMITS, TIERS } from "../../packages/config/src/tiers.js";
import { createMetrics } from "../../packages/metrics/src/create-metrics.js";

/**
 * The references in docs/ are written for users; these tests hold them to what the code does, so a route, a
 * variable, a metric or a tier cell cannot change in one place only.
 */
const read = (path: string) => readFileSync(new URL(`../../docs/${path}`, import.meta.url), "utf8");

/** The rows of the first Markdown table after `heading`, as arrays of cells (backticks kept). */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const lines = markdown.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The document itself and the web pages, which the OpenAPI document does not describe. */
const NOT_DESCRIBED = new Set(["GET /openapi.json", "GET /docs", "GET /admin/queues"]);

describe("docs/API.md agrees with the code", () => {
  it("lists exactly the routes of the OpenAPI document", () => {
    const documented = tableAfter(read("API.md"), "## Routes").flatMap(([route]) =>
      // "`GET /openapi.json`, `GET /docs`" names two routes in one row.
      codeSpans(route!).map((r) => r.replace(/\?.*$/, "").replace(/:(\w+)/g, "{$1}")),
    );
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const described = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.filter((r) => !NOT_DESCRIBED.has(r)).sort()).toEqual(described.sort());
  });

  it("states the default tier table", () => {
    const rows = tableAfter(read("API.md"), "## Tiers and limits");
    const number = (cell: string) => Number(cell.replace(/,/g, ""));
    const seconds = (cell: string) => Number(cell.split(" ")[0]) * ({ h: 3600, d: 86400 } as Record<string, number>)[cell.split(" ")[1]!]!;
    expect(rows.map((r) => r[0])).toEqual([...TIERS]);
    for (const [tier, perMinute, perHour, perMonth, ttl] of rows) {
      expect(
        {
          requests_per_minute: number(perMinute!),
          scans_per_hour: number(perHour!),
          scans_per_month: number(perMonth!),
          result_ttl_seconds: seconds(ttl!),
        },
        tier,
      ).toEqual(DEFAULT_TIER_LIMITS[tier as (typeof TIERS)[number]]);
    }
  });
});

describe("docs/OPERATIONS.md agrees with the code", () => {
  it("documents every environment variable the apps read, and no other", () => {
    // A row may name several variables read together (`HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, lowercase too).
    const documented = tableAfter(read("OPERATIONS.md"), "## Environment").flatMap(([variable]) => codeSpans(variable!));
    expect(documented.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("gives each variable's default as the code does", () => {
    for (const [variable, defaultCell] of tableAfter(read("OPERATIONS.md"), "## Environment")) {
      const name = codeSpans(variable!)[0]!;
      const field = envSchema.shape[name as keyof typeof envSchema.shape];
      const parsed = field.safeParse(undefined);
      const stated = codeSpans(defaultCell!)[0];
      if (parsed.success && parsed.data !== undefined && stated !== undefined) expect(String(parsed.data), name).toBe(stated);
    }
  });

  it("lists every SecAPI metric with its type and labels", async () => {
    const rows = tableAfter(read("OPERATIONS.md"), "## Metrics");
    const documented = Object.fromEntries(
      rows.map(([name, type, labels]) => [codeSpans(name!)[0], { type, labels: codeSpans(labels!).sort() }]),
    );
    const metrics = createMetrics({ service: "docs-test" });
    const registered = metrics.registry.getMetricsAsArray().filter((m) => m.name.startsWith("secapi_"));
    // prom-client keeps a metric's label names on the instance (not in its public typings).
    const labelNames = (metric: object) => ((metric as { labelNames?: string[] }).labelNames ?? []).filter((l) => l !== "service");
    const actual = Object.fromEntries(
      await Promise.all(registered.map(async (m) => [m.name, { type: (await m.get()).type, labels: labelNames(m).sort() }] as const)),
    );
    expect(Object.keys(documented).sort()).toEqual(Object.keys(actual).sort());
    for (const [name, metric] of Object.entries(actual)) expect(documented[name], name).toEqual(metric);
  });
});
