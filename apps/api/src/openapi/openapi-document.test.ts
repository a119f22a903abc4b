import { ECOSYSTEMS, LOCKFILE_FORMATS } from "@secapi/scanners";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi-document.js";

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
});
