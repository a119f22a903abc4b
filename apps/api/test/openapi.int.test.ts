import { readFileSync, readdirSync } from "node:fs";
import { SCAN_TYPES } from "@secapi/core";
import { runScan } from "@secapi/scanners";
import { REPO_ROOT, codeSpans, docsTable } from "@secapi/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

let api: TestApi;
let document: Record<string, any>;

beforeAll(async () => {
  api = await TestApi.start();
  document = (await api.request("GET", "/openapi.json")).body;
});
afterAll(() => api.close());

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator is live: a document without `info` is refused.
    expect((await new Validator().validate({ openapi: "3.1.0", paths: {} })).valid).toBe(false);
  });

  it("describes exactly the routes of docs/API.md", () => {
    const described = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // A cell may name several routes; `:param` is OpenAPI's `{param}`, and a query string is no part of the path.
    const documented = docsTable("docs/API.md", "Routes").flatMap(([routes]) =>
      codeSpans(routes!).map((route) => route.replace(/\?.*$/, "").replace(/:(\w+)/g, "{$1}")),
    );
    // The document does not describe itself, its viewer, or Bull Board's web page.
    const pages = ["GET /openapi.json", "GET /docs", "GET /admin/queues"];
    expect(documented).toEqual(expect.arrayContaining(pages));
    expect(described.sort()).toEqual(documented.filter((route) => !pages.includes(route)).sort());
  });

  it("documents Cache-Control and Vary on every /api/v1 response, as the API sends them", async () => {
    const resolve = (response: Record<string, any>) =>
      response.$ref ? document.components.responses[response.$ref.split("/").pop()] : response;
    const header = (response: Record<string, any>, name: string) => {
      const found = resolve(response).headers?.[name];
      return found?.$ref ? document.components.headers[found.$ref.split("/").pop()] : found;
    };
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      if (!path.startsWith("/api/v1/")) continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, Record<string, any>>)) {
          const where = `${method.toUpperCase()} ${path} ${status}`;
          expect(header(response, "Cache-Control"), where).toBeDefined();
          expect(header(response, "Vary")?.schema.const, where).toBe("Authorization, X-API-Key");
        }
      }
    }
    const documented = (path: string, method: string, status: string) =>
      header(document.paths[path][method].responses[status], "Cache-Control").schema;
    const user = await api.createUser("pro");
    const usage = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.headers.get("cache-control")).toBe(documented("/api/v1/usage", "get", "200").const);
    const list = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(list.headers.get("cache-control")).toBe(documented("/api/v1/scans", "get", "200").const);
    const error = await api.request("GET", "/api/v1/scans/nope", { key: user.key });
    expect(error.headers.get("cache-control")).toBe(documented("/api/v1/scans/{id}", "get", "400").const);
  });

  it("matches what the API really answers", async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: "secapi", components: document.components }, "secapi");
    const check = (name: string, value: unknown) => {
      const validate = ajv.getSchema(`secapi#/components/schemas/${name}`);
      if (!validate) throw new Error(`no schema ${name}`);
      expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const user = await api.createUser("pro");
    const body = { type: "secrets", input: secretsInput("openapi") };
    check("ScanSubmission", body);
    const submitted = await api.request("POST", "/api/v1/scans", { key: user.key, body });
    check("Scan", submitted.body);
    check("ScanList", (await api.request("GET", "/api/v1/scans", { key: user.key })).body);
    check("Usage", (await api.request("GET", "/api/v1/usage", { key: user.key })).body);
    check("Stats", (await api.request("GET", "/api/v1/stats", { key: user.key })).body);
    check("CacheStats", (await api.request("GET", "/api/v1/cache/stats", { key: user.key })).body);
    check("Health", (await api.request("GET", "/health")).body);
    check("Error", (await api.request("GET", "/api/v1/scans/nope", { key: user.key })).body);
    // The request schemas come from the same zod schemas the routes validate with: they refuse alike.
    const invalid = { type: "secrets", input: { files: [{ path: "a", content: "b", mode: 1 }] } };
    expect(ajv.getSchema("secapi#/components/schemas/ScanSubmission")?.(invalid)).toBe(false);
    expect((await api.request("POST", "/api/v1/scans", { key: user.key, body: invalid })).status).toBe(400);
  });
});

