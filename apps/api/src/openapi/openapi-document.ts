import { createRequire } from "node:module";
import { TIERS } from "@secapi/config";
import { MAX_SCAN_LABELS, MAX_SCAN_LABEL_VALUE_LENGTH, SCAN_LABEL_KEY, SCAN_TYPES, type ScanTypeDefinition } from "@secapi/core";
import { SCAN_STATUSES, USER_ROLES } from "@secapi/db";
import { SCAN_ENGINES, SEVERITIES } from "@secapi/scanners";
import { z } from "zod";
import { MAX_ADVISORIES_PER_REQUEST } from "../advisories/advisory-body.js";
import { NO_STORE, REVALIDATE, VARY_CALLER } from "../http/cache-control.js";
import { MAX_BODY_BYTES } from "../middleware/json-body.js";
import { DEFAULT_LIST_LIMIT, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_LIST_LIMIT, MAX_WAIT_SECONDS } from "../routes/scans.routes.js";
import { resultSchemas } from "./result-schemas.js";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: "any", io: "input" });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });

const rateLimitHeaders = {
  "X-RateLimit-Limit": { $ref: "#/components/headers/XRateLimitLimit" },
  "X-RateLimit-Remaining": { $ref: "#/components/headers/XRateLimitRemaining" },
  "X-RateLimit-Reset": { $ref: "#/components/headers/XRateLimitReset" },
  "RateLimit-Policy": { $ref: "#/components/headers/RateLimitPolicy" },
  RateLimit: { $ref: "#/components/headers/RateLimit" },
};
const cacheStatus = { "X-Cache-Status": { $ref: "#/components/headers/XCacheStatus" } };
const vary = { Vary: { $ref: "#/components/headers/Vary" } };
const etag = { ETag: { $ref: "#/components/headers/ETag" } };
/** The `Cache-Control` headers of docs/API.md "HTTP caching", by kind of response. */
const caching = {
  noStore: { "Cache-Control": { $ref: "#/components/headers/CacheControlNoStore" } },
  revalidate: { "Cache-Control": { $ref: "#/components/headers/CacheControlRevalidate" } },
  scanView: { "Cache-Control": { $ref: "#/components/headers/CacheControlScanView" }, Age: { $ref: "#/components/headers/Age" } },
};
/** What a 304 carries: the validator and caching headers the 200 would have. */
const notModified = (cacheControl: Record<string, object>) => ({
  description: "If-None-Match matched: no body",
  headers: { ...etag, ...cacheControl, ...vary },
});

/**
 * A JSON response with the rate-limit headers every limited route carries and `Vary` (every body depends on the
 * caller); `Cache-Control: no-store` unless the route's caching headers are given.
 */
function ok(description: string, schema: object, extraHeaders: Record<string, object> = {}) {
  return { description, headers: { ...rateLimitHeaders, ...caching.noStore, ...vary, ...extraHeaders }, content: json(schema) };
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]));

const ERROR_TEXT: Record<number, string> = {
  400: "Malformed JSON, wrong fields, bad parameters, a malformed URL escape, or a string that cannot be stored (U+0000, an unpaired surrogate); `issues` names each path",
  401: "Missing, unknown or revoked API key",
  403: "Not an administrator",
  404: "Not found (another user's scan looks the same)",
  409: "Conflict",
  413: `Body over ${MAX_BODY_BYTES / 1024 / 1024} MB (an image archive: over IMAGE_MAX_BYTES)`,
  415: "Content-Type is not JSON (nor, on POST /api/v1/scan/image, application/x-tar)",
  422: "Well-formed but unusable (lockfile, SBOM, advisory, Idempotency-Key reuse, a decoded value that cannot be stored, a forbidden webhook URL); a `dependencies` ecosystem or lockfile format SecAPI does not read is `unsupported_ecosystem` / `unsupported_format`, its `issues` listing the supported values",
  429: "Rate limit or scan quota exceeded",
  503: "A dependency is unavailable: `database_unavailable` while Postgres is down, `rate_limit_unavailable` (RATE_LIMIT_FAIL_MODE=closed while Redis is down), `cache_unavailable`; Retry-After says when to try again",
};

