import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../apps/api/src/openapi/openapi-document.js";
import { envSchema } from "../../packages/config/src/env-schema.js";
import { DEFAULT_TIER_LIMITS, TIERS } from "../../packages/config/src/tiers.js";
import { createMetrics } from "../../packages/metrics/src/create-metrics.js";
import { eventDataSchemas } from "../../packages/events/src/event-schemas.js";

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

/** The text of every non-test TypeScript source under `dir` (relative to the repository root). */
function sources(dir: string): string[] {
  const root = new URL(`../../${dir}/`, import.meta.url);
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !/\.(test|bench|fixture)\.ts$/.test(file))
    .map((file) => readFileSync(new URL(file, root), "utf8"));
}

const matches = (texts: readonly string[], pattern: RegExp) => texts.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1]!));

/**
 * Every error code the API can answer with: the codes its routes and middleware give literally, and those of the
 * domain errors the error handler turns into responses (their `code` field, or the code they are constructed with).
 */
function emittedErrorCodes(): Set<string> {
  const api = sources("apps/api/src");
  const packages = ["packages/core/src", "packages/cache/src", "packages/scanners/src", "packages/db/src"].flatMap(sources);
  const dependencyErrors = readFileSync(
    new URL("../../packages/scanners/src/dependencies/dependency-input-error.ts", import.meta.url),
    "utf8",
  );
  return new Set([
    ...matches(api, /\b(?:HttpError|badRequest|conflict|unprocessable|unavailable)\(\s*(?:[\w.]+\s*,\s*)?"([a-z]+(?:_[a-z]+)+)"/g),
    ...matches(api, /\bcode: "([a-z]+(?:_[a-z]+)+)"/g),
    // Errors the API maps to a response keep their code in the class, or take it when constructed.
    ...matches(
      packages,
      /class (?:UserExistsError|UserNotFoundError|CacheUnavailableError|UnstorableInputError|WebhookTargetForbiddenError)\b[^{]*\{[^}]*?readonly code = "([a-z_]+)"/g,
    ),
    ...matches(packages, /new InputRefusedError\(\s*"([a-z_]+)"/g),
    ...matches([dependencyErrors.slice(0, dependencyErrors.indexOf(";"))], /"([a-z_]+)"/g),
  ]);
}

describe("docs/API.md states every error, event and header", () => {
  it("lists every error code the API can emit in its error table", () => {
    const documented = new Set(tableAfter(read("API.md"), "## Errors").flatMap(([, code]) => codeSpans(code!)));
    const emitted = emittedErrorCodes();
    // The scan for codes is live: it finds codes of each kind of source.
    expect([...emitted]).toEqual(
      expect.arrayContaining([
        "malformed_json",
        "rate_limited",
        "internal_error",
        "user_exists",
        "image_registry_not_allowed",
        "sbom_unsupported",
      ]),
    );
    expect([...emitted].filter((code) => !documented.has(code)).sort()).toEqual([]);
  });

  it("lists exactly the event types, each with the fields of its data", () => {
    const rows = tableAfter(read("API.md"), "## Events");
    expect(rows.map(([type]) => codeSpans(type!)[0]).sort()).toEqual(Object.keys(eventDataSchemas).sort());
    const byType = new Map(rows.map(([type, data]) => [codeSpans(type!)[0]!, data!]));
    for (const [type, schema] of Object.entries(eventDataSchemas)) {
      // `scan.failed`'s data is stated as "same as `scan.completed`".
      const data = byType.get(type)!.replace(/same as `([\w.]+)`/, (_m, other: string) => byType.get(other) ?? "");
      for (const field of Object.keys(schema.shape)) expect(codeSpans(data), `${type}.${field}`).toContain(field);
    }
  });

  it("describes every response header the OpenAPI document names and the API sets", () => {
    const documented = new Set(
      tableAfter(read("API.md"), "## Headers").flatMap(([header]) => codeSpans(header!).map((h) => h.split(":")[0]!.toLowerCase())),
    );
    const document = openApiDocument() as { paths: Record<string, Record<string, { responses: object }>>; components: { headers: object } };
    const named = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === "object" && value !== null) {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "headers" && typeof inner === "object" && inner !== null) for (const name of Object.keys(inner)) named.add(name);
          collect(inner);
        }
      }
    };
    collect(Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.responses)));
    collect((document.components as { responses?: object }).responses);
    const set = matches(sources("apps/api/src"), /\.(?:set|setHeader|header)\(\s*"([A-Z][A-Za-z-]+)"/g).filter(
      (name) => !/^Content-|^Connection$/.test(name),
    );
    expect(named.size).toBeGreaterThan(5);
    expect([...named, ...set].filter((name) => !documented.has(name.toLowerCase())).sort()).toEqual([]);
  });

  it("does not list what is built as not yet available", () => {
    const section = read("API.md").split("\n## Not yet available\n")[1]?.split("\n## ")[0] ?? "";
    for (const type of Object.keys(eventDataSchemas)) expect(section, type).not.toContain(`\`${type}\``);
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
