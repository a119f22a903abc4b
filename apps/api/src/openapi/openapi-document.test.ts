import { SCAN_TYPES } from "@secapi/core";
import { ECOSYSTEMS, LOCKFILE_FORMATS, SCAN_ENGINES } from "@secapi/scanners";
import { describe, expect, it } from "vitest";
import { MAX_ADVISORIES_PER_REQUEST } from "../advisories/advisory-body.js";
import { MAX_IDEMPOTENCY_KEY_LENGTH, MAX_LIST_LIMIT, MAX_WAIT_SECONDS } from "../routes/scans.routes.js";
import { openApiDocument } from "./openapi-document.js";
import { resultSchemas } from "./result-schemas.js";

/** Every `enum` in a JSON value, under the property name that holds it. */
function enumsByProperty(value: unknown, found: Record<string, unknown[]> = {}, key = ""): Record<string, unknown[]> {
  if (Array.isArray(value)) for (const item of value) enumsByProperty(item, found, key);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "enum" && Array.isArray(v)) found[key] = v;
      else enumsByProperty(v, found, k);
    }
  }
  return found;
}

type Json = Record<string, any>;

describe("openApiDocument", () => {
  it("takes the ecosystem and lockfile-format enums of DependenciesInput from the registries", () => {
    const schemas = openApiDocument().components as { schemas: Record<string, unknown> };
    const enums = enumsByProperty(schemas.schemas.DependenciesInput);
    expect(enums.ecosystem).toEqual([...ECOSYSTEMS]);
    expect(enums.format).toEqual([...LOCKFILE_FORMATS]);
  });

  it("names the 422 codes of an unsupported ecosystem or format, and keeps SecAPI's own registry out of the schemas", () => {
    const document = openApiDocument();
    const responses = (document.components as { responses: Record<string, { description: string }> }).responses;
    expect(responses.E422?.description).toContain("`unsupported_ecosystem` / `unsupported_format`");
    expect(JSON.stringify(document)).not.toContain('"code":"unsupported_format"');
  });

  it("shows every registered scan type: its input, submission variant, examples, result schema and own route", () => {
    const document = openApiDocument() as Json;
    const schemas = document.components.schemas as Json;
    const refs = (schema: Json) => (schema.oneOf as Json[]).map((one) => one.$ref as string);
    const scansBody = document.paths["/api/v1/scans"].post.requestBody.content["application/json"];
    const typeBody = document.paths["/api/v1/scan/{type}"].post.requestBody.content["application/json"];
    const findings = refs(schemas.Result.properties.findings.items);
    for (const type of Object.values(SCAN_TYPES)) {
      const inputName = `${type.name[0]!.toUpperCase()}${type.name.slice(1)}Input`;
      expect(schemas[inputName], type.name).toBeDefined();
      expect(
        (schemas.ScanSubmission.oneOf as Json[]).find((variant) => variant.properties.type.const === type.name)?.properties.input,
        type.name,
      ).toEqual({ $ref: `#/components/schemas/${inputName}` });
      expect(refs(typeBody.schema), type.name).toContain(`#/components/schemas/${inputName}`);
      expect(document.paths["/api/v1/scan/{type}"].post.parameters[0].schema.enum, type.name).toContain(type.name);
      expect(document.paths["/api/v1/scans"].get.parameters.find((p: Json) => p.name === "type").schema.enum).toContain(type.name);
      expect(schemas.Scan.properties.type.enum).toContain(type.name);

      const examples = Object.entries(type.docs.examples);
      expect(examples.length, `${type.name} has an example`).toBeGreaterThan(0);
      for (const [name, example] of examples) {
        expect(scansBody.examples[`${type.name}-${name}`]?.value).toEqual({ type: type.name, input: example.value });
        expect(typeBody.examples[`${type.name}-${name}`]?.value).toEqual(example.value);
        expect(schemas[inputName].examples).toContainEqual(example.value);
      }

      const result = SCAN_ENGINES[type.engine].result;
      expect(findings, type.name).toContain(`#/components/schemas/${result.finding}`);
      for (const name of Object.keys(result.components)) expect(schemas[name], `${type.name}: ${name}`).toBeDefined();
      for (const name of Object.keys(result.properties ?? {}))
        expect(schemas.Result.properties[name], `${type.name}: ${name}`).toBeDefined();
      for (const name of Object.keys(result.findingProperties ?? {})) {
        expect(schemas[result.finding].properties[name], `${type.name}: ${result.finding}.${name}`).toBeDefined();
      }
      expect(schemas.Result.description).toContain(`\`${type.name}\``);

      if (type.docs.upload) {
        const upload = document.paths[`/api/v1/scan/${type.name}`]?.post;
        expect(upload?.summary, type.name).toBe(type.docs.upload.summary);
        expect(Object.keys(upload.requestBody.content), type.name).toEqual([type.docs.upload.mediaType, "application/json"]);
      }
    }
  });

  it("states the limits the routes validate with", () => {
    const paths = openApiDocument().paths as Json;
    const parameter = (path: string, method: string, name: string) =>
      (paths[path][method].parameters as Json[]).find((p) => p.name === name)!.schema;
    expect(parameter("/api/v1/scans/{id}", "get", "wait").maximum).toBe(MAX_WAIT_SECONDS);
    expect(parameter("/api/v1/scans", "get", "limit").maximum).toBe(MAX_LIST_LIMIT);
    expect(parameter("/api/v1/scans", "post", "Idempotency-Key").maxLength).toBe(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(parameter("/api/v1/scan/image", "post", "Idempotency-Key").maxLength).toBe(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(paths["/api/v1/admin/advisories"].post.requestBody.content["application/json"].schema.maxItems).toBe(MAX_ADVISORIES_PER_REQUEST);
  });

  it("refuses two engines that describe one component differently", () => {
    const finding = { finding: "F", components: { F: { type: "object", properties: {} } } };
    expect(() =>
      resultSchemas([
        { type: "a", result: finding },
        { type: "b", result: { finding: "F", components: { F: { type: "string" } } } },
      ]),
    ).toThrow(/F differently/);
    const merged = resultSchemas([
      { type: "a", result: finding },
      { type: "b", result: { ...finding, findingProperties: { layer: { type: "string" } } } },
    ]);
    expect(merged.F).toEqual({ type: "object", properties: { layer: { type: "string" } } });
    expect(merged.Result!.description).toBe("`a` and `b` scans find `F`s.");
  });
});
