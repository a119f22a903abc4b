import { describe, expect, it } from "vitest";
import { anyDependencyAnswers, healthResponse, livenessResponse } from "./health-probe.js";

const up = "connected" as const;
const down = "disconnected" as const;

describe("healthResponse", () => {
  it("is 200 while the process can serve, degraded when a dependency is down, 503 only when it cannot serve", () => {
    expect(healthResponse({ database: up, redis_queue: up }, true)).toEqual({
      status: 200,
      body: { status: "ok", database: up, redis_queue: up },
    });
    expect(healthResponse({ database: down, redis_queue: up }, true, { running: true })).toEqual({
      status: 200,
      body: { status: "degraded", database: down, redis_queue: up, running: true },
    });
    expect(healthResponse({ database: up, redis_queue: up }, false).status).toBe(503);
  });

  it("the api's rule: anything answering is something to serve (a Postgres outage keeps cached reads)", () => {
    expect(anyDependencyAnswers({ database: down, redis_queue: down, redis_cache: up })).toBe(true);
    expect(anyDependencyAnswers({ database: down, redis_queue: up, redis_cache: down })).toBe(true);
    expect(anyDependencyAnswers({ database: down, redis_queue: down, redis_cache: down })).toBe(false);
  });
});

describe("livenessResponse", () => {
  it("is 200 unless the process says it stopped", () => {
    expect(livenessResponse()).toEqual({ status: 200, body: { status: "alive" } });
    expect(livenessResponse(false)).toEqual({ status: 503, body: { status: "stopped" } });
  });
});