const idempotencyKeyParam = { name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: MAX_IDEMPOTENCY_KEY_LENGTH } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
// Enums and variants come from the registries and the tier table, so a new scan type or tier appears here by itself.
const scanTypes = { type: "string", enum: Object.keys(SCAN_TYPES) };
const scanTypesAndAliases = { type: "string", enum: Object.values(SCAN_TYPES).flatMap((t) => [t.name, ...(t.aliases ?? [])]) };
const scanStatuses = { type: "string", enum: [...SCAN_STATUSES] };
const tiers = { type: "string", enum: [...TIERS] };
/** The component name of a scan type's input schema: `dependencies` → `DependenciesInput`. */
const inputSchemaName = (typeName: string) => `${typeName.replace(/(^|[-_])(\w)/g, (_m, _sep, c: string) => c.toUpperCase())}Input`;

/** Every example of every scan type, named `<type>-<example>`, with `valueOf` shaping each body. */
const requestExamples = (valueOf: (type: string, input: unknown) => unknown) =>
  Object.fromEntries(
    Object.values(SCAN_TYPES).flatMap((type) =>
      Object.entries(type.docs.examples).map(([name, example]) => [
        `${type.name}-${name}`,
        { summary: `${type.name}: ${example.summary}`, value: valueOf(type.name, example.value) },
      ]),
    ),
  );
/** A scan type's input schema with its examples (JSON Schema `examples`), so each component shows them too. */
const inputSchema = (type: ScanTypeDefinition) => ({
  ...jsonSchema(type.inputSchema),
  examples: Object.values(type.docs.examples).map((example) => example.value),
});

/** `POST /api/v1/scan/<name>` of each type that takes an upload besides JSON (an image archive). */
function uploadRoutes(): Record<string, Record<string, object>> {
  return Object.fromEntries(
    Object.values(SCAN_TYPES).flatMap((type) => {
      const upload = type.docs.upload;
      if (!upload) return [];
      const operation = {
        summary: upload.summary,
        description: upload.description,
        parameters: [
          idempotencyKeyParam,
          {
            name: "label",
            in: "query",
            style: "deepObject",
            description: "`label.<key>=<value>`: the scan's labels",
            schema: ref("Labels"),
          },
        ],
        requestBody: {
          required: true,
          content: {
            [upload.mediaType]: { schema: { type: "string", contentMediaType: upload.mediaType } },
            ...json(ref(inputSchemaName(type.name))),
          },
        },
        responses: {
          "200": ok("Answered from a cached result", ref("Scan"), cacheStatus),
          "202": ok("Accepted", ref("Scan"), { ...cacheStatus, Location: { schema: { type: "string" } } }),
          ...errors(400, 401, 413, 415, 422, 429, 503),
        },
      };
      return [[`/api/v1/scan/${type.name}`, { post: operation }]];
    }),
  );
}

/** The tags that group the operations, in the order `/docs` shows them. */
const TAGS = [
  { name: "Scans", description: "Submit scans, poll them, list and delete them" },
  { name: "Account", description: "The caller's limits, usage and scan statistics" },
  { name: "Advisories", description: "The advisory database the dependency scans match against" },
  { name: "Cache", description: "The result cache: counters, health, and (admins) invalidation" },
  { name: "Admin", description: "Administrators: users and advisory imports" },
  { name: "Operations", description: "Health, readiness and metrics for orchestrators and Prometheus (not under /api/v1)" },
];

/** An operation's tag, by its path: a route added later is tagged by where it lives. */
function tagOf(path: string): string {
  if (path.startsWith("/api/v1/admin/")) return "Admin";
  if (path.startsWith("/api/v1/cache/")) return "Cache";
  if (path.startsWith("/api/v1/advisories")) return "Advisories";
  if (path === "/api/v1/usage" || path === "/api/v1/stats") return "Account";
  if (path.startsWith("/api/v1/scan")) return "Scans";
  return "Operations";
}

/** `paths` with every operation tagged (`tagOf`). */
function tagged(paths: Record<string, Record<string, object>>): Record<string, Record<string, object>> {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, { tags: [tagOf(path)], ...operation }])),
    ]),
  );
}

