import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { waitFor } from "@secapi/testing";
import express, { type ErrorRequestHandler, Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SecapiMetrics, createMetrics } from "./create-metrics.js";
import { type ScrapedSample, parseScrape, samplesOf } from "./scrape.fixture.js";

class StatusError extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}

/** An app shaped like apps/api: a Router under /api/v1 with its own middleware and a nested admin router. */
function createApp(metrics: SecapiMetrics) {
  const app = express();
  app.use(metrics.httpMiddleware());
  app.get("/metrics", metrics.metricsHandler());

  const admin = Router();
  admin.patch("/users/:id", (_req, res) => {
    res.json({ ok: true });
  });
  const api = Router();
  api.use((req, _res, next) => next(req.headers["x-deny"] ? new StatusError(401) : undefined));
  api.use("/admin", admin);
  api.get("/scans", (_req, res) => {
    res.json({ items: [] });
  });
  api.get("/scans/:id", (req, _res, next) => {
    // Thrown inside the router, answered by the app's error handler after the router has unwound.
    if (req.params.id === "missing") throw new StatusError(404);
    next();
  });
  api.get("/scans/:id/hang", () => undefined);
  api.get("/scans/:id", (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use("/api/v1", api);
  app.use((_req, _res, next) => next(new StatusError(404)));
  const errorHandler: ErrorRequestHandler = (error: StatusError, _req, res, _next) => {
    res.status(error.status ?? 500).json({ error: error.message });
  };
  app.use(errorHandler);
  return app;
}

let metrics: SecapiMetrics;
let server: ReturnType<ReturnType<typeof express>["listen"]>;
let base: string;

beforeAll(async () => {
  metrics = createMetrics({ service: "api", defaultMetrics: false });
  const app = createApp(metrics);
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function requestCounts(): Promise<ScrapedSample[]> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return samplesOf(parseScrape(await response.text()), "secapi_http_request_duration_seconds_count");
}

const countOf = (samples: ScrapedSample[], labels: Record<string, string>) =>
  samples.find((s) => Object.entries(labels).every(([key, value]) => s.labels[key] === value))?.value;

describe("httpMiddleware", () => {
  it("labels by route template, never by the raw path", async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    expect((await fetch(`${base}/api/v1/scans/${first}`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/scans/${second}`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/scans/missing`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/scans/`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/admin/users/${first}`, { method: "PATCH" })).status).toBe(200);

    const samples = await requestCounts();
    const scanSeries = samples.filter((s) => s.labels.route === "/api/v1/scans/:id");
    expect(scanSeries.map((s) => s.labels)).toEqual([
      { method: "GET", route: "/api/v1/scans/:id", status_code: "200", service: "api" },
      { method: "GET", route: "/api/v1/scans/:id", status_code: "404", service: "api" },
    ]);
    expect(countOf(samples, { route: "/api/v1/scans/:id", status_code: "200" })).toBe(2);
    expect(countOf(samples, { route: "/api/v1/scans/:id", status_code: "404" })).toBe(1);
    expect(countOf(samples, { route: "/api/v1/scans", method: "GET" })).toBe(1);
    expect(countOf(samples, { route: "/api/v1/admin/users/:id", method: "PATCH" })).toBe(1);
    for (const sample of samples) {
      expect(sample.labels.route).not.toContain(first);
      expect(sample.labels.route).not.toContain(second);
    }
  });

  it('labels requests no route matched "unmatched"', async () => {
    expect((await fetch(`${base}/no/such/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/scans/${randomUUID()}`, { headers: { "x-deny": "1" } })).status).toBe(401);
    const samples = await requestCounts();
    expect(countOf(samples, { route: "unmatched", status_code: "404" })).toBe(1);
    expect(countOf(samples, { route: "unmatched", status_code: "401" })).toBe(1);
    expect(samples.filter((s) => s.labels.route?.startsWith("/no/"))).toEqual([]);
  });

  it("labels /metrics itself and times requests", async () => {
    await requestCounts();
    const scrape = parseScrape(await (await fetch(`${base}/metrics`)).text());
    expect(countOf(samplesOf(scrape, "secapi_http_request_duration_seconds_count"), { route: "/metrics" })).toBeGreaterThan(0);
    const sums = samplesOf(scrape, "secapi_http_request_duration_seconds_sum");
    expect(sums.every((s) => s.value > 0 && s.value < 5)).toBe(true);
  });

  it("records a request whose client gave up as 499", async () => {
    const aborted = new AbortController();
    const request = fetch(`${base}/api/v1/scans/${randomUUID()}/hang`, { signal: aborted.signal }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 50));
    aborted.abort();
    expect(await request).toBe("aborted");
    await waitFor(async () => countOf(await requestCounts(), { route: "/api/v1/scans/:id/hang", status_code: "499" }) === 1, {
      what: "the aborted request's observation",
    });
  });
});