describe("the document as a client's guide", () => {
  const operations = () =>
    Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ where: `${method.toUpperCase()} ${path}`, operation })),
    );

  it("tags every operation with one of its declared tags", () => {
    const declared = (document.tags as { name: string }[]).map((tag) => tag.name);
    expect(declared).toEqual(expect.arrayContaining(["Scans", "Account", "Advisories", "Cache", "Admin"]));
    for (const { where, operation } of operations()) {
      expect(operation.tags, where).toHaveLength(1);
      expect(declared, where).toContain(operation.tags[0]);
    }
    const tagOf = (path: string, method: string) => document.paths[path][method].tags[0];
    expect(tagOf("/api/v1/scans", "post")).toBe("Scans");
    expect(tagOf("/api/v1/usage", "get")).toBe("Account");
    expect(tagOf("/api/v1/advisories/{id}", "get")).toBe("Advisories");
    expect(tagOf("/api/v1/cache/flush", "delete")).toBe("Cache");
    expect(tagOf("/api/v1/admin/users", "post")).toBe("Admin");
  });

  it("states the API package's version", () => {
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}apps/api/package.json`, "utf8")) as { version: string };
    expect(document.info.version).toBe(version);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version).not.toBe("0.0.0");
  });

  it("has examples for every scan type's input, which its schema accepts and both submission routes take", async () => {
    const user = await api.createUser("pro");
    const bodyExamples = document.paths["/api/v1/scans"].post.requestBody.content["application/json"].examples;
    const inputExamples = document.paths["/api/v1/scan/{type}"].post.requestBody.content["application/json"].examples;
    for (const type of Object.values(SCAN_TYPES)) {
      const examples = Object.entries(type.docs.examples);
      expect(examples.length, type.name).toBeGreaterThan(0);
      for (const [name, example] of examples) {
        const where = `${type.name}/${name}`;
        const parsed = type.inputSchema.safeParse(example.value);
        expect(parsed.error?.issues ?? [], where).toEqual([]);
        expect(() => type.canonicalize(parsed.data), where).not.toThrow();
        expect(bodyExamples[`${type.name}-${name}`].value, where).toEqual({ type: type.name, input: example.value });
        expect(inputExamples[`${type.name}-${name}`].value, where).toEqual(example.value);
        expect(document.components.schemas[`${type.name[0]!.toUpperCase()}${type.name.slice(1)}Input`].examples, where).toContainEqual(
          example.value,
        );
        const viaScans = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: type.name, input: example.value } });
        expect(viaScans.status, `${where}: ${JSON.stringify(viaScans.body)}`).toBeLessThan(300);
        const viaType = await api.request("POST", `/api/v1/scan/${type.name}`, { key: user.key, body: example.value });
        expect(viaType.status, `${where}: ${JSON.stringify(viaType.body)}`).toBeLessThan(300);
      }
    }
  });

  it("types every field of the findings the engines really produce for the examples", async () => {
    const admin = await api.createUser("business", "admin");
    const osv = `${REPO_ROOT}packages/scanners/test/fixtures/osv`;
    const advisories = readdirSync(osv)
      .filter((file) => file.endsWith(".json"))
      .map((file) => JSON.parse(readFileSync(`${osv}/${file}`, "utf8")));
    expect((await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: advisories })).status).toBe(200);

    // Findings must declare every field they carry: a field the document does not name fails here.
    const strict = (schema: Record<string, any>) => ({ ...schema, additionalProperties: false });
    const schemas = document.components.schemas;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(
      {
        $id: "strict",
        components: {
          schemas: { ...schemas, VulnerabilityFinding: strict(schemas.VulnerabilityFinding), SecretFinding: strict(schemas.SecretFinding) },
        },
      },
      "strict",
    );
    const validateResult = ajv.getSchema("strict#/components/schemas/Result")!;
    const seen = new Set<string>();
    for (const type of Object.values(SCAN_TYPES)) {
      const typeName = type.name;
      // A type that reads its input first (an image is pulled) has no offline run to check here; e2e covers it.
      if (type.resolveInput) continue;
      for (const [name, example] of Object.entries(type.docs.examples)) {
        const { task } = await type.prepareRun(api.db, type.canonicalize(type.inputSchema.parse(example.value)));
        const outcome = runScan(task);
        if (outcome.status !== "completed") throw new Error(`${typeName}/${name}: ${outcome.message}`);
        const { result } = outcome.output;
        expect(validateResult(result), `${typeName}/${name}: ${JSON.stringify(validateResult.errors)}`).toBe(true);
        expect(result.findings.length, `${typeName}/${name} finds something`).toBeGreaterThan(0);
        for (const finding of result.findings as object[]) for (const field of Object.keys(finding)) seen.add(field);
      }
    }
    // The examples exercise every field docs/API.md names, so each one was checked against its type above.
    const named = ["id", "aliases", "package", "version", "fixed_in", "cvss", "cwes", "published", "references", "direct", "path"];
    expect([...seen]).toEqual(expect.arrayContaining([...named, "rule_id", "line", "column", "redacted", "fingerprint"]));
  });
});

describe("GET /docs", () => {
  it("serves Swagger UI with its own assets, pointed at /openapi.json", async () => {
    const page = await api.request("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain('url: "/openapi.json"');
    for (const asset of ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]) {
      const response = await fetch(`${api.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
  });
});
