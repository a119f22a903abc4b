import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@secapi/testing";
import { requestLogger } from "./request-logger.js";

/** The request logger on a real express server over real HTTP, its lines collected from pino. */
const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  },
});
let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(requestLogger(app, pino({ level: "info" }, sink)));
  app.get("/health", (_req, res) => res.send("ok"));
  app.get("/items/:id", (req, res) => {
    req.log.info({ item: req.params.id }, "looked up");
    res.json({ id: req.params.id });
  });
  app.get("/broken", (_req, res) => res.status(503).json({ error: "down" }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => close());

async function linesFor(id: string): Promise<Array<Record<string, unknown>>> {
  const mine = () => lines.filter((line) => (line.req as { id?: string } | undefined)?.id === id);
  // The completion line is written when the response closes, just after the client has it: a loaded machine
  // may take a while to get there.
  return waitFor(() => mine().some((line) => line.msg !== "looked up") && mine(), {
    timeoutMs: 10_000,
    intervalMs: 10,
    what: `the completion line of ${id}`,
  });
}

describe("requestLogger", () => {
  it("echoes a sane client request id and logs one completion line with it, plus the handler's own lines", async () => {
    const response = await fetch(`${base}/items/42?x=1`, { headers: { "X-Request-Id": "client-id.1" } });
    expect(response.headers.get("x-request-id")).toBe("client-id.1");
    const mine = await linesFor("client-id.1");
    expect(mine.map((line) => line.msg)).toEqual(["looked up", "request completed"]);
    expect(mine[0]).toMatchObject({ level: 30, item: "42", req: { id: "client-id.1", method: "GET", url: "/items/42?x=1" } });
    expect(mine[1]).toMatchObject({ level: 30, req: { id: "client-id.1", method: "GET", url: "/items/42?x=1" }, res: { statusCode: 200 } });
    expect(typeof mine[1]?.responseTime).toBe("number");
    expect(JSON.stringify(mine)).not.toMatch(/headers/);
  });

  it("replaces an unusable client id with a UUID", async () => {
    const response = await fetch(`${base}/items/1`, { headers: { "X-Request-Id": "bad id with spaces" } });
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await linesFor(id)).at(-1)).toMatchObject({ msg: "request completed" });
  });

  it("logs 5xx at error level and does not log health probes", async () => {
    const broken = await fetch(`${base}/broken`);
    expect((await linesFor(broken.headers.get("x-request-id") ?? "")).at(-1)).toMatchObject({ level: 50, res: { statusCode: 503 } });
    const health = await fetch(`${base}/health`);
    expect(health.headers.get("x-request-id")).toBeTruthy();
    // A probe's line would have been written when its response closed, before the next request's.
    const next = await fetch(`${base}/items/after-health`);
    await linesFor(next.headers.get("x-request-id") ?? "");
    expect(lines.some((line) => (line.req as { url?: string } | undefined)?.url === "/health")).toBe(false);
  });
});
