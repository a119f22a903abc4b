import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Express } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createExpressApp, serveExpressApp } from "./express-host.js";

let server: Server | undefined;
afterEach(() => server?.close());

/**
 * Serves `app` with a probe in front of express: the prototype each request had when node's server handed it
 * over, and the one it has inside a handler, after express's `app.handle`.
 */
async function prototypesSeen(app: Express, serve: (app: Express) => Server) {
  const seen: { before?: object | null; inHandler?: object | null } = {};
  app.get("/probe/:id", (req, res) => {
    seen.inHandler = Object.getPrototypeOf(req) as object | null;
    res.set("X-Probe", "1").json({ id: req.params.id, query: req.query, accepts: req.accepts("json") });
  });
  server = serve(app);
  server.prependListener("request", (req) => {
    seen.before = Object.getPrototypeOf(req) as object | null;
  });
  await new Promise((resolve) => server?.listen(0, "127.0.0.1", () => resolve(undefined)));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/probe/7?x=1`, {
    headers: { Accept: "application/json" },
  });
  return { seen, response, body: (await response.json()) as unknown };
}

describe("createExpressApp + serveExpressApp", () => {
  it("constructs requests with the app's prototype, so express's per-request prototype swap changes nothing", async () => {
    const app = createExpressApp();
    const { seen, response, body } = await prototypesSeen(app, serveExpressApp);
    expect(seen.before).toBe(app.request);
    expect(seen.inHandler).toBe(app.request);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-probe")).toBe("1");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(body).toEqual({ id: "7", query: { x: "1" }, accepts: "json" });
  });

  it("is what a plain server does not do: there express moves each request onto its prototype", async () => {
    const app = express();
    const { seen, body } = await prototypesSeen(app, serveExpressApp);
    expect(seen.before).not.toBe(app.request);
    expect(seen.inHandler).toBe(app.request);
    expect(body).toEqual({ id: "7", query: { x: "1" }, accepts: "json" });
  });

  it("keeps what is defined on app.request after creation (accessors that middleware adds)", async () => {
    const app = createExpressApp();
    Object.defineProperty(app.request, "probeAccessor", { configurable: true, get: () => "from the prototype" });
    app.get("/accessor", (req, res) => {
      res.json({ value: (req as unknown as { probeAccessor: string }).probeAccessor });
    });
    server = serveExpressApp(app);
    await new Promise((resolve) => server?.listen(0, "127.0.0.1", () => resolve(undefined)));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/accessor`);
    expect(await response.json()).toEqual({ value: "from the prototype" });
  });
});
