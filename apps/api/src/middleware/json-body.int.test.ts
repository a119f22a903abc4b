import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHttpError } from "./error-handler.js";
import { jsonBody } from "./json-body.js";

let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.post("/echo", jsonBody, (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const known = toHttpError(error);
    res.status(known?.status ?? 500).json({ code: known?.code, error: known?.message });
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
});
afterAll(() => server.close());

async function post(body: Uint8Array | string, contentType: string) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": contentType }, body });
  return { status: response.status, json: (await response.json()) as unknown };
}

// `application/json` (with at most a UTF-8 charset) is read by jsonBody itself; a `+json` type still goes through
// body-parser. Both must answer every body alike.
const FAST = "application/json";
const BODY_PARSER = "application/vnd.secapi+json";

describe("jsonBody's own reading of plain JSON bodies", () => {
  const bodies: [string, Uint8Array | string][] = [
    ["an object", JSON.stringify({ type: "secrets", input: { files: [{ path: "a", content: "é ✓ 😀" }] } })],
    ["a bare string (not strict)", '"text"'],
    ["a body with a UTF-8 BOM", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":1}')])],
    ["a BOM alone (an empty text)", new Uint8Array([0xef, 0xbb, 0xbf])],
    ["malformed JSON", '{"a":'],
    ["whitespace only", "   "],
    ["invalid UTF-8 inside a string", new Uint8Array([0x22, 0xff, 0x22])],
  ];
  for (const [name, body] of bodies) {
    it(`answers ${name} as body-parser does`, async () => {
      const fast = await post(body, FAST);
      expect(fast).toEqual(await post(body, BODY_PARSER));
      expect(await post(body, "application/json; charset=UTF-8")).toEqual(fast);
    });
  }

  it("parses what it reads, and words a syntax error as the API does", async () => {
    expect(await post('{"a":[1,2]}', FAST)).toEqual({ status: 200, json: { body: { a: [1, 2] } } });
    const malformed = await post('{"a":', FAST);
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ code: "malformed_json", error: expect.stringMatching(/^Request body is not valid JSON: /) });
  });

  it("leaves other charsets to body-parser: a 415 for one that is not UTF", async () => {
    expect((await post("{}", "application/json; charset=latin1")).status).toBe(415);
  });

  it("reads a body that arrives in several chunks", async () => {
    const text = JSON.stringify({ items: Array.from({ length: 3000 }, (_, i) => `item-${i}`) });
    expect(text.length).toBeGreaterThan(32 * 1024);
    const { status, json } = await post(text, FAST);
    expect(status).toBe(200);
    expect((json as { body: { items: string[] } }).body.items).toHaveLength(3000);
  });
});
