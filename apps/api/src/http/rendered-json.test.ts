import { etagOf } from "@secapi/core";
import { describe, expect, it } from "vitest";
import { renderedJson } from "./rendered-json.js";

describe("renderedJson", () => {
  it("renders a body's bytes and the ETag etagOf gives them", () => {
    const body = { id: "a", summary: { critical: 1 } };
    const { bytes, etag } = renderedJson(body);
    expect(bytes.toString("utf8")).toBe(JSON.stringify(body));
    expect(etag).toBe(etagOf(body));
  });

  it("renders one object once, and an equal new object anew", () => {
    const body = { id: "a" };
    const first = renderedJson(body);
    expect(renderedJson(body)).toBe(first);
    const replaced = renderedJson({ id: "a" });
    expect(replaced).not.toBe(first);
    expect(replaced.etag).toBe(first.etag);
  });

  it("renders values that are not objects without keeping them, undefined as no body", () => {
    expect(renderedJson(null).bytes.toString()).toBe("null");
    expect(renderedJson("x").bytes.toString()).toBe('"x"');
    expect(renderedJson(undefined).bytes.length).toBe(0);
  });
});
