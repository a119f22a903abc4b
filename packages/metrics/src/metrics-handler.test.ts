import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { Gauge } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "./create-metrics.js";

const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("metricsHandler", () => {
  it("serves the registry in the Prometheus text format on plain node:http, as a worker's health server does", async () => {
    const metrics = createMetrics({ service: "scan-worker" });
    metrics.scanDuration.observe({ scan_type: "sbom" }, 1.5);
    const handler = metrics.metricsHandler();
    const url = await listen(createServer((req, res) => void handler(req, res)));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await response.text();
    expect(body).toContain('secapi_scan_duration_seconds_count{service="scan-worker",scan_type="sbom"} 1');
    expect(body).toContain("process_cpu_user_seconds_total");
  });

  it("requires the bearer token when one is set", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const app = express();
    app.get("/metrics", metrics.metricsHandler("s3cret-token"));
    const url = await listen(createServer(app));

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain("secapi_");
    for (const authorization of ["Bearer wrong", "Bearer s3cret-toke", "Basic s3cret-token", "s3cret-token"]) {
      expect((await fetch(url, { headers: { authorization } })).status, authorization).toBe(401);
    }
    const authorized = await fetch(url, { headers: { authorization: "Bearer s3cret-token" } });
    expect(authorized.status).toBe(200);
    expect(await authorized.text()).toContain("# TYPE secapi_cache_hits_total counter");
    expect((await fetch(url, { headers: { authorization: "bearer s3cret-token" } })).status).toBe(200);
  });

  it("treats an empty token as no token", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const handler = metrics.metricsHandler("");
    const url = await listen(createServer((req, res) => void handler(req, res)));
    expect((await fetch(url)).status).toBe(200);
  });

  it("answers 500 instead of rejecting when a collector fails", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    new Gauge({
      name: "broken",
      help: "A gauge whose collect callback fails.",
      registers: [metrics.registry],
      collect: () => Promise.reject(new Error("collector broke")),
    });
    const handler = metrics.metricsHandler();
    const url = await listen(createServer((req, res) => void handler(req, res)));
    const response = await fetch(url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain("collector broke");
  });
});
