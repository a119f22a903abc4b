import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { pino } from "pino";
import { waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorHandler } from "../src/middleware/error-handler.js";
import { requestLogger } from "../src/middleware/request-logger.js";
import { TestApi, type TestUser } from "./api-fixture.js";

let api: TestApi;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  ({ api, admin, user } = await TestApi.startWithUsers("free"));
});
afterAll(() => api.close());

/** Percent-encodings decodeURIComponent refuses: bad hex, truncated, lone `%`, invalid and overlong UTF-8. */
const BAD_SEGMENTS = ["%ZZ", "%E0%A4%A", "%", "abc%2", "%FF", "%C0%AF", "%ED%A0%80"];

/** Routes with path parameters, each with the method that reaches it and who may call it. */
const ROUTES: Array<{ method: string; path: (segment: string) => string; admin: boolean }> = [
  { method: "GET", path: (s) => `/api/v1/scans/${s}`, admin: false },
  { method: "DELETE", path: (s) => `/api/v1/scans/${s}`, admin: false },
  { method: "POST", path: (s) => `/api/v1/scan/${s}`, admin: false },
  { method: "PATCH", path: (s) => `/api/v1/admin/users/${s}`, admin: true },
  { method: "DELETE", path: (s) => `/api/v1/cache/tags/${s}`, admin: true },
  { method: "DELETE", path: (s) => `/api/v1/cache/tags/pkg:npm/${s}`, admin: true },
];

const CASES = ROUTES.flatMap((route) => BAD_SEGMENTS.map((segment) => ({ ...route, url: route.path(segment) })));

describe("a malformed percent-encoding in the path", () => {
  it.each(CASES)("$method $url → 400 malformed_url", async ({ method, url, admin: adminOnly }) => {
    const response = await api.request(method, url, {
      key: adminOnly ? admin.key : user.key,
      body: method === "GET" || method === "DELETE" ? undefined : {},
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: "malformed_url" });
    expect(response.body.error).toMatch(/^Malformed URL: /);
  });

  it("is answered after authentication like every other 400: no key → 401, a non-admin on an admin route → 403", async () => {
    const anonymous = await api.request("GET", "/api/v1/scans/%ZZ");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("unauthorized");
    const notAdmin = await api.request("PATCH", "/api/v1/admin/users/%E0%A4%A", { key: user.key, body: { tier: "pro" } });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.code).toBe("forbidden");
  });

  it("changes nothing and leaves well-formed encodings working", async () => {
    expect(await api.count("scans")).toBe(0);
    const encodedTag = await api.request("DELETE", `/api/v1/cache/tags/${encodeURIComponent("pkg:npm/@scope/name")}`, { key: admin.key });
    expect(encodedTag.status).toBe(200);
    const encodedId = await api.request("GET", `/api/v1/scans/${encodeURIComponent("not a uuid é")}`, { key: user.key });
    expect(encodedId.status).toBe(400);
    expect(encodedId.body.code).toBe("invalid_id");
  });
});

describe("a malformed URL on Bull Board (/admin/queues)", () => {
  const BOARD_URLS = [
    "/admin/queues/%00",
    "/admin/queues/queue/%00",
    "/admin/queues/api/queues?activeQueue=%00&status=latest&page=1",
    "/admin/queues/api/queues/%E0%A4%A/x/logs",
    "/admin/queues/queue/%ZZ",
    "/admin/queues/static/%FF",
  ];

  it.each(BOARD_URLS)("GET %s → 400 malformed_url from an admin", async (url) => {
    const response = await api.request("GET", url, { key: admin.key });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: "malformed_url" });
    expect(response.body.error).toMatch(/^Malformed URL: /);
  });

  it("is answered after authentication: no key → 401, a non-admin → 403; a well-formed board URL still works", async () => {
    expect((await api.request("GET", "/admin/queues/%00")).status).toBe(401);
    expect((await api.request("GET", "/admin/queues/%00", { key: user.key })).status).toBe(403);
    const board = await api.request("GET", "/admin/queues/api/queues?activeQueue=scans&status=latest&page=1", { key: admin.key });
    expect(board.status).toBe(200);
  });
});

describe("how a malformed URL is logged", () => {
  const lines: Array<{ level: number; msg: string; res?: { statusCode: number } }> = [];
  let base: string;
  let close: () => void;

  // The API's own request logger and error handler over real HTTP, with their lines collected.
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const logger = pino({ level: "trace" }, sink);
    const app = express();
    app.use(requestLogger(app, logger));
    app.get("/items/:id", (req, res) => res.json({ id: req.params.id }));
    app.use(errorHandler(logger));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("is one request line below warn, with no error line", async () => {
    const response = await fetch(`${base}/items/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "malformed_url" });
    const logged = await waitFor(() => lines.some((line) => line.res) && lines, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: "the request line",
    });
    expect(logged.filter((line) => line.res)).toEqual([expect.objectContaining({ res: { statusCode: 400 }, level: 30 })]);
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
  });
});