/** The OpenAPI 3.1 description of the HTTP API (docs/API.md "Routes"), served at `/openapi.json`. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "SecAPI",
      version,
      description:
        "Self-hosted security scanning: leaked secrets, vulnerable dependencies, SBOMs. Submit a scan, poll it " +
        "(`?wait=N` holds the poll), read results from the cache. Every route under /api/v1 is rate limited.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { apiKey: [] }],
    tags: TAGS,
    paths: tagged({
      "/api/v1/scans": {
        post: {
          summary: "Submit a scan",
          description:
            "202 with the queued scan and Location for a new run; 200 with `cached: true` and the result when a fresh, " +
            "current result of the same input exists (no scan quota used): the caller's first such answer records a cached scan, " +
            "and their later submissions of that input get the same scan back. Identical inputs in flight share one run. " +
            "A stored result is current while no advisory of any package it covers was added, changed or withdrawn after " +
            "it was computed, and no advisory it matched has reached its `withdrawn` time; otherwise it is never served " +
            "again and the submission runs the scan.",
          parameters: [idempotencyKeyParam],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: ref("ScanSubmission"),
                examples: requestExamples((type, input) => ({ type, input })),
              },
            },
          },
          responses: {
            "200": ok("Answered from a cached result", ref("Scan"), cacheStatus),
            "202": ok("Accepted", ref("Scan"), { ...cacheStatus, Location: { schema: { type: "string" } } }),
            ...errors(400, 401, 413, 415, 422, 429, 503),
          },
        },
        get: {
          summary: "List the caller's scans, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT } },
            { name: "cursor", in: "query", schema: { type: "string" } },
            { name: "status", in: "query", schema: scanStatuses },
            { name: "type", in: "query", schema: scanTypes },
            {
              name: "label",
              in: "query",
              style: "deepObject",
              description:
                "`label.<key>=<value>`: only scans carrying that label; several filters AND together (e.g. `?label.project=web&label.ref=main`).",
              schema: ref("Labels"),
            },
          ],
          responses: {
            "200": ok("A page", ref("ScanList"), { ...cacheStatus, ...etag, ...caching.revalidate }),
            "304": notModified(caching.revalidate),
            ...errors(400, 401, 429),
          },
        },
      },
      "/api/v1/scan/{type}": {
        post: {
          summary: "Submit a scan with the input as the body",
          description:
            '`docker` is an alias of `image` (`{"image": "nginx:1.24"}`); an image input with an SBOM (`{"image": "nginx:1.24", "sbom": {...}}`) ' +
            "is an `sbom` scan: the SBOM is used, nothing is pulled. A `labels` key of the body is the scan's " +
            "labels (see `Labels`), not part of the input.",
          parameters: [{ name: "type", in: "path", required: true, schema: scanTypesAndAliases }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { oneOf: Object.keys(SCAN_TYPES).map((name) => ref(inputSchemaName(name))) },
                examples: requestExamples((_type, input) => input),
              },
            },
          },
          responses: {
            "200": ok("Answered from a cached result", ref("Scan"), cacheStatus),
            "202": ok("Accepted", ref("Scan"), cacheStatus),
            ...errors(400, 401, 413, 415, 422, 429, 503),
          },
        },
      },
      "/api/v1/scans/{id}": {
        get: {
          summary: `One scan; \`?wait=N\` holds the request until it finishes (N ≤ ${MAX_WAIT_SECONDS})`,
          parameters: [idParam, { name: "wait", in: "query", schema: { type: "integer", minimum: 0, maximum: MAX_WAIT_SECONDS } }],
          responses: {
            "200": ok("The scan (Retry-After: 1 while queued or running)", ref("Scan"), { ...cacheStatus, ...etag, ...caching.scanView }),
            "304": notModified(caching.scanView),
            ...errors(400, 401, 404, 429),
          },
        },
        delete: {
          summary: "Delete a scan",
          parameters: [idParam],
          responses: {
            "204": { description: "Deleted", headers: { ...rateLimitHeaders, ...caching.noStore, ...vary } },
            ...errors(400, 401, 404, 429),
          },
        },
      },
      "/api/v1/usage": {
        get: {
          summary: "Tier and every limit with used/remaining/reset",
          responses: { "200": ok("Usage", ref("Usage")), ...errors(401, 429) },
        },
      },
      "/api/v1/stats": {
        get: {
          summary: "Scans by status and type, findings by severity",
          responses: {
            "200": ok("Stats", ref("Stats"), { ...cacheStatus, ...etag, ...caching.revalidate }),
            "304": notModified(caching.revalidate),
            ...errors(401, 429),
          },
        },
      },
      "/api/v1/advisories/status": {
        get: {
          summary: "The advisory database: advisories held and the last feed sync, per ecosystem",
          description:
            "Live (not cached). `freshness` is `stale` once an ecosystem of ADVISORY_SOURCES has not synced successfully for two intervals; always `fresh` when the schedule is off.",
          responses: {
            "200": ok("Status", ref("AdvisoryStatus"), { ...cacheStatus, ...etag, ...caching.revalidate }),
            "304": notModified(caching.revalidate),
            ...errors(401, 429),
          },
        },
      },
      "/api/v1/advisories/{id}": {
        get: {
          summary: "One stored advisory (OSV, as SecAPI normalised it), by id or by alias (e.g. a CVE id)",
          description: "Cached, and dropped with the results of its packages when an import or a sync changes it.",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", maxLength: 200 } }],
          responses: {
            "200": ok("Advisory", ref("Advisory"), { ...cacheStatus, ...etag, ...caching.revalidate }),
            "304": notModified(caching.revalidate),
            ...errors(401, 404, 429),
          },
        },
      },
      "/api/v1/cache/stats": {
        get: { summary: "Cache counters", responses: { "200": ok("Cache statistics", ref("CacheStats")), ...errors(401, 429) } },
      },
      "/api/v1/cache/keys": {
        get: {
          summary: "Number of cache entries",
          responses: { "200": ok("Count", { type: "object", properties: { keys: { type: "integer" } } }), ...errors(401, 429, 503) },
        },
        delete: {
          summary: "Admin: drop the entries whose keys match a Redis glob (SCAN on every master), in Redis and every API's memory",
          description:
            "The pattern names the cache prefix and the key type literally (`secapi:result:dependencies:*`, `secapi:user:<id>:*`, " +
            "`secapi:scan:*`): `*` alone, patterns outside the prefix and the cache's bookkeeping are 400 `invalid_pattern`; " +
            "to drop everything use DELETE /api/v1/cache/flush.",
          parameters: [
            {
              name: "pattern",
              in: "query",
              required: true,
              schema: { type: "string", maxLength: 512 },
              example: "secapi:result:dependencies:*",
            },
          ],
          responses: { "200": ok("Deleted", ref("Deleted")), ...errors(400, 401, 403, 429, 503) },
        },
      },
      "/api/v1/cache/health": {
        get: {
          summary: "Cache Redis reachability",
          responses: { "200": ok("Connected", ref("CacheHealth")), "503": ok("Disconnected", ref("CacheHealth")), ...errors(401, 429) },
        },
      },
      "/api/v1/cache/flush": {
        delete: {
          summary: "Admin: drop every cache entry",
          responses: { "200": ok("Deleted", ref("Deleted")), ...errors(401, 403, 429, 503) },
        },
      },
      "/api/v1/cache/tags/{tag}": {
        delete: {
          summary: "Admin: drop the entries carrying a tag (user:<id>, scan:<id>, pkg:<ecosystem>/<name>)",
          parameters: [{ name: "tag", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": ok("Deleted", ref("Deleted")), ...errors(400, 401, 403, 429, 503) },
        },
      },
      "/api/v1/admin/users": {
        post: {
          summary: "Admin: create a user; the API key is shown once",
          requestBody: { required: true, content: json(ref("UserCreate")) },
          responses: { "201": ok("Created", ref("CreatedUser")), ...errors(400, 401, 403, 409, 429) },
        },
      },
      "/api/v1/admin/users/{id}": {
        patch: {
          summary: "Admin: change a tier (next request) and/or the webhook URL (the signing secret is returned once)",
          description:
            "A webhook URL that is or resolves to a loopback, private, link-local or metadata address is 422 `webhook_url_forbidden` unless WEBHOOK_ALLOW_PRIVATE=true.",
          parameters: [idParam],
          requestBody: { required: true, content: json(ref("UserPatch")) },
          responses: { "200": ok("Updated", ref("User")), ...errors(400, 401, 403, 404, 422, 429) },
        },
      },
      "/api/v1/admin/advisories": {
        post: {
          summary: "Admin: upsert OSV advisories (all or none)",
          requestBody: {
            required: true,
            content: json({ type: "array", items: { type: "object" }, minItems: 1, maxItems: MAX_ADVISORIES_PER_REQUEST }),
          },
          responses: { "200": ok("Stored", ref("AdvisoryImport")), ...errors(400, 401, 403, 422, 429) },
        },
      },
      "/health": {
        get: {
          summary: "Can this process serve anything? (never rate limited)",
          security: [],
          responses: {
            "200": {
              description: "Serving (`degraded`: some requests answer 503)",
              headers: caching.noStore,
              content: json(ref("Health")),
            },
            "503": { description: "Postgres and both Redis down", headers: caching.noStore, content: json(ref("Health")) },
          },
        },
      },
      "/ready": {
        get: {
          summary: "200 only when Postgres and the queue Redis answer",
          security: [],
          responses: {
            "200": { description: "Ready", headers: caching.noStore },
            "503": { description: "Not ready", headers: caching.noStore },
          },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus text format (Bearer METRICS_TOKEN if set)",
          security: [],
          responses: {
            "200": { description: "Metrics", headers: caching.noStore, content: { "text/plain": { schema: { type: "string" } } } },
          },
        },
      },
      ...uploadRoutes(),
      "/live": {
        get: {
          summary: "Liveness: answered by the event loop without asking any dependency (never rate limited)",
          security: [],
          responses: { "200": { description: "Alive", headers: caching.noStore } },
        },
      },
    }),
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Authorization: Bearer <api key>" },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      headers: {
        XRateLimitLimit: { description: "Limit of the policy nearest exhaustion", schema: { type: "integer" } },
        XRateLimitRemaining: { description: "Remaining in that policy", schema: { type: "integer" } },
        XRateLimitReset: { description: "When that policy frees, Unix epoch seconds", schema: { type: "integer" } },
        RateLimitPolicy: {
          description: 'draft-ietf-httpapi-ratelimit-headers, e.g. `"minute";q=20;w=60, "scans-month";q=100`',
          schema: { type: "string" },
        },
        RateLimit: { description: 'e.g. `"minute";r=19;t=42`', schema: { type: "string" } },
        XCacheStatus: { description: "How the cache answered", schema: { type: "string", enum: ["HIT", "MISS", "STALE", "BYPASS"] } },
        ETag: { description: "Strong validator of the body; send it back in `If-None-Match` for a 304", schema: { type: "string" } },
        Vary: { description: "Every /api/v1 body depends on the caller", schema: { type: "string", const: VARY_CALLER } },
        Age: {
          description: "Seconds since the view was rendered; only when it was served from the cache (X-Cache-Status HIT)",
          schema: { type: "integer", minimum: 0 },
        },
        CacheControlNoStore: {
          description: "Never stored: live state, submissions, admin answers, errors",
          schema: { type: "string", const: NO_STORE },
        },
        CacheControlRevalidate: {
          description: "May be kept by the caller, revalidated with If-None-Match before each use",
          schema: { type: "string", const: REVALIDATE },
        },
        CacheControlScanView: {
          description:
            "A finished scan with a current result: `private, max-age=<s>`, fresh until the first of the view's cache entry expiring, " +
            "the caller's tier TTL, the result's `valid_until` (`max-age` counts from rendering: a client keeps it `max-age − Age` more " +
            `seconds). Queued or running (with Retry-After: 1), or an outdated result: \`${REVALIDATE}\`.`,
          schema: { type: "string", examples: ["private, max-age=3600", REVALIDATE] },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [
          `E${status}`,
          {
            description,
            content: json(ref(status === "429" ? "RateLimited" : "Error")),
            headers: {
              ...caching.noStore,
              ...vary,
              ...(status === "429" && { "Retry-After": { schema: { type: "integer" } }, ...rateLimitHeaders }),
            },
          },
        ]),
      ),
      schemas: {
        ...Object.fromEntries(Object.values(SCAN_TYPES).map((t) => [inputSchemaName(t.name), inputSchema(t)])),
        ScanSubmission: {
          oneOf: Object.values(SCAN_TYPES).map((t) => ({
            type: "object",
            required: ["type", "input"],
            additionalProperties: false,
            properties: { type: { const: t.name }, input: ref(inputSchemaName(t.name)), labels: ref("Labels") },
          })),
        },
        Labels: {
          type: "object",
          description:
            'The submitter\'s labels (`{"project": "web", "ref": "main", "commit": "…"}`): stored on the scan, returned on it and ' +
            "filterable in lists (`?label.project=web`), never part of the input's hash (scans of one input with different labels share one result).",
          maxProperties: MAX_SCAN_LABELS,
          propertyNames: { pattern: SCAN_LABEL_KEY.source },
          additionalProperties: { type: "string", minLength: 1, maxLength: MAX_SCAN_LABEL_VALUE_LENGTH },
        },
        Summary: {
          type: "object",
          description: "Findings by severity; the keys always come in this order",
          required: [...SEVERITIES, "total"],
          properties: Object.fromEntries([...SEVERITIES, "total"].map((s) => [s, { type: "integer", minimum: 0 }])),
        },
        ...resultSchemas(Object.values(SCAN_TYPES).map((type) => ({ type: type.name, result: SCAN_ENGINES[type.engine].result }))),
        Scan: {
          type: "object",
          required: ["id", "type", "status", "cached", "labels", "created_at", "started_at", "completed_at", "findings_changed_at"],
          properties: {
            id: { type: "string", format: "uuid" },
            type: scanTypes,
            status: scanStatuses,
            cached: { type: "boolean" },
            labels: ref("Labels"),
            created_at: { type: "string", format: "date-time" },
            started_at: { type: ["string", "null"], format: "date-time" },
            completed_at: { type: ["string", "null"], format: "date-time" },
            findings_changed_at: {
              type: ["string", "null"],
              format: "date-time",
              description: "When a re-run against changed advisories found different findings than this scan had; null: never.",
            },
            result: ref("Result"),
            summary: ref("Summary"),
            outdated: {
              const: true,
              description:
                "The scan's result was computed against advisories that have changed since: it is not shown (nor its summary). Submit the input again for a current answer.",
            },
            error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } },
          },
        },
        ScanList: {
          type: "object",
          properties: { items: { type: "array", items: ref("Scan") }, next_cursor: { type: ["string", "null"] } },
        },
        Error: {
          type: "object",
          required: ["error", "code"],
          properties: {
            error: { type: "string" },
            code: { type: "string" },
            issues: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
          },
        },
        RateLimited: {
          type: "object",
          properties: {
            error: { const: "Rate limit exceeded" },
            code: { const: "rate_limited" },
            retry_after: { type: "integer" },
            limit: { type: "integer" },
            window: { type: "string" },
            window_seconds: { type: "integer" },
          },
        },
        Limit: {
          type: "object",
          properties: Object.fromEntries(["limit", "used", "remaining", "reset", "reset_in_seconds"].map((k) => [k, { type: "integer" }])),
        },
        Usage: {
          type: "object",
          properties: {
            tier: tiers,
            limits: {
              type: "object",
              properties: { requests_per_minute: ref("Limit"), scans_per_hour: ref("Limit"), scans_per_month: ref("Limit") },
            },
            result_ttl_seconds: { type: "integer" },
            degraded: { type: "boolean" },
          },
        },
        Stats: {
          type: "object",
          properties: {
            total: { type: "integer" },
            by_status: { type: "object", additionalProperties: { type: "integer" } },
            by_type: { type: "object", additionalProperties: { type: "integer" } },
            outdated: { type: "integer", description: "Completed scans whose result is no longer current (not summed below)" },
            findings_by_severity: ref("Summary"),
          },
        },
        CacheStats: {
          type: "object",
          properties: {
            enabled: { type: "boolean" },
            connected: { type: "boolean" },
            hits: { type: "integer" },
            misses: { type: "integer" },
            stale_hits: { type: "integer" },
            sets: { type: "integer" },
            errors: { type: "integer" },
            hit_rate: { type: "number" },
            keys: { type: ["integer", "null"] },
            l1: { type: "object", properties: { entries: { type: "integer" }, bytes: { type: "integer" } } },
            by_key_type: {
              type: "object",
              description: "Counters by key type (`result`, `scan`, `user`, `auth`)",
              additionalProperties: {
                type: "object",
                properties: Object.fromEntries(["hits", "misses", "stale_hits", "sets"].map((k) => [k, { type: "integer" }])),
              },
            },
            redis_info: {
              type: "object",
              description: "Admins only: the cache Redis's memory and clients (`null` while it does not answer)",
              properties: { used_memory: { type: ["integer", "null"] }, connected_clients: { type: ["integer", "null"] } },
            },
          },
        },
        CacheHealth: {
          type: "object",
          properties: { status: { enum: ["connected", "disconnected"] }, latency_ms: { type: ["number", "null"] } },
        },
        Deleted: { type: "object", properties: { deleted_keys: { type: "integer" } } },
        UserCreate: {
          type: "object",
          required: ["email", "tier"],
          additionalProperties: false,
          properties: { email: { type: "string", format: "email" }, tier: tiers, role: { enum: [...USER_ROLES] } },
        },
        UserPatch: {
          type: "object",
          additionalProperties: false,
          properties: { tier: tiers, webhook_url: { type: ["string", "null"], format: "uri" } },
        },
        User: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            email: { type: "string" },
            tier: { type: "string" },
            role: { type: "string" },
            webhook_url: { type: ["string", "null"] },
            webhook_secret: { type: "string", description: "Only when the webhook URL was just set" },
            created_at: { type: "string", format: "date-time" },
          },
        },
        CreatedUser: { allOf: [ref("User"), { type: "object", properties: { api_key: { type: "string", description: "Shown once" } } }] },
        AdvisoryImport: {
          type: "object",
          properties: {
            received: { type: "integer" },
            imported: { type: "integer" },
            unchanged: { type: "integer" },
            events: {
              type: "array",
              items: { type: "object", properties: { ecosystem: { type: "string" }, packages: { type: "integer" } } },
            },
          },
        },
        Advisory: {
          type: "object",
          required: ["id", "modified", "aliases", "summary", "severity", "affected"],
          properties: {
            id: { type: "string" },
            modified: { type: "string", format: "date-time" },
            published: { type: "string", format: "date-time" },
            withdrawn: { type: "string", format: "date-time" },
            aliases: { type: "array", items: { type: "string" } },
            summary: { type: "string" },
            severity: { enum: [...SEVERITIES] },
            affected: { type: "array", items: { type: "object" } },
          },
        },
        AdvisoryStatus: {
          type: "object",
          properties: {
            sync: {
              type: "object",
              properties: { enabled: { type: "boolean" }, interval_seconds: { type: "integer" }, source: { type: "string" } },
            },
            freshness: { enum: ["fresh", "stale"] },
            ecosystems: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  ecosystem: { type: "string" },
                  advisories: { type: "integer" },
                  source: { type: ["string", "null"] },
                  last_sync: {
                    type: ["object", "null"],
                    properties: {
                      at: { type: ["string", "null"], format: "date-time" },
                      outcome: { enum: ["ok", "unchanged", "failed", null] },
                      duration_ms: { type: ["integer", "null"] },
                      error: { type: ["string", "null"] },
                      last_success_at: { type: ["string", "null"], format: "date-time" },
                      changed: { type: "integer" },
                    },
                  },
                },
              },
            },
          },
        },
        Health: {
          type: "object",
          properties: {
            status: { enum: ["ok", "degraded"] },
            advisories: { enum: ["fresh", "stale"], description: "Left out when Postgres does not answer in time" },
            redis_cache: { enum: ["connected", "disconnected"] },
            redis_queue: { enum: ["connected", "disconnected"] },
            database: { enum: ["connected", "disconnected"] },
          },
        },
      },
    },
  };
}
